using System.Globalization;
using System.Text;

namespace Shoal.Cli.Progress;

/// <summary>
/// Text pieces of the terminal progress display: a bar drawn with block characters (or ASCII when the console
/// cannot show them) and lines cut to the terminal width, so a redraw never wraps and the cursor arithmetic of
/// the live block stays right.
/// </summary>
internal static class ProgressBar
{
    /// <summary>
    /// A bar of <paramref name="width"/> cells for a fraction in [0, 1]; Unicode uses eighth blocks so slow progress
    /// still moves, ASCII uses <c>#</c> and <c>-</c>.
    /// </summary>
    public static string Render(double fraction, int width, bool unicode)
    {
        if (width <= 0)
        {
            return "";
        }
        double f = double.IsNaN(fraction) ? 0 : Math.Clamp(fraction, 0, 1);
        var sb = new StringBuilder(width);
        if (!unicode)
        {
            int full = (int)Math.Floor(f * width);
            sb.Append('#', full).Append('-', width - full);
            return sb.ToString();
        }
        int eighths = (int)Math.Floor(f * width * 8);
        int whole = eighths / 8;
        int part = eighths % 8;
        sb.Append('█', whole);
        if (whole < width)
        {
            sb.Append(part == 0 ? '░' : "▏▎▍▌▋▊▉"[part - 1]);
            sb.Append('░', width - whole - 1);
        }
        return sb.ToString();
    }

    /// <summary>"  0.0%" .. "100.0%": always six characters so the columns after it do not jump.</summary>
    public static string Percent(double fraction) =>
        string.Create(CultureInfo.InvariantCulture, $"{Math.Clamp(double.IsNaN(fraction) ? 0 : fraction, 0, 1) * 100,5:0.0}%");

    /// <summary>
    /// Terminal columns <paramref name="text"/> takes: East Asian wide characters and surrogate pairs (mostly emoji)
    /// count two; a conservative guess is enough, since a line that is too short is harmless and one that wraps is not.
    /// </summary>
    public static int Columns(string text)
    {
        int columns = 0;
        for (int i = 0; i < text.Length; i++)
        {
            columns += CharColumns(text, ref i);
        }
        return columns;
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="width"/> columns, ending in an ellipsis when cut.</summary>
    public static string Fit(string text, int width, bool unicode)
    {
        if (width <= 0)
        {
            return "";
        }
        if (Columns(text) <= width)
        {
            return text;
        }
        string ellipsis = unicode ? "…" : "...";
        int budget = Math.Max(0, width - ellipsis.Length);
        return Take(text, budget) + (width > ellipsis.Length ? ellipsis : "");
    }

    /// <summary>Cuts a name from the middle ("long-na…ame.iso"): the start and the extension both tell.</summary>
    public static string FitMiddle(string text, int width, bool unicode)
    {
        string ellipsis = unicode ? "…" : "...";
        if (Columns(text) <= width || width <= ellipsis.Length + 2)
        {
            return Fit(text, width, unicode);
        }
        int keep = width - ellipsis.Length;
        int tail = keep / 3;
        return Take(text, keep - tail) + ellipsis + TakeLast(text, tail);
    }

    private static int CharColumns(string text, ref int i)
    {
        char c = text[i];
        if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
        {
            i++;
            return 2;
        }
        return c is (>= '\u1100' and <= '\u115F') or (>= '\u2E80' and <= '\uA4CF') or (>= '\uAC00' and <= '\uD7A3')
            or (>= '\uF900' and <= '\uFAFF') or (>= '\uFE30' and <= '\uFE4F') or (>= '\uFF00' and <= '\uFF60')
            or (>= '\uFFE0' and <= '\uFFE6') ? 2 : 1;
    }

    private static string Take(string text, int columns)
    {
        int used = 0;
        for (int i = 0; i < text.Length; i++)
        {
            int start = i;
            int w = CharColumns(text, ref i);
            if (used + w > columns)
            {
                return text[..start];
            }
            used += w;
        }
        return text;
    }

    private static string TakeLast(string text, int columns)
    {
        int used = 0;
        int start = text.Length;
        while (start > 0)
        {
            int i = start - 1;
            if (char.IsLowSurrogate(text[i]) && i > 0 && char.IsHighSurrogate(text[i - 1]))
            {
                i--;
            }
            int probe = i;
            int w = CharColumns(text, ref probe);
            if (used + w > columns)
            {
                break;
            }
            used += w;
            start = i;
        }
        return text[start..];
    }

    /// <summary>Replaces control characters (a torrent name may carry escape sequences) with '?'.</summary>
    public static string Printable(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        return string.Create(text.Length, text, static (span, s) =>
        {
            for (int i = 0; i < s.Length; i++)
            {
                span[i] = char.IsControl(s[i]) ? '?' : s[i];
            }
        });
    }
}

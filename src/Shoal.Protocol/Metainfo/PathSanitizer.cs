using System.Text;

namespace Shoal.Protocol.Metainfo;

/// <summary>
/// Turns untrusted path components from a torrent into names that are safe to create under the download folder on
/// Linux, macOS and Windows. Separators, NUL, control characters and Windows-reserved characters become '_';
/// components that are empty, "." or ".." are dropped; Windows device names get a '_' prefix; names longer than
/// 255 UTF-8 bytes are shortened on a character boundary (keeping a short extension). A sanitised component is
/// never empty, never "." or "..", never rooted and never holds a separator.
/// </summary>
public static class PathSanitizer
{
    /// <summary>Most file systems limit one name to 255 bytes.</summary>
    public const int MaxComponentBytes = 255;

    private const int MaxKeptExtensionBytes = 16;

    private static readonly HashSet<string> WindowsDeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL",
        "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
        "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9",
    };

    /// <summary>
    /// Sanitises one component. Returns null when the component must be dropped (empty, "." or "..").
    /// </summary>
    public static string? SanitizeComponent(string component)
    {
        if (component.Length == 0 || component is "." or "..")
        {
            return null;
        }

        var sb = new StringBuilder(component.Length);
        foreach (char c in component)
        {
            sb.Append(IsForbidden(c) ? '_' : c);
        }
        string result = sb.ToString();

        // "CON.txt" is as reserved as "CON" on Windows.
        int dot = result.IndexOf('.', StringComparison.Ordinal);
        string stem = dot < 0 ? result : result[..dot];
        if (WindowsDeviceNames.Contains(stem.TrimEnd(' ')))
        {
            result = "_" + result;
        }
        return Truncate(result);
    }

    /// <summary>
    /// Sanitises a whole path (a list of components), dropping the components that must go. The result may be empty
    /// when every component was dropped; callers decide on a fallback name.
    /// </summary>
    public static List<string> SanitizePath(IEnumerable<string> components)
    {
        var result = new List<string>();
        foreach (string c in components)
        {
            if (SanitizeComponent(c) is { } safe)
            {
                result.Add(safe);
            }
        }
        return result;
    }

    private static bool IsForbidden(char c) =>
        c < 0x20 || c == 0x7f || c is '/' or '\\' or '<' or '>' or ':' or '"' or '|' or '?' or '*';

    /// <summary>Cuts a name to <see cref="MaxComponentBytes"/> UTF-8 bytes without splitting a character.</summary>
    internal static string Truncate(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxComponentBytes)
        {
            return name;
        }
        string extension = "";
        int dot = name.LastIndexOf('.');
        if (dot > 0 && Encoding.UTF8.GetByteCount(name.AsSpan(dot)) <= MaxKeptExtensionBytes)
        {
            extension = name[dot..];
            name = name[..dot];
        }
        int budget = MaxComponentBytes - Encoding.UTF8.GetByteCount(extension);
        var sb = new StringBuilder();
        int used = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > budget)
            {
                break;
            }
            used += rune.Utf8SequenceLength;
            sb.Append(rune.ToString());
        }
        return sb.Append(extension).ToString();
    }
}

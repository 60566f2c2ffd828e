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

    private static readonly HashSet<string>.AlternateLookup<ReadOnlySpan<char>> DeviceNameLookup =
        WindowsDeviceNames.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>
    /// Sanitises one component. Returns null when the component must be dropped (empty, "." or "..").
    /// </summary>
    public static string? SanitizeComponent(string component)
    {
        if (component.Length == 0 || component is "." or "..")
        {
            return null;
        }

        string result = component;
        if (component.AsSpan().ContainsAny(Forbidden))
        {
            var sb = new StringBuilder(component.Length);
            foreach (char c in component)
            {
                sb.Append(IsForbidden(c) ? '_' : c);
            }
            result = sb.ToString();
        }

        // "CON.txt" is as reserved as "CON" on Windows.
        int dot = result.IndexOf('.', StringComparison.Ordinal);
        var stem = (dot < 0 ? result.AsSpan() : result.AsSpan(0, dot)).TrimEnd(' ');
        if (stem.Length is >= 3 and <= 4 && DeviceNameLookup.Contains(stem))
        {
            result = "_" + result;
        }
        return Truncate(result);
    }

    /// <summary>
    /// Sanitises a whole path (a list of components), dropping the components that must go. The result may be empty
    /// when every component was dropped; callers decide on a fallback name.
    /// </summary>
    /// <remarks>When nothing needs changing, the input list itself is returned (no copy).</remarks>
    public static IReadOnlyList<string> SanitizePath(IReadOnlyList<string> components)
    {
        List<string>? result = null;
        for (int i = 0; i < components.Count; i++)
        {
            string c = components[i];
            string? safe = SanitizeComponent(c);
            if (result is null && !ReferenceEquals(safe, c))
            {
                result = new List<string>(components.Count);
                for (int j = 0; j < i; j++)
                {
                    result.Add(components[j]);
                }
            }
            if (result is not null && safe is not null)
            {
                result.Add(safe);
            }
        }
        return result ?? components;
    }

    private static readonly System.Buffers.SearchValues<char> Forbidden = System.Buffers.SearchValues.Create(
        "\u0000\u0001\u0002\u0003\u0004\u0005\u0006\u0007\u0008\u0009\u000a\u000b\u000c\u000d\u000e\u000f" +
        "\u0010\u0011\u0012\u0013\u0014\u0015\u0016\u0017\u0018\u0019\u001a\u001b\u001c\u001d\u001e\u001f" +
        "\u007f/\\<>:\"|?*");

    private static bool IsForbidden(char c) =>
        c < 0x20 || c == 0x7f || c is '/' or '\\' or '<' or '>' or ':' or '"' or '|' or '?' or '*';

    /// <summary>Cuts a name to <see cref="MaxComponentBytes"/> UTF-8 bytes without splitting a character.</summary>
    internal static string Truncate(string name)
    {
        // A char is at most 3 UTF-8 bytes (surrogate pairs: 4 bytes for 2 chars), so short names need no count.
        if (name.Length <= MaxComponentBytes / 3 || Encoding.UTF8.GetByteCount(name) <= MaxComponentBytes)
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
        return CutToBytes(name, MaxComponentBytes - Encoding.UTF8.GetByteCount(extension)) + extension;
    }

    /// <summary>The longest prefix of <paramref name="text"/> that fits in <paramref name="maxBytes"/> UTF-8 bytes.</summary>
    internal static string CutToBytes(string text, int maxBytes)
    {
        var sb = new StringBuilder();
        int used = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > maxBytes)
            {
                break;
            }
            used += rune.Utf8SequenceLength;
            sb.Append(rune.ToString());
        }
        return sb.ToString();
    }
}

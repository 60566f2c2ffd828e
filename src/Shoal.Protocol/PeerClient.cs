namespace Shoal.Protocol;

/// <summary>
/// Names the client behind a peer id, for status displays. Most clients put their name and version in the id
/// (BEP 20): Azureus style <c>-XXvvvv-</c> (two letters, four version characters), or a few others (aria2's
/// <c>A2-1-36-0-</c>, mainline's <c>M7-2-0--</c>). Unknown ids fall back to their printable prefix.
/// </summary>
public static class PeerClient
{
    private static readonly Dictionary<string, string> Azureus = new(StringComparer.Ordinal)
    {
        ["AZ"] = "Vuze",
        ["BC"] = "BitComet",
        ["BI"] = "BiglyBT",
        ["BT"] = "BitTorrent",
        ["DE"] = "Deluge",
        ["FD"] = "Free Download Manager",
        ["KT"] = "KTorrent",
        ["LT"] = "libtorrent",
        ["lt"] = "rTorrent",
        ["PI"] = "PicoTorrent",
        ["qB"] = "qBittorrent",
        ["SH"] = "Shoal",
        ["TL"] = "Tribler",
        ["TR"] = "Transmission",
        ["UM"] = "µTorrent Mac",
        ["UT"] = "µTorrent",
        ["UW"] = "µTorrent Web",
        ["WW"] = "WebTorrent",
        ["XL"] = "Xunlei",
    };

    /// <summary>A readable client name and version, e.g. "Transmission 4.0.6", or the id's printable prefix.</summary>
    public static string Describe(PeerId id)
    {
        ReadOnlySpan<byte> b = id.Span;
        if (b.Length >= 8 && b[0] == '-' && b[7] == '-' && IsAlnum(b[1]) && IsAlnum(b[2]))
        {
            string code = new([(char)b[1], (char)b[2]]);
            string name = Azureus.TryGetValue(code, out var known) ? known : code;
            return $"{name} {AzureusVersion(b.Slice(3, 4))}";
        }
        if (b.StartsWith("A2-"u8))
        {
            return "aria2 " + DashedVersion(b[3..]);
        }
        if (b.Length >= 3 && b[0] == 'M' && char.IsAsciiDigit((char)b[1]) && b[2] == '-')
        {
            return "BitTorrent " + DashedVersion(b[1..]);
        }
        int printable = 0;
        while (printable < Math.Min(8, b.Length) && b[printable] is >= 0x21 and < 0x7f)
        {
            printable++;
        }
        return printable >= 2 ? $"unknown ({System.Text.Encoding.ASCII.GetString(b[..printable])})" : "unknown";
    }

    /// <summary>"4060" -> "4.0.6"; "300Z" -> "3.0.0" (letters mark betas and are dropped); a fourth part only if not 0.</summary>
    private static string AzureusVersion(ReadOnlySpan<byte> v)
    {
        var parts = new List<string>(4);
        foreach (byte c in v)
        {
            if (char.IsAsciiDigit((char)c))
            {
                parts.Add(((char)c).ToString());
            }
        }
        if (parts.Count == 4 && parts[3] == "0")
        {
            parts.RemoveAt(3);
        }
        return string.Join('.', parts);
    }

    /// <summary>"1-36-0-xyz" -> "1.36.0": numbers separated by dashes, up to the first empty or non-numeric part.</summary>
    private static string DashedVersion(ReadOnlySpan<byte> rest)
    {
        var parts = new List<string>(3);
        int start = 0;
        for (int i = 0; i <= rest.Length && parts.Count < 3; i++)
        {
            if (i == rest.Length || rest[i] == '-')
            {
                var part = rest[start..i];
                if (part.IsEmpty || !IsDigits(part))
                {
                    break;
                }
                parts.Add(System.Text.Encoding.ASCII.GetString(part));
                start = i + 1;
            }
        }
        return string.Join('.', parts);
    }

    private static bool IsDigits(ReadOnlySpan<byte> s)
    {
        foreach (byte c in s)
        {
            if (!char.IsAsciiDigit((char)c))
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsAlnum(byte c) => char.IsAsciiLetterOrDigit((char)c);
}

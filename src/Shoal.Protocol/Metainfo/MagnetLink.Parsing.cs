using System.Text;

namespace Shoal.Protocol.Metainfo;

public sealed partial record MagnetLink
{
    private const string BtihPrefix = "urn:btih:";
    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>Parses a magnet URI; throws <see cref="MetainfoException"/> with one clear line.</summary>
    public static MagnetLink Parse(string uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        uri = uri.Trim();
        if (!LooksLikeMagnet(uri) || uri.Length < 8 || uri[7] != '?')
        {
            throw Invalid("it does not start with 'magnet:?'");
        }
        InfoHash? hash = null;
        bool sawV2 = false;
        string? name = null;
        var trackers = new List<string>();
        var peers = new List<string>();
        foreach (string pair in uri[8..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = pair.IndexOf('=', StringComparison.Ordinal);
            string key = (eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            string value = eq < 0 ? "" : Decode(pair[(eq + 1)..]);
            switch (key)
            {
                case "xt" when value.StartsWith(BtihPrefix, StringComparison.OrdinalIgnoreCase):
                    var parsed = ParseBtih(value[BtihPrefix.Length..]);
                    if (hash is { } previous && previous != parsed)
                    {
                        throw Invalid("it has two different 'urn:btih' info hashes");
                    }
                    hash = parsed;
                    break;
                case "xt" when value.StartsWith("urn:btmh:", StringComparison.OrdinalIgnoreCase):
                    sawV2 = true;
                    break;
                case "xt":
                    throw Invalid($"unknown exact topic '{value}'");
                case "dn":
                    name = value;
                    break;
                case "tr" when value.Length > 0:
                    if (!trackers.Contains(value))
                    {
                        trackers.Add(value);
                    }
                    break;
                case "x.pe" when value.Length > 0:
                    peers.Add(value);
                    break;
            }
        }
        if (hash is null)
        {
            throw sawV2
                ? new MetainfoException("BitTorrent v2 magnet links are not supported yet")
                : Invalid("it has no 'xt=urn:btih:' info hash");
        }
        return new MagnetLink(hash.Value, name, trackers, peers);
    }

    public static bool LooksLikeMagnet(string text) => text.StartsWith("magnet:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Formats the link as a magnet URI (hex info hash; values percent-encoded).</summary>
    public string ToUri()
    {
        var sb = new StringBuilder("magnet:?xt=urn:btih:").Append(InfoHash.ToHex());
        if (DisplayName is not null)
        {
            sb.Append("&dn=").Append(Uri.EscapeDataString(DisplayName));
        }
        foreach (string tracker in Trackers)
        {
            sb.Append("&tr=").Append(Uri.EscapeDataString(tracker));
        }
        foreach (string peer in Peers)
        {
            sb.Append("&x.pe=").Append(Uri.EscapeDataString(peer));
        }
        return sb.ToString();
    }

    private static InfoHash ParseBtih(string text)
    {
        if (text.Length == 40)
        {
            foreach (char c in text)
            {
                if (!char.IsAsciiHexDigit(c))
                {
                    throw Invalid("the 40-character info hash is not hexadecimal");
                }
            }
            return InfoHash.FromHex(text);
        }
        if (text.Length == 32)
        {
            return new InfoHash(FromBase32(text));
        }
        throw Invalid($"the info hash has {text.Length} characters (expected 40 hex or 32 base32)");
    }

    private static byte[] FromBase32(string text)
    {
        var bytes = new byte[20];
        int buffer = 0, bits = 0, n = 0;
        foreach (char c in text)
        {
            int v = Base32Alphabet.IndexOf(char.ToUpperInvariant(c), StringComparison.Ordinal);
            if (v < 0)
            {
                throw Invalid("the 32-character info hash is not base32");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8)
            {
                bits -= 8;
                bytes[n++] = (byte)(buffer >> bits);
                buffer &= (1 << bits) - 1;
            }
        }
        return bytes;
    }

    /// <summary>Percent-decoding to UTF-8 that also maps '+' to a space (as browsers write query strings).</summary>
    private static string Decode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value.Replace('+', ' ');
        }
        var bytes = new List<byte>(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    throw Invalid("it contains a malformed percent escape");
                }
                bytes.Add(Convert.ToByte(value.Substring(i + 1, 2), 16));
                i += 2;
            }
            else if (c == '+')
            {
                bytes.Add((byte)' ');
            }
            else
            {
                int n = char.IsHighSurrogate(c) && i + 1 < value.Length ? 2 : 1; // keep surrogate pairs whole
                bytes.AddRange(Encoding.UTF8.GetBytes(value.Substring(i, n)));
                i += n - 1;
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    private static MetainfoException Invalid(string problem) => new($"invalid magnet link: {problem}");
}

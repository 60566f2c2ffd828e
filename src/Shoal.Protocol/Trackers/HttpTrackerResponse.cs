using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Shoal.Bencoding;

namespace Shoal.Protocol.Trackers;

/// <summary>Parses HTTP tracker bodies (bencoded dictionaries). Junk is an error string, never an exception.</summary>
public static class HttpTrackerResponse
{
    // Some trackers append a newline or HTML after the dictionary; the dictionary is what counts.
    private static readonly BencodeOptions Options = new() { MaxDepth = 32, AllowTrailingBytes = true };

    /// <summary>
    /// Parses an announce response. True with a response (which may carry a <c>failure reason</c>), or false with a
    /// short description of what is wrong with the body.
    /// </summary>
    public static bool TryParseAnnounce(ReadOnlyMemory<byte> body, [NotNullWhen(true)] out AnnounceResponse? response,
        [NotNullWhen(false)] out string? error, int maxPeers = AnnounceResponse.DefaultMaxPeers)
    {
        response = null;
        if (!TryDecodeBounded(body, maxPeers, out var dict, out int skipped, out error))
        {
            return false;
        }
        if (TryGetText(dict, "failure reason", out string? failure))
        {
            response = new AnnounceResponse { FailureReason = failure };
            return true;
        }
        var peers = new List<IPEndPoint>();
        bool anyPeersKey = false;
        if (dict.TryGetValue("peers", out var peersValue))
        {
            anyPeersKey = true;
            switch (peersValue)
            {
                case BString compact:
                    skipped += CompactPeers.Parse(compact.Span, CompactPeers.IPv4EntryLength, peers, maxPeers);
                    break;
                case BList list:
                    skipped += ParseDictionaryPeers(list, peers, maxPeers);
                    break;
                default:
                    error = "'peers' is neither a string nor a list";
                    return false;
            }
        }
        if (dict.TryGetValue("peers6", out var peers6Value))
        {
            anyPeersKey = true;
            if (peers6Value is BString compact6)
            {
                skipped += CompactPeers.Parse(compact6.Span, CompactPeers.IPv6EntryLength, peers, maxPeers);
            }
            else if (peers6Value is BList list6)
            {
                skipped += ParseDictionaryPeers(list6, peers, maxPeers);
            }
        }
        int? interval = GetInt(dict, "interval");
        if (!anyPeersKey && interval is null)
        {
            error = "neither 'peers' nor 'interval' in the tracker response";
            return false;
        }
        TryGetText(dict, "warning message", out string? warning);
        TryGetText(dict, "tracker id", out string? trackerId);
        response = new AnnounceResponse
        {
            WarningMessage = warning,
            Interval = interval,
            MinInterval = GetInt(dict, "min interval"),
            TrackerId = trackerId,
            Seeders = GetInt(dict, "complete"),
            Leechers = GetInt(dict, "incomplete"),
            Peers = peers,
            PeersSkipped = skipped,
        };
        return true;
    }

    /// <summary>Parses a scrape response: <c>files</c> is a dictionary keyed by the raw 20-byte info hash.</summary>
    public static bool TryParseScrape(ReadOnlyMemory<byte> body, [NotNullWhen(true)] out ScrapeResponse? response,
        [NotNullWhen(false)] out string? error)
    {
        response = null;
        if (!TryDecodeDictionary(body, out var dict, out error))
        {
            return false;
        }
        if (TryGetText(dict, "failure reason", out string? failure))
        {
            response = new ScrapeResponse { FailureReason = failure };
            return true;
        }
        if (dict.Get("files") is not BDictionary files)
        {
            error = "no 'files' dictionary in the scrape response";
            return false;
        }
        var stats = new List<ScrapeStats>();
        foreach (var (key, value) in files.Entries)
        {
            if (key.Length != InfoHash.Length || value is not BDictionary entry)
            {
                continue;
            }
            stats.Add(new ScrapeStats(new InfoHash(key.Span), GetInt(entry, "complete") ?? 0,
                GetInt(entry, "downloaded") ?? 0, GetInt(entry, "incomplete") ?? 0));
        }
        response = new ScrapeResponse { Files = stats };
        return true;
    }

    private static bool TryDecodeDictionary(ReadOnlyMemory<byte> body, [NotNullWhen(true)] out BDictionary? dict,
        [NotNullWhen(false)] out string? error)
    {
        dict = null;
        if (body.IsEmpty)
        {
            error = "empty response body";
            return false;
        }
        var status = BencodeReader.TryDecode(body, out var value, out _, out var bencodeError, Options);
        if (status != DecodeStatus.Done || value is not BDictionary d)
        {
            error = status switch
            {
                DecodeStatus.NeedMore => "truncated bencoded response",
                DecodeStatus.Invalid => $"not a bencoded response ({bencodeError}): {Preview(body.Span)}",
                _ => $"the response is not a bencoded dictionary: {Preview(body.Span)}",
            };
            return false;
        }
        dict = d;
        error = null;
        return true;
    }

    /// <summary>
    /// Decodes the top-level dictionary like <see cref="BencodeReader"/>, except that the items of a <c>peers</c> or
    /// <c>peers6</c> list beyond <paramref name="maxListItems"/> are decoded one at a time and dropped, so a body of a
    /// million tiny peer entries never holds a million objects at once.
    /// </summary>
    private static bool TryDecodeBounded(ReadOnlyMemory<byte> body, int maxListItems, [NotNullWhen(true)] out BDictionary? dict,
        out int droppedItems, [NotNullWhen(false)] out string? error)
    {
        dict = null;
        droppedItems = 0;
        var span = body.Span;
        if (span.IsEmpty || span[0] != (byte)'d')
        {
            // Not a dictionary: let the general decoder describe what it is.
            return TryDecodeDictionary(body, out dict, out error);
        }
        var result = new BDictionary();
        int pos = 1;
        while (true)
        {
            if (pos >= span.Length)
            {
                error = "truncated bencoded response";
                return false;
            }
            if (span[pos] == (byte)'e')
            {
                dict = result;
                error = null;
                return true;
            }
            if (!TryValue(body, ref pos, out var keyValue, out error))
            {
                return false;
            }
            if (keyValue is not BString key)
            {
                error = $"dictionary key is not a string at offset {keyValue.Offset}";
                return false;
            }
            bool isPeerList = pos < span.Length && span[pos] == (byte)'l'
                && (key.Span.SequenceEqual("peers"u8) || key.Span.SequenceEqual("peers6"u8));
            if (!isPeerList)
            {
                if (!TryValue(body, ref pos, out var value, out error))
                {
                    return false;
                }
                result.Set(key, value);
                continue;
            }
            pos++;
            var kept = new BList();
            while (true)
            {
                if (pos >= span.Length)
                {
                    error = "truncated bencoded response";
                    return false;
                }
                if (span[pos] == (byte)'e')
                {
                    pos++;
                    break;
                }
                if (!TryValue(body, ref pos, out var item, out error))
                {
                    return false;
                }
                if (kept.Count < maxListItems)
                {
                    kept.Add(item);
                }
                else
                {
                    droppedItems++;
                }
            }
            result.Set(key, kept);
        }
    }

    private static bool TryValue(ReadOnlyMemory<byte> body, ref int pos, [NotNullWhen(true)] out BValue? value,
        [NotNullWhen(false)] out string? error)
    {
        var status = BencodeReader.TryDecodePrefix(body[pos..], out value, out int consumed, out var bencodeError, Options);
        if (status != DecodeStatus.Done || value is null)
        {
            error = status == DecodeStatus.NeedMore
                ? "truncated bencoded response"
                : $"not a bencoded response ({bencodeError} after offset {pos}): {Preview(body.Span)}";
            value = null;
            return false;
        }
        pos += consumed;
        error = null;
        return true;
    }

    private static int ParseDictionaryPeers(BList list, List<IPEndPoint> into, int max)
    {
        int skipped = 0;
        for (int i = 0; i < list.Count; i++)
        {
            if (into.Count >= max)
            {
                return skipped + (list.Count - i);
            }
            if (list[i] is not BDictionary peer || peer.Get("ip") is not BString ipValue
                || peer.Get("port") is not BInteger { Value: > 0 and <= ushort.MaxValue } port)
            {
                skipped++;
                continue;
            }
            // Host names would need DNS at this layer; real trackers send addresses, so names are skipped.
            if (ipValue.Length > 64 || !IPAddress.TryParse(Encoding.ASCII.GetString(ipValue.Span), out var ip)
                || ip.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
            {
                skipped++;
                continue;
            }
            into.Add(new IPEndPoint(ip, (int)port.Value));
        }
        return skipped;
    }

    private static int? GetInt(BDictionary dict, string key) =>
        dict.Get(key) is BInteger i ? (int)Math.Clamp(i.Value, int.MinValue, int.MaxValue) : null;

    private static bool TryGetText(BDictionary dict, string key, [NotNullWhen(true)] out string? text)
    {
        text = dict.Get(key) switch
        {
            BString s => s.ToUtf8String(),
            BInteger n => n.ToString(),
            _ => null,
        };
        return text is not null;
    }

    /// <summary>A short printable prefix of a junk body, so an error names what came back (an HTML page, say).</summary>
    public static string Preview(ReadOnlySpan<byte> body)
    {
        var slice = body[..Math.Min(body.Length, 60)];
        var sb = new StringBuilder(slice.Length);
        foreach (byte b in slice)
        {
            sb.Append(b is >= 0x20 and < 0x7f ? (char)b : '.');
        }
        if (body.Length > slice.Length)
        {
            sb.Append('…');
        }
        return sb.ToString();
    }
}

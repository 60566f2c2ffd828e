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
        if (!TryDecodeDictionary(body, out var dict, out error))
        {
            return false;
        }
        if (TryGetText(dict, "failure reason", out string? failure))
        {
            response = new AnnounceResponse { FailureReason = failure };
            return true;
        }
        var peers = new List<IPEndPoint>();
        int skipped = 0;
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

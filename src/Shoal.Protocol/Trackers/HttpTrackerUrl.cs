using System.Globalization;
using System.Text;

namespace Shoal.Protocol.Trackers;

/// <summary>Builds HTTP tracker announce and scrape URLs (BEP 3, BEP 48 scrape convention).</summary>
public static class HttpTrackerUrl
{
    /// <summary>
    /// Percent-encodes raw bytes byte by byte: RFC 3986 unreserved characters (<c>A-Z a-z 0-9 - . _ ~</c>) stay as
    /// they are, every other byte becomes <c>%XX</c> (upper-case hex). Trackers compare the decoded bytes.
    /// </summary>
    public static string PercentEncode(ReadOnlySpan<byte> bytes)
    {
        var sb = new StringBuilder(bytes.Length * 3);
        AppendPercentEncoded(sb, bytes);
        return sb.ToString();
    }

    /// <summary>True for the RFC 3986 unreserved characters.</summary>
    public static bool IsUnreserved(byte b) =>
        b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
            or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~';

    /// <summary>
    /// The full announce URL. A query already in <paramref name="announceUrl"/> (private tracker passkeys and the
    /// like) is kept and ours is appended with <c>&amp;</c>; a fragment is dropped.
    /// </summary>
    public static string BuildAnnounce(string announceUrl, AnnounceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sb = new StringBuilder(announceUrl.Length + 256);
        AppendBase(sb, announceUrl);
        sb.Append("info_hash=");
        AppendPercentEncoded(sb, request.InfoHash.Span);
        sb.Append("&peer_id=");
        AppendPercentEncoded(sb, request.PeerId.Span);
        var inv = CultureInfo.InvariantCulture;
        sb.Append(inv, $"&port={request.Port}&uploaded={Math.Max(0, request.Uploaded)}&downloaded={Math.Max(0, request.Downloaded)}&left={Math.Max(0, request.Left)}");
        sb.Append("&compact=1");
        string? ev = request.Event switch
        {
            TrackerEvent.Started => "started",
            TrackerEvent.Completed => "completed",
            TrackerEvent.Stopped => "stopped",
            _ => null,
        };
        if (ev is not null)
        {
            sb.Append("&event=").Append(ev);
        }
        if (request.NumWant is int numWant)
        {
            sb.Append(inv, $"&numwant={Math.Max(0, numWant)}");
        }
        sb.Append(inv, $"&key={request.Key:X8}");
        if (!string.IsNullOrEmpty(request.TrackerId))
        {
            sb.Append("&trackerid=");
            AppendPercentEncoded(sb, Encoding.UTF8.GetBytes(request.TrackerId));
        }
        return sb.ToString();
    }

    /// <summary>
    /// The scrape URL by the usual convention: only when the last path segment starts with <c>announce</c>, that word
    /// is replaced by <c>scrape</c> (<c>/x/announce.php?k=1</c> becomes <c>/x/scrape.php?k=1</c>). Otherwise the
    /// tracker does not support scrape and this returns false.
    /// </summary>
    public static bool TryGetScrapeUrl(string announceUrl, out string scrapeUrl)
    {
        scrapeUrl = "";
        int end = announceUrl.IndexOfAny(['?', '#']);
        string path = end < 0 ? announceUrl : announceUrl[..end];
        int slash = path.LastIndexOf('/');
        if (slash < 0 || !path.AsSpan(slash + 1).StartsWith("announce", StringComparison.Ordinal))
        {
            return false;
        }
        // The slash must be in the path, not the one of "scheme://".
        int schemeEnd = announceUrl.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0 && slash <= schemeEnd + 2)
        {
            return false;
        }
        scrapeUrl = string.Concat(announceUrl.AsSpan(0, slash + 1), "scrape", announceUrl.AsSpan(slash + 1 + "announce".Length));
        return true;
    }

    /// <summary>The scrape request URL for one or more info hashes (repeated <c>info_hash</c> parameters).</summary>
    public static string BuildScrape(string scrapeUrl, IEnumerable<InfoHash> infoHashes)
    {
        ArgumentNullException.ThrowIfNull(infoHashes);
        var sb = new StringBuilder(scrapeUrl.Length + 80);
        AppendBase(sb, scrapeUrl);
        bool first = true;
        foreach (var h in infoHashes)
        {
            sb.Append(first ? "info_hash=" : "&info_hash=");
            AppendPercentEncoded(sb, h.Span);
            first = false;
        }
        return sb.ToString();
    }

    private static void AppendBase(StringBuilder sb, string url)
    {
        int hash = url.IndexOf('#', StringComparison.Ordinal);
        var baseUrl = hash < 0 ? url.AsSpan() : url.AsSpan(0, hash);
        sb.Append(baseUrl);
        int q = baseUrl.IndexOf('?');
        if (q < 0)
        {
            sb.Append('?');
        }
        else if (q != baseUrl.Length - 1 && baseUrl[^1] != '&')
        {
            sb.Append('&');
        }
    }

    private static void AppendPercentEncoded(StringBuilder sb, ReadOnlySpan<byte> bytes)
    {
        const string hex = "0123456789ABCDEF";
        foreach (byte b in bytes)
        {
            if (IsUnreserved(b))
            {
                sb.Append((char)b);
            }
            else
            {
                sb.Append('%').Append(hex[b >> 4]).Append(hex[b & 0xF]);
            }
        }
    }
}

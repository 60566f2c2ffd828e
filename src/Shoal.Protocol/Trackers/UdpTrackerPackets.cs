using System.Buffers.Binary;
using System.Net;
using System.Text;

namespace Shoal.Protocol.Trackers;

/// <summary>BEP 15 actions.</summary>
public enum UdpTrackerAction
{
    Connect = 0,
    Announce = 1,
    Scrape = 2,
    Error = 3,
}

/// <summary>
/// BEP 15 UDP tracker packets, with the BEP 41 URL-data option. All integers are big-endian. Building is
/// allocation-light; parsing takes a received datagram and the request it should answer.
/// </summary>
public static class UdpTrackerPackets
{
    /// <summary>The magic constant of a connect request.</summary>
    public const long ProtocolId = 0x41727101980;

    /// <summary>Bytes of a connect request and of a connect response.</summary>
    public const int ConnectLength = 16;

    /// <summary>Bytes of an announce request before BEP 41 options.</summary>
    public const int AnnounceRequestLength = 98;

    /// <summary>Bytes of an announce response before the peers.</summary>
    public const int AnnounceResponseHeaderLength = 20;

    /// <summary>Info hashes per scrape that keep the datagram small (as BEP 15 suggests, ~74).</summary>
    public const int MaxScrapeHashes = 74;

    private const byte OptionEnd = 0, OptionUrlData = 2;

    /// <summary>A connect request.</summary>
    public static byte[] BuildConnect(int transactionId)
    {
        var p = new byte[ConnectLength];
        BinaryPrimitives.WriteInt64BigEndian(p, ProtocolId);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(8), (int)UdpTrackerAction.Connect);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(12), transactionId);
        return p;
    }

    /// <summary>
    /// An announce request. <paramref name="urlData"/> is the path and query of the <c>udp://</c> URL (BEP 41), sent
    /// as URL-data options of up to 255 bytes each; null or "/announce"-less empty data sends no option.
    /// </summary>
    public static byte[] BuildAnnounce(long connectionId, int transactionId, AnnounceRequest request, string? urlData = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        byte[] options = BuildUrlDataOptions(urlData);
        var p = new byte[AnnounceRequestLength + options.Length];
        var s = p.AsSpan();
        BinaryPrimitives.WriteInt64BigEndian(s, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(s[8..], (int)UdpTrackerAction.Announce);
        BinaryPrimitives.WriteInt32BigEndian(s[12..], transactionId);
        request.InfoHash.Span.CopyTo(s[16..]);
        request.PeerId.Span.CopyTo(s[36..]);
        BinaryPrimitives.WriteInt64BigEndian(s[56..], Math.Max(0, request.Downloaded));
        BinaryPrimitives.WriteInt64BigEndian(s[64..], Math.Max(0, request.Left));
        BinaryPrimitives.WriteInt64BigEndian(s[72..], Math.Max(0, request.Uploaded));
        BinaryPrimitives.WriteInt32BigEndian(s[80..], (int)request.Event);
        BinaryPrimitives.WriteUInt32BigEndian(s[84..], 0); // IP: let the tracker use the sender address
        BinaryPrimitives.WriteUInt32BigEndian(s[88..], request.Key);
        BinaryPrimitives.WriteInt32BigEndian(s[92..], request.NumWant ?? -1);
        BinaryPrimitives.WriteUInt16BigEndian(s[96..], (ushort)request.Port);
        options.CopyTo(s[AnnounceRequestLength..]);
        return p;
    }

    /// <summary>A scrape request for up to <see cref="MaxScrapeHashes"/> torrents.</summary>
    public static byte[] BuildScrape(long connectionId, int transactionId, IReadOnlyList<InfoHash> infoHashes)
    {
        ArgumentNullException.ThrowIfNull(infoHashes);
        if (infoHashes.Count is 0 or > MaxScrapeHashes)
        {
            throw new ArgumentOutOfRangeException(nameof(infoHashes), $"1 to {MaxScrapeHashes} info hashes per scrape");
        }
        var p = new byte[16 + (InfoHash.Length * infoHashes.Count)];
        BinaryPrimitives.WriteInt64BigEndian(p, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(8), (int)UdpTrackerAction.Scrape);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(12), transactionId);
        for (int i = 0; i < infoHashes.Count; i++)
        {
            infoHashes[i].Span.CopyTo(p.AsSpan(16 + (i * InfoHash.Length)));
        }
        return p;
    }

    /// <summary>BEP 41 options carrying the URL's path and query; empty when there is nothing to send.</summary>
    public static byte[] BuildUrlDataOptions(string? urlData)
    {
        if (string.IsNullOrEmpty(urlData))
        {
            return [];
        }
        byte[] data = Encoding.UTF8.GetBytes(urlData);
        var options = new List<byte>(data.Length + 4);
        for (int offset = 0; offset < data.Length; offset += 255)
        {
            int n = Math.Min(255, data.Length - offset);
            options.Add(OptionUrlData);
            options.Add((byte)n);
            options.AddRange(data.AsSpan(offset, n));
        }
        options.Add(OptionEnd);
        return [.. options];
    }

    /// <summary>
    /// Parses a datagram received after sending <paramref name="sent"/> with <paramref name="transactionId"/>.
    /// Short packets, unknown actions and a wrong transaction id give <see cref="UdpTrackerReplyKind.Invalid"/>
    /// (the caller ignores them and keeps waiting); an error packet gives its message.
    /// </summary>
    /// <param name="packet">The datagram.</param>
    /// <param name="sent">The action of the request this should answer.</param>
    /// <param name="transactionId">The request's transaction id.</param>
    /// <param name="ipv6Peers">True when the tracker was reached over IPv6: BEP 15 peers are then 18 bytes each.</param>
    /// <param name="scrapeHashes">The hashes of a scrape request, in order (the response carries no hashes).</param>
    /// <param name="maxPeers">Peers kept at most.</param>
    public static UdpTrackerReply Parse(ReadOnlySpan<byte> packet, UdpTrackerAction sent, int transactionId,
        bool ipv6Peers = false, IReadOnlyList<InfoHash>? scrapeHashes = null, int maxPeers = AnnounceResponse.DefaultMaxPeers)
    {
        if (packet.Length < 8)
        {
            return UdpTrackerReply.Invalid($"short packet ({packet.Length} bytes)");
        }
        var action = (UdpTrackerAction)BinaryPrimitives.ReadInt32BigEndian(packet);
        int tid = BinaryPrimitives.ReadInt32BigEndian(packet[4..]);
        if (tid != transactionId)
        {
            return UdpTrackerReply.Invalid("transaction id does not match");
        }
        if (action == UdpTrackerAction.Error)
        {
            // The message is text without a terminator; some trackers pad it with NULs.
            string message = Encoding.UTF8.GetString(packet[8..]).TrimEnd('\0');
            return new UdpTrackerReply(UdpTrackerReplyKind.Error) { ErrorMessage = message };
        }
        if (action != sent)
        {
            return UdpTrackerReply.Invalid($"action {(int)action} does not answer {sent}");
        }
        switch (action)
        {
            case UdpTrackerAction.Connect:
                return packet.Length < ConnectLength
                    ? UdpTrackerReply.Invalid($"short connect response ({packet.Length} bytes)")
                    : new UdpTrackerReply(UdpTrackerReplyKind.Connected) { ConnectionId = BinaryPrimitives.ReadInt64BigEndian(packet[8..]) };
            case UdpTrackerAction.Announce:
                return ParseAnnounce(packet, ipv6Peers, maxPeers);
            case UdpTrackerAction.Scrape:
                return ParseScrape(packet, scrapeHashes ?? []);
            default:
                return UdpTrackerReply.Invalid($"unknown action {(int)action}");
        }
    }

    private static UdpTrackerReply ParseAnnounce(ReadOnlySpan<byte> packet, bool ipv6Peers, int maxPeers)
    {
        if (packet.Length < AnnounceResponseHeaderLength)
        {
            return UdpTrackerReply.Invalid($"short announce response ({packet.Length} bytes)");
        }
        int interval = BinaryPrimitives.ReadInt32BigEndian(packet[8..]);
        int leechers = BinaryPrimitives.ReadInt32BigEndian(packet[12..]);
        int seeders = BinaryPrimitives.ReadInt32BigEndian(packet[16..]);
        var peers = new List<IPEndPoint>();
        int entry = ipv6Peers ? CompactPeers.IPv6EntryLength : CompactPeers.IPv4EntryLength;
        int skipped = CompactPeers.Parse(packet[AnnounceResponseHeaderLength..], entry, peers, maxPeers);
        return new UdpTrackerReply(UdpTrackerReplyKind.Announced)
        {
            Announce = new AnnounceResponse
            {
                Interval = interval,
                Seeders = seeders,
                Leechers = leechers,
                Peers = peers,
                PeersSkipped = skipped,
            },
        };
    }

    private static UdpTrackerReply ParseScrape(ReadOnlySpan<byte> packet, IReadOnlyList<InfoHash> hashes)
    {
        var body = packet[8..];
        if (body.Length < 12 * hashes.Count)
        {
            return UdpTrackerReply.Invalid($"short scrape response ({packet.Length} bytes for {hashes.Count} torrents)");
        }
        var stats = new List<ScrapeStats>(hashes.Count);
        for (int i = 0; i < hashes.Count; i++)
        {
            var e = body.Slice(i * 12, 12);
            stats.Add(new ScrapeStats(hashes[i], BinaryPrimitives.ReadInt32BigEndian(e),
                BinaryPrimitives.ReadInt32BigEndian(e[4..]), BinaryPrimitives.ReadInt32BigEndian(e[8..])));
        }
        return new UdpTrackerReply(UdpTrackerReplyKind.Scraped) { Scrape = new ScrapeResponse { Files = stats } };
    }
}

/// <summary>What a received UDP tracker datagram turned out to be.</summary>
public enum UdpTrackerReplyKind
{
    /// <summary>Not an answer to our request (short, wrong transaction id, wrong action): ignore it.</summary>
    Invalid,
    Connected,
    Announced,
    Scraped,
    /// <summary>The tracker refused the request; see <see cref="UdpTrackerReply.ErrorMessage"/>.</summary>
    Error,
}

/// <summary>A parsed UDP tracker datagram.</summary>
public sealed record UdpTrackerReply(UdpTrackerReplyKind Kind)
{
    public long ConnectionId { get; init; }

    public AnnounceResponse? Announce { get; init; }

    public ScrapeResponse? Scrape { get; init; }

    /// <summary>The tracker's error text (action 3), verbatim.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>Why the datagram was not accepted.</summary>
    public string? InvalidReason { get; init; }

    public static UdpTrackerReply Invalid(string reason) => new(UdpTrackerReplyKind.Invalid) { InvalidReason = reason };
}

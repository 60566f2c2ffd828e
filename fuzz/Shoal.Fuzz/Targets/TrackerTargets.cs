using System.Buffers.Binary;
using Shoal.Protocol;
using Shoal.Protocol.Trackers;

namespace Shoal.Fuzz.Targets;

/// <summary>
/// Tracker responses. HTTP: byte 0 picks announce or scrape and the peer cap, the rest is the body. UDP: byte 0 picks
/// the action we sent, IPv6 peers, whether the transaction id matches and how many hashes we scraped; the rest is the
/// datagram. Nothing may throw, a false/Invalid verdict always has a reason, caps hold, allocation stays bounded.
/// </summary>
internal static class TrackerTargets
{
    public static void Http(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        byte control = data[0];
        var body = data[1..].ToArray();
        int maxPeers = (control & 0x0e) == 0 ? AnnounceResponse.DefaultMaxPeers : (control & 0x0e) >> 1;
        if ((control & 1) == 0)
        {
            var (ok, response, error) = Oracle.WithinBudget(body.Length, 256,
                () => (HttpTrackerResponse.TryParseAnnounce(body, out var r, out var e, maxPeers), r, e), "TryParseAnnounce");
            Oracle.Check(ok ? response is not null : !string.IsNullOrWhiteSpace(error), "announce verdict without response or reason");
            if (ok)
            {
                CheckAnnounce(response!, maxPeers);
            }
        }
        else
        {
            var (ok, response, error) = Oracle.WithinBudget(body.Length, 256,
                () => (HttpTrackerResponse.TryParseScrape(body, out var r, out var e), r, e), "TryParseScrape");
            Oracle.Check(ok ? response is not null : !string.IsNullOrWhiteSpace(error), "scrape verdict without response or reason");
            if (ok)
            {
                Oracle.Check(response!.Files.Count <= body.Length / 20, $"{response.Files.Count} scrape entries from {body.Length} bytes");
            }
        }
        _ = HttpTrackerResponse.Preview(body);
    }

    public static void Udp(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        byte control = data[0];
        var packet = data[1..];
        var sent = (UdpTrackerAction)(control % 3);
        bool ipv6 = (control & 0x04) != 0;
        int transactionId = (control & 0x08) != 0 && packet.Length >= 8 ? BinaryPrimitives.ReadInt32BigEndian(packet[4..]) : 0x1234;
        var hashes = Enumerable.Range(0, control >> 4).Select(i => new InfoHash(Enumerable.Repeat((byte)i, 20).ToArray())).ToList();
        int maxPeers = 1 + (control >> 4);
        var copy = packet.ToArray();
        var reply = Oracle.WithinBudget(packet.Length, 256,
            () => UdpTrackerPackets.Parse(copy, sent, transactionId, ipv6, hashes, maxPeers), "UdpTrackerPackets.Parse");
        Oracle.Check(Enum.IsDefined(reply.Kind), $"undefined reply kind {reply.Kind}");
        switch (reply.Kind)
        {
            case UdpTrackerReplyKind.Invalid:
                Oracle.Check(!string.IsNullOrWhiteSpace(reply.InvalidReason), "invalid reply without a reason");
                break;
            case UdpTrackerReplyKind.Connected:
                Oracle.Check(sent == UdpTrackerAction.Connect, $"connect reply to {sent}");
                break;
            case UdpTrackerReplyKind.Announced:
                Oracle.Check(sent == UdpTrackerAction.Announce && reply.Announce is not null, $"announce reply to {sent}");
                CheckAnnounce(reply.Announce!, maxPeers);
                Oracle.Check(reply.Announce!.Peers.All(p => ipv6 == (p.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)),
                    "peer address family does not match the tracker's");
                break;
            case UdpTrackerReplyKind.Scraped:
                Oracle.Check(sent == UdpTrackerAction.Scrape && reply.Scrape!.Files.Count == hashes.Count, "scrape reply shape");
                break;
            case UdpTrackerReplyKind.Error:
                Oracle.Check(reply.ErrorMessage is not null, "error reply without text");
                break;
        }
    }

    private static void CheckAnnounce(AnnounceResponse response, int maxPeers)
    {
        Oracle.Check(response.Peers.Count <= maxPeers, $"{response.Peers.Count} peers kept, cap {maxPeers}");
        Oracle.Check(response.PeersSkipped >= 0, "negative skipped count");
        Oracle.Check(response.Peers.All(p => p.Port is > 0 and <= 65535), "peer with port 0 kept");
    }
}

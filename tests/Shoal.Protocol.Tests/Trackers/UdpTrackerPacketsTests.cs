using System.Buffers.Binary;
using System.Net;
using System.Text;
using Shoal.Protocol.Trackers;

namespace Shoal.Protocol.Tests.Trackers;

public sealed class UdpTrackerPacketsTests
{
    private static readonly InfoHash Hash = InfoHash.FromHex("0123456789abcdef0123456789abcdef01234567");
    private static readonly PeerId Peer = new(Encoding.ASCII.GetBytes("-SH0001-abcdefghijkl"));

    private static byte[] Header(UdpTrackerAction action, int tid, int extra)
    {
        var p = new byte[8 + extra];
        BinaryPrimitives.WriteInt32BigEndian(p, (int)action);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(4), tid);
        return p;
    }

    [Fact]
    public void Connect_request_has_magic_action_and_transaction()
    {
        byte[] p = UdpTrackerPackets.BuildConnect(0x01020304);
        Assert.Equal(Convert.FromHexString("0000041727101980" + "00000000" + "01020304"), p);
    }

    [Fact]
    public void Connect_response_gives_connection_id()
    {
        byte[] p = Header(UdpTrackerAction.Connect, 7, 8);
        BinaryPrimitives.WriteInt64BigEndian(p.AsSpan(8), 0x1122334455667788);
        var r = UdpTrackerPackets.Parse(p, UdpTrackerAction.Connect, 7);
        Assert.Equal(UdpTrackerReplyKind.Connected, r.Kind);
        Assert.Equal(0x1122334455667788, r.ConnectionId);
    }

    [Fact]
    public void Wrong_transaction_id_is_invalid()
    {
        byte[] p = Header(UdpTrackerAction.Connect, 8, 8);
        var r = UdpTrackerPackets.Parse(p, UdpTrackerAction.Connect, 7);
        Assert.Equal(UdpTrackerReplyKind.Invalid, r.Kind);
        Assert.Contains("transaction", r.InvalidReason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(15)]
    public void Short_connect_responses_are_invalid(int length)
    {
        byte[] p = Header(UdpTrackerAction.Connect, 7, 8)[..length];
        Assert.Equal(UdpTrackerReplyKind.Invalid, UdpTrackerPackets.Parse(p, UdpTrackerAction.Connect, 7).Kind);
    }

    [Fact]
    public void Short_announce_response_is_invalid() =>
        Assert.Equal(UdpTrackerReplyKind.Invalid,
            UdpTrackerPackets.Parse(Header(UdpTrackerAction.Announce, 7, 11), UdpTrackerAction.Announce, 7).Kind);

    [Fact]
    public void Reply_to_another_action_is_invalid() =>
        Assert.Equal(UdpTrackerReplyKind.Invalid,
            UdpTrackerPackets.Parse(Header(UdpTrackerAction.Connect, 7, 8), UdpTrackerAction.Announce, 7).Kind);

    [Fact]
    public void Announce_request_layout_matches_bep15()
    {
        var req = new AnnounceRequest(Hash, Peer, 6881, Uploaded: 3, Downloaded: 1, Left: 2, TrackerEvent.Started, null, 0xCAFEBABE);
        byte[] p = UdpTrackerPackets.BuildAnnounce(0x0102030405060708, 99, req);
        Assert.Equal(98, p.Length);
        Assert.Equal(0x0102030405060708, BinaryPrimitives.ReadInt64BigEndian(p));
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(p.AsSpan(8)));
        Assert.Equal(99, BinaryPrimitives.ReadInt32BigEndian(p.AsSpan(12)));
        Assert.Equal(Hash.Span.ToArray(), p[16..36]);
        Assert.Equal(Peer.Span.ToArray(), p[36..56]);
        Assert.Equal(1, BinaryPrimitives.ReadInt64BigEndian(p.AsSpan(56)));
        Assert.Equal(2, BinaryPrimitives.ReadInt64BigEndian(p.AsSpan(64)));
        Assert.Equal(3, BinaryPrimitives.ReadInt64BigEndian(p.AsSpan(72)));
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(p.AsSpan(80)));
        Assert.Equal(0u, BinaryPrimitives.ReadUInt32BigEndian(p.AsSpan(84)));
        Assert.Equal(0xCAFEBABE, BinaryPrimitives.ReadUInt32BigEndian(p.AsSpan(88)));
        Assert.Equal(-1, BinaryPrimitives.ReadInt32BigEndian(p.AsSpan(92)));
        Assert.Equal(6881, BinaryPrimitives.ReadUInt16BigEndian(p.AsSpan(96)));
    }

    [Fact]
    public void Url_data_option_carries_path_and_query_in_255_byte_chunks()
    {
        string path = "/announce?passkey=" + new string('k', 300);
        byte[] o = UdpTrackerPackets.BuildUrlDataOptions(path);
        Assert.Equal(2, o[0]);
        Assert.Equal(255, o[1]);
        Assert.Equal(2, o[257]);
        Assert.Equal(path.Length - 255, o[258]);
        Assert.Equal(0, o[^1]);
        Assert.Equal(path, Encoding.ASCII.GetString([.. o[2..257], .. o[259..^1]]));
        Assert.Empty(UdpTrackerPackets.BuildUrlDataOptions(null));
    }

    [Fact]
    public void Announce_response_peers_are_6_bytes_over_ipv4_and_18_over_ipv6()
    {
        byte[] v4 = CompactPeers.Encode([IPEndPoint.Parse("1.2.3.4:5"), IPEndPoint.Parse("6.7.8.9:10")]);
        byte[] p = Header(UdpTrackerAction.Announce, 1, 12 + v4.Length);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(8), 900);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(12), 4);
        BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(16), 5);
        v4.CopyTo(p, 20);
        var r = UdpTrackerPackets.Parse(p, UdpTrackerAction.Announce, 1);
        Assert.Equal(UdpTrackerReplyKind.Announced, r.Kind);
        Assert.Equal(900, r.Announce!.Interval);
        Assert.Equal(4, r.Announce.Leechers);
        Assert.Equal(5, r.Announce.Seeders);
        Assert.Equal([IPEndPoint.Parse("1.2.3.4:5"), IPEndPoint.Parse("6.7.8.9:10")], r.Announce.Peers);

        byte[] v6 = CompactPeers.Encode([IPEndPoint.Parse("[2001:db8::7]:6881")]);
        byte[] p6 = Header(UdpTrackerAction.Announce, 1, 12 + v6.Length);
        v6.CopyTo(p6, 20);
        var r6 = UdpTrackerPackets.Parse(p6, UdpTrackerAction.Announce, 1, ipv6Peers: true);
        Assert.Equal([IPEndPoint.Parse("[2001:db8::7]:6881")], r6.Announce!.Peers);
    }

    [Fact]
    public void Error_packet_gives_the_message()
    {
        byte[] msg = Encoding.UTF8.GetBytes("Requested download is not authorized for use with this tracker.\0");
        byte[] p = Header(UdpTrackerAction.Error, 3, msg.Length);
        msg.CopyTo(p, 8);
        var r = UdpTrackerPackets.Parse(p, UdpTrackerAction.Announce, 3);
        Assert.Equal(UdpTrackerReplyKind.Error, r.Kind);
        Assert.Equal("Requested download is not authorized for use with this tracker.", r.ErrorMessage);
    }

    [Fact]
    public void Scrape_round_trip()
    {
        var other = InfoHash.FromHex("ffffffffffffffffffffffffffffffffffffffff");
        byte[] req = UdpTrackerPackets.BuildScrape(42, 5, [Hash, other]);
        Assert.Equal(16 + 40, req.Length);
        Assert.Equal(2, BinaryPrimitives.ReadInt32BigEndian(req.AsSpan(8)));
        Assert.Equal(other.Span.ToArray(), req[36..56]);

        byte[] p = Header(UdpTrackerAction.Scrape, 5, 24);
        int[] values = [1, 2, 3, 4, 5, 6];
        for (int i = 0; i < 6; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(8 + (i * 4)), values[i]);
        }
        var r = UdpTrackerPackets.Parse(p, UdpTrackerAction.Scrape, 5, scrapeHashes: [Hash, other]);
        Assert.Equal([new ScrapeStats(Hash, 1, 2, 3), new ScrapeStats(other, 4, 5, 6)], r.Scrape!.Files);
        Assert.Equal(UdpTrackerReplyKind.Invalid,
            UdpTrackerPackets.Parse(p[..^1], UdpTrackerAction.Scrape, 5, scrapeHashes: [Hash, other]).Kind);
    }

    [Fact]
    public void Random_datagrams_never_throw()
    {
        var rng = new Random(1234);
        for (int i = 0; i < 5000; i++)
        {
            byte[] p = new byte[rng.Next(0, 80)];
            rng.NextBytes(p);
            if (p.Length >= 8 && rng.Next(2) == 0)
            {
                BinaryPrimitives.WriteInt32BigEndian(p.AsSpan(4), 77);
                BinaryPrimitives.WriteInt32BigEndian(p, rng.Next(0, 5));
            }
            foreach (UdpTrackerAction a in Enum.GetValues<UdpTrackerAction>())
            {
                _ = UdpTrackerPackets.Parse(p, a, 77, rng.Next(2) == 0, [Hash]);
            }
        }
    }
}

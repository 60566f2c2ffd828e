using System.Net;
using System.Net.Sockets;
using Shoal.Engine.Dht;
using Shoal.Protocol;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Tests.Dht;

/// <summary>One node on loopback, driven by a raw UDP socket speaking KRPC by hand.</summary>
public sealed class DhtNodeTests : IAsyncLifetime
{
    private DhtNode _node = null!;
    private readonly UdpClient _raw = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly NodeId _rawId = NodeId.CreateRandom();
    private readonly CancellationToken _ct = DhtTestNodes.Deadline(30);
    private int _tid;
    private int _lastReplySize;

    public async Task InitializeAsync() => _node = await DhtTestNodes.StartAsync();

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _node.DisposeAsync();
    }

    private byte[] NextTid() => [(byte)'x', (byte)Interlocked.Increment(ref _tid)];

    /// <summary>Sends a message and returns the reply with the same transaction id, or null after a timeout.</summary>
    private async Task<KrpcMessage?> AskAsync(KrpcMessage message, TimeSpan? timeout = null)
    {
        await _raw.SendAsync(KrpcCodec.Encode(message), _node.LocalEndPoint, _ct);
        return await ReceiveAsync(message.TransactionId, timeout ?? TimeSpan.FromSeconds(3));
    }

    private async Task<KrpcMessage?> ReceiveAsync(byte[] tid, TimeSpan timeout)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        cts.CancelAfter(timeout);
        try
        {
            while (true)
            {
                var r = await _raw.ReceiveAsync(cts.Token);
                if (KrpcCodec.TryDecode(r.Buffer, out var m, out _) && m!.TransactionId.AsSpan().SequenceEqual(tid))
                {
                    _lastReplySize = r.Buffer.Length;
                    return m;
                }
                if (m is KrpcQuery q)
                {
                    // The node verifies new queriers with a ping: answer it like a real node would.
                    await _raw.SendAsync(KrpcCodec.Encode(new KrpcResponse(q.TransactionId, _rawId)), r.RemoteEndPoint, _ct);
                }
            }
        }
        catch (OperationCanceledException) when (!_ct.IsCancellationRequested)
        {
            return null;
        }
    }

    [Fact]
    public async Task Answers_ping_with_its_id_and_our_address()
    {
        var r = Assert.IsType<KrpcResponse>(await AskAsync(KrpcQuery.Ping(NextTid(), _rawId)));
        Assert.Equal(_node.Id, r.Id);
        Assert.Equal((IPEndPoint)_raw.Client.LocalEndPoint!, r.ExternalAddress);
        Assert.Equal((byte)'S', r.Version![0]);
    }

    [Fact]
    public async Task Unknown_method_gets_error_204()
    {
        var e = Assert.IsType<KrpcError>(await AskAsync(new KrpcQuery(NextTid(), KrpcMethod.Unknown, _rawId) { MethodName = "frobnicate" }));
        Assert.Equal(KrpcErrorCode.MethodUnknown, e.Code);
    }

    [Fact]
    public async Task Announce_with_a_bad_token_gets_error_203_and_stores_nothing()
    {
        var infoHash = NodeId.CreateRandom();
        var e = Assert.IsType<KrpcError>(await AskAsync(KrpcQuery.AnnouncePeer(NextTid(), _rawId, infoHash, 6881, [1, 2, 3, 4, 5, 6, 7, 8])));
        Assert.Equal(KrpcErrorCode.Protocol, e.Code);
        Assert.Equal(0, _node.Snapshot().StoredPeers);
    }

    [Fact]
    public async Task Announce_with_the_token_from_get_peers_is_stored_and_returned()
    {
        var infoHash = NodeId.CreateRandom();
        var first = Assert.IsType<KrpcResponse>(await AskAsync(KrpcQuery.GetPeers(NextTid(), _rawId, infoHash)));
        Assert.NotNull(first.Token);
        Assert.Empty(first.Values);
        Assert.IsType<KrpcResponse>(await AskAsync(KrpcQuery.AnnouncePeer(NextTid(), _rawId, infoHash, 6881, first.Token!)));
        Assert.IsType<KrpcResponse>(await AskAsync(KrpcQuery.AnnouncePeer(NextTid(), _rawId, infoHash, 0, first.Token!, impliedPort: true)));
        var second = Assert.IsType<KrpcResponse>(await AskAsync(KrpcQuery.GetPeers(NextTid(), _rawId, infoHash)));
        var rawPort = ((IPEndPoint)_raw.Client.LocalEndPoint!).Port;
        Assert.Equal(
            new[] { new IPEndPoint(IPAddress.Loopback, 6881), new IPEndPoint(IPAddress.Loopback, rawPort) }.OrderBy(e => e.Port),
            second.Values.OrderBy(e => e.Port));
        Assert.Equal(2, _node.Snapshot().StoredPeers);
    }

    [Fact]
    public async Task Token_for_one_address_is_refused_from_another()
    {
        var infoHash = NodeId.CreateRandom();
        var r = Assert.IsType<KrpcResponse>(await AskAsync(KrpcQuery.GetPeers(NextTid(), _rawId, infoHash)));
        using var v6 = new UdpClient(AddressFamily.InterNetwork);
        // Same token from 127.0.0.2 (another loopback address): the token is bound to 127.0.0.1.
        v6.Client.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        var announce = KrpcQuery.AnnouncePeer([(byte)'z', 1], _rawId, infoHash, 6881, r.Token!);
        await v6.SendAsync(KrpcCodec.Encode(announce), _node.LocalEndPoint, _ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(_ct);
        cts.CancelAfter(TimeSpan.FromSeconds(3));
        var reply = await v6.ReceiveAsync(cts.Token);
        Assert.True(KrpcCodec.TryDecode(reply.Buffer, out var m, out _));
        Assert.Equal(KrpcErrorCode.Protocol, Assert.IsType<KrpcError>(m).Code);
    }

    [Fact]
    public async Task Malformed_and_oversized_datagrams_are_ignored_and_the_node_still_answers()
    {
        var junk = new List<byte[]>
        {
            Array.Empty<byte>(),
            "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:q"u8.ToArray(), // truncated
            "d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe"u8.ToArray(), // short id
            "i42e"u8.ToArray(),
            new byte[3000], // larger than any KRPC message
            System.Text.Encoding.ASCII.GetBytes("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe").Concat(new byte[2100]).ToArray(),
        };
        var random = new Random(42);
        for (int i = 0; i < 50; i++)
        {
            var b = new byte[random.Next(1, 1500)];
            random.NextBytes(b);
            junk.Add(b);
        }
        foreach (var j in junk)
        {
            await _raw.SendAsync(j, _node.LocalEndPoint, _ct);
        }
        var pong = await AskAsync(KrpcQuery.Ping(NextTid(), _rawId));
        Assert.IsType<KrpcResponse>(pong);
        var c = _node.Snapshot().Counters;
        Assert.Equal(2, c.Oversized);
        Assert.True(c.Malformed >= 4, $"malformed {c.Malformed}");
    }

    [Fact]
    public async Task Get_peers_reply_stays_small_with_many_stored_peers()
    {
        var infoHash = NodeId.CreateRandom();
        var token = Assert.IsType<KrpcResponse>(await AskAsync(KrpcQuery.GetPeers(NextTid(), _rawId, infoHash))).Token!;
        for (int port = 1000; port < 1300; port++)
        {
            Assert.IsType<KrpcResponse>(await AskAsync(KrpcQuery.AnnouncePeer(NextTid(), _rawId, infoHash, port, token)));
        }
        Assert.Equal(100, _node.Snapshot().StoredPeers); // bounded per info hash
        var reply = Assert.IsType<KrpcResponse>(await AskAsync(KrpcQuery.GetPeers(NextTid(), _rawId, infoHash)));
        Assert.Equal(100, reply.Values.Count);
        Assert.InRange(_lastReplySize, 800, 1500);
    }

    [Fact]
    public async Task Lookup_in_an_empty_network_ends_with_nothing()
    {
        var r = await _node.LookupPeersAsync(InfoHash.Compute("nothing"u8), _ct);
        Assert.Empty(r.Peers);
        Assert.Null(r.FirstPeerRound);
        Assert.Equal(0, r.QueriesSent);
    }

    [Fact]
    public async Task Add_node_pings_and_inserts_a_responsive_contact()
    {
        await using var other = await DhtTestNodes.StartAsync();
        _node.AddNode(other.LocalEndPoint);
        for (int i = 0; i < 100 && _node.Snapshot().Nodes == 0; i++)
        {
            await Task.Delay(20, _ct);
        }
        Assert.Contains(_node.KnownNodes(), n => n.Id == other.Id);
        Assert.Equal(1, _node.Snapshot().Good);
    }

    [Fact]
    public async Task Unanswered_queries_time_out_and_count()
    {
        using var silent = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        Assert.False(await _node.PingAsync((IPEndPoint)silent.Client.LocalEndPoint!, _ct));
        Assert.Equal(1, _node.Snapshot().Counters.QueriesTimedOut);
    }
}

public class DhtRateLimitTests
{
    [Fact]
    public async Task Queries_beyond_the_per_ip_allowance_get_no_reply()
    {
        var ct = DhtTestNodes.Deadline(30);
        var options = DhtTestNodes.Options() with { QueriesPerSecondPerIp = 0.001, QueryBurstPerIp = 5 };
        await using var node = await DhtTestNodes.StartAsync(options);
        using var raw = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var id = NodeId.CreateRandom();
        for (int i = 0; i < 20; i++)
        {
            await raw.SendAsync(KrpcCodec.Encode(KrpcQuery.Ping([(byte)'r', (byte)i], id)), node.LocalEndPoint, ct);
        }
        int replies = 0;
        using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
        quiet.CancelAfter(TimeSpan.FromSeconds(1));
        try
        {
            while (true)
            {
                var r = await raw.ReceiveAsync(quiet.Token);
                if (KrpcCodec.TryDecode(r.Buffer, out var m, out _) && m is KrpcResponse)
                {
                    replies++;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // no more replies
        }
        Assert.Equal(5, replies);
        Assert.Equal(15, node.Snapshot().Counters.RateLimited);
    }
}

using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Shoal.Engine.Session;
using Shoal.Engine.Tests.Peers;
using Shoal.Protocol;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Tests.Session;

/// <summary>
/// BEP 6 on the download side, against a scripted seed on a raw socket: allowed-fast pieces are fetched while
/// choked, and a rejected request goes back to the picker.
/// </summary>
public sealed class FastExtensionSessionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const int Block = 16384;

    [Fact]
    public async Task Allowed_fast_pieces_are_requested_and_downloaded_while_the_seed_keeps_us_choked()
    {
        var data = TestTorrents.RandomData(16 * Block, 21);
        var meta = TestTorrents.Create(data, Block, "allowed.bin");
        int[] allowed = [3, 7, 12];
        using var dir = new TempFolder();
        using var listener = Listen();
        await using var engine = new ShoalEngine(new EngineOptions { ListenAddress = IPAddress.Loopback });
        var handle = await engine.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dir.Path, Peers = [Endpoint(listener)] });

        await using var seed = await AcceptFastPeerAsync(listener, meta.InfoHash);
        await seed.SendMessageAsync((byte)MessageId.HaveAll);
        foreach (int piece in allowed)
        {
            await seed.SendMessageAsync((byte)MessageId.AllowedFast, piece);
        }
        // Never unchoke: serve exactly the requests BEP 6 lets a choked peer make, and note any other.
        var requested = new ConcurrentBag<int>();
        using var cts = new CancellationTokenSource(Timeout);
        var serving = ServeAsync(seed, data, requested, cts.Token);
        while (handle.Status.PiecesHave < allowed.Length && !cts.IsCancellationRequested)
        {
            await Task.Delay(50);
        }
        Assert.Equal(allowed.Length, handle.Status.PiecesHave);
        Assert.All(requested, piece => Assert.Contains(piece, allowed));
        Assert.Equal(allowed, requested.Distinct().Order());
        await cts.CancelAsync();
        await serving;
    }

    [Fact]
    public async Task A_rejected_request_goes_back_to_the_picker_and_is_asked_again()
    {
        // Time stands still: no tick and no request timeout can re-issue the block; only the reject can free it.
        var data = TestTorrents.RandomData(4 * Block, 22);
        var meta = TestTorrents.Create(data, Block, "reject.bin");
        using var dir = new TempFolder();
        using var listener = Listen();
        await using var engine = new ShoalEngine(new EngineOptions { ListenAddress = IPAddress.Loopback, TimeProvider = new FrozenTime() });
        var handle = await engine.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dir.Path, Peers = [Endpoint(listener)] });

        await using var seed = await AcceptFastPeerAsync(listener, meta.InfoHash);
        await seed.SendMessageAsync((byte)MessageId.HaveAll);
        await seed.SendMessageAsync((byte)MessageId.Unchoke);
        var first = new List<(int Piece, int Begin, int Length)>();
        while (first.Count < 4)
        {
            var m = await seed.ReadMessageAsync(Timeout);
            Assert.NotNull(m);
            if (m.Value.Id == (int)MessageId.Request)
            {
                first.Add(ReadRequest(m.Value.Body));
            }
        }
        var refused = first[0];
        // Reject one, then serve another: the block that arrives after the reject is when the engine tops up.
        await seed.SendMessageAsync((byte)MessageId.Reject, refused.Piece, refused.Begin, refused.Length);
        foreach (var r in first.Skip(1))
        {
            await seed.SendPieceAsync(r.Piece, r.Begin, data.AsSpan(r.Piece * Block + r.Begin, r.Length).ToArray());
        }
        (int Piece, int Begin, int Length)? again = null;
        while (again is null)
        {
            var m = await seed.ReadMessageAsync(Timeout);
            Assert.True(m is not null, "the engine closed the connection instead of asking again");
            if (m.Value.Id == (int)MessageId.Request)
            {
                again = ReadRequest(m.Value.Body);
            }
        }
        Assert.Equal(refused, again);
        await seed.SendPieceAsync(refused.Piece, refused.Begin, data.AsSpan(refused.Piece * Block + refused.Begin, refused.Length).ToArray());
        await handle.Completion.WaitAsync(Timeout);
        Assert.Equal(data, TestTorrents.ReadData(meta, dir.Path));
    }

    [Fact]
    public async Task A_choke_keeps_requests_for_allowed_fast_pieces_and_releases_the_rest()
    {
        // Four pieces of two blocks; piece 2 is allowed fast.
        var data = TestTorrents.RandomData(8 * Block, 23);
        var meta = TestTorrents.Create(data, 2 * Block, "choke.bin");
        const int Allowed = 2;
        using var dir = new TempFolder();
        using var listener = Listen();
        await using var engine = new ShoalEngine(new EngineOptions { ListenAddress = IPAddress.Loopback, TimeProvider = new FrozenTime() });
        var handle = await engine.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dir.Path, Peers = [Endpoint(listener)] });

        await using var seed = await AcceptFastPeerAsync(listener, meta.InfoHash);
        await seed.SendMessageAsync((byte)MessageId.HaveAll);
        await seed.SendMessageAsync((byte)MessageId.AllowedFast, Allowed);
        await seed.SendMessageAsync((byte)MessageId.Unchoke);
        var first = await ReadRequestsAsync(seed, 8);
        Assert.Equal(8, first.Distinct().Count());

        // Choke as BEP 6 says: reject what will not be served, keep serving the allowed-fast piece. Its first block
        // arrives while choked; its second request must still count as outstanding, not be asked again.
        await seed.SendMessageAsync((byte)MessageId.Choke);
        foreach (var r in first.Where(r => r.Piece != Allowed))
        {
            await seed.SendMessageAsync((byte)MessageId.Reject, r.Piece, r.Begin, r.Length);
        }
        await SendBlockAsync(seed, data, (Allowed, 0, Block));
        await seed.SendMessageAsync((byte)MessageId.Unchoke);

        // Everything rejected is asked again once unchoked, and nothing of the allowed-fast piece.
        var again = await ReadRequestsAsync(seed, 6);
        Assert.DoesNotContain(again, r => r.Piece == Allowed);
        Assert.Equal(first.Where(r => r.Piece != Allowed).Order(), again.Order());
        foreach (var r in again.Append((Allowed, Block, Block)))
        {
            await SendBlockAsync(seed, data, r);
        }
        await handle.Completion.WaitAsync(Timeout);
        Assert.Equal(data, TestTorrents.ReadData(meta, dir.Path));
    }

    private static Task SendBlockAsync(RawPeer peer, byte[] data, (int Piece, int Begin, int Length) r) =>
        peer.SendPieceAsync(r.Piece, r.Begin, data.AsSpan(r.Piece * 2 * Block + r.Begin, r.Length).ToArray());

    private static async Task<List<(int Piece, int Begin, int Length)>> ReadRequestsAsync(RawPeer peer, int count)
    {
        var requests = new List<(int Piece, int Begin, int Length)>();
        while (requests.Count < count)
        {
            var m = await peer.ReadMessageAsync(Timeout);
            Assert.True(m is not null, $"the engine closed the connection after {requests.Count} of {count} requests");
            if (m.Value.Id == (int)MessageId.Request)
            {
                requests.Add(ReadRequest(m.Value.Body));
            }
        }
        return requests;
    }

    private static TcpListener Listen()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return l;
    }

    private static IPEndPoint Endpoint(TcpListener l) => (IPEndPoint)l.LocalEndpoint;

    /// <summary>Accepts the engine's connection and answers its handshake with the fast bit (and nothing else).</summary>
    private static async Task<RawPeer> AcceptFastPeerAsync(TcpListener listener, InfoHash hash)
    {
        using var cts = new CancellationTokenSource(Timeout);
        var socket = await listener.AcceptSocketAsync(cts.Token);
        var peer = RawPeer.FromAccepted(socket);
        var theirs = await peer.ReadAsync(68, Timeout);
        Assert.NotNull(theirs);
        Assert.True(ReservedBits.Read(theirs.AsSpan(20, 8)).SupportsFast);
        byte[] hs = RawPeer.Handshake(hash, PeerId.CreateRandom());
        new ReservedBits(0).WithFast().Write(hs.AsSpan(20, 8));
        await peer.SendAsync(hs);
        return peer;
    }

    private static (int Piece, int Begin, int Length) ReadRequest(byte[] body) => (
        BinaryPrimitives.ReadInt32BigEndian(body),
        BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(4)),
        BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(8)));

    /// <summary>Answers every request with its block until cancelled or the engine hangs up.</summary>
    private static async Task ServeAsync(RawPeer peer, byte[] data, ConcurrentBag<int> requested, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            (int Id, byte[] Body)? m;
            try
            {
                m = await peer.ReadMessageAsync(Timeout).WaitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            if (m is null)
            {
                return;
            }
            if (m.Value.Id == (int)MessageId.Request)
            {
                var r = ReadRequest(m.Value.Body);
                requested.Add(r.Piece);
                await peer.SendPieceAsync(r.Piece, r.Begin, data.AsSpan(r.Piece * Block + r.Begin, r.Length).ToArray());
            }
        }
    }

    /// <summary>A clock that never moves and timers that never fire.</summary>
    private sealed class FrozenTime : TimeProvider
    {
        private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => Now;

        public override long GetTimestamp() => 1_000_000;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => new NeverTimer();

        private sealed class NeverTimer : ITimer
        {
            public bool Change(TimeSpan dueTime, TimeSpan period) => true;

            public void Dispose()
            {
            }

            public ValueTask DisposeAsync() => ValueTask.CompletedTask;
        }
    }
}

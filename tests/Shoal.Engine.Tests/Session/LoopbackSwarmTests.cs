using System.Net;
using Shoal.Engine.Peers;
using Shoal.Engine.Session;

namespace Shoal.Engine.Tests.Session;

/// <summary>Two real engines on 127.0.0.1: a seeder with data and a leecher that dials it.</summary>
public sealed class LoopbackSwarmTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static EngineOptions Loopback() => new() { ListenAddress = IPAddress.Loopback };

    [Theory]
    [InlineData(5 * 1024 * 1024 + 1234, 256 * 1024, new long[0])]
    [InlineData(3 * 1024 * 1024 + 77, 64 * 1024, new long[] { 1_000_000, 0, 2_000_000, 3 * 1024 * 1024 + 77 - 3_000_000 })]
    [InlineData(100, 32 * 1024, new long[0])]
    public async Task Leecher_downloads_everything_from_a_seeder(int size, int pieceLength, long[] files)
    {
        var data = TestTorrents.RandomData(size, size);
        var meta = TestTorrents.Create(data, pieceLength, "payload", files);
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);

        await using var pair = await LoopbackPair.StartAsync(meta, seedDir.Path, new TorrentOptions { DownloadDirectory = leechDir.Path });
        var leech = pair.Leech;

        await leech.Completion.WaitAsync(Timeout);

        Assert.Equal(data, TestTorrents.ReadData(meta, leechDir.Path));
        Assert.Equal(meta.PieceCount, leech.Status.PiecesHave);
        Assert.Equal(TorrentState.Completed, leech.Status.State);
    }

    [Fact]
    public async Task Complete_data_on_disk_completes_without_any_peer()
    {
        var data = TestTorrents.RandomData(1_000_000, 7);
        var meta = TestTorrents.Create(data, 64 * 1024, "done");
        using var dir = new TempFolder();
        TestTorrents.WriteData(meta, data, dir.Path);
        await using var engine = new ShoalEngine(Loopback());

        var t = await engine.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dir.Path });
        await t.Completion.WaitAsync(Timeout);

        Assert.True(t.Status.IsComplete);
        Assert.Equal(0, t.Status.Downloaded);
    }

    [Fact]
    public async Task Leecher_says_why_it_cannot_progress_when_the_peer_is_unreachable()
    {
        var data = TestTorrents.RandomData(100_000, 8);
        var meta = TestTorrents.Create(data, 32 * 1024, "lonely");
        using var dir = new TempFolder();
        // A port nobody listens on: bind one, note it, close it.
        int deadPort;
        using (var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            deadPort = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        await using var engine = new ShoalEngine(Loopback());
        var t = await engine.AddTorrentAsync(meta, new TorrentOptions
        {
            DownloadDirectory = dir.Path,
            Peers = [new IPEndPoint(IPAddress.Loopback, deadPort)],
        });
        var sawReason = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        t.StatusChanged += s =>
        {
            if (s.Stalled?.Contains("cannot connect", StringComparison.Ordinal) == true)
            {
                sawReason.TrySetResult(s.Stalled);
            }
        };
        string reason = await sawReason.Task.WaitAsync(Timeout);

        Assert.Contains($"127.0.0.1:{deadPort}", reason, StringComparison.Ordinal);
        Assert.True(t.Status.Disconnects.GetValueOrDefault(nameof(DisconnectReason.ConnectFailed)) >= 1);
    }

    [Fact]
    public async Task Leecher_over_IPv6_loopback_reaches_a_dual_mode_listener()
    {
        Assert.True(System.Net.Sockets.Socket.OSSupportsIPv6, "this test needs IPv6 on loopback (::1)");
        var data = TestTorrents.RandomData(300_000, 9);
        var meta = TestTorrents.Create(data, 32 * 1024, "six");
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        await using var seeder = new ShoalEngine(); // default: IPv6Any, dual mode
        await using var leecher = new ShoalEngine(Loopback());
        await seeder.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = seedDir.Path, SeedOnly = true });

        var leech = await leecher.AddTorrentAsync(meta, new TorrentOptions
        {
            DownloadDirectory = leechDir.Path,
            Peers = [new IPEndPoint(IPAddress.IPv6Loopback, seeder.ListenPort)],
        });
        await leech.Completion.WaitAsync(Timeout);

        Assert.Equal(data, TestTorrents.ReadData(meta, leechDir.Path));
    }

    [Fact]
    public async Task Leecher_with_half_the_data_fetches_only_the_missing_pieces()
    {
        var data = TestTorrents.RandomData(1_048_576, 10);
        var meta = TestTorrents.Create(data, 65536, "half");
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        var partial = (byte[])data.Clone();
        Array.Clear(partial, partial.Length / 2, partial.Length / 2);
        TestTorrents.WriteData(meta, partial, leechDir.Path);
        await using var pair = await LoopbackPair.StartAsync(meta, seedDir.Path, new TorrentOptions { DownloadDirectory = leechDir.Path });
        var leech = pair.Leech;
        await leech.Completion.WaitAsync(Timeout);

        Assert.Equal(data, TestTorrents.ReadData(meta, leechDir.Path));
        Assert.True(leech.Status.Downloaded <= data.Length / 2 + 65536, $"downloaded {leech.Status.Downloaded} bytes");
    }
}

/// <summary>Leechers that dial each other as well as the seeder.</summary>
public sealed class MeshSwarmTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Three_engines_that_all_dial_each_other_all_complete()
    {
        var data = TestTorrents.RandomData(2_000_000, 12);
        var meta = TestTorrents.Create(data, 32 * 1024, "mesh");
        using var seedDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        var loopback = new EngineOptions { ListenAddress = IPAddress.Loopback };
        await using var seeder = new ShoalEngine(loopback);
        await using var a = new ShoalEngine(loopback);
        await using var b = new ShoalEngine(loopback);
        await seeder.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = seedDir.Path, SeedOnly = true });
        await a.StartAsync();
        await b.StartAsync();
        using var dirA = new TempFolder();
        using var dirB = new TempFolder();
        IPEndPoint At(ShoalEngine e) => new(IPAddress.Loopback, e.ListenPort);

        var ta = await a.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dirA.Path, Peers = [At(seeder), At(b)], SeedWhenComplete = true });
        var tb = await b.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dirB.Path, Peers = [At(seeder), At(a)], SeedWhenComplete = true });
        await Task.WhenAll(ta.Completion, tb.Completion).WaitAsync(Timeout);

        Assert.Equal(data, TestTorrents.ReadData(meta, dirA.Path));
        Assert.Equal(data, TestTorrents.ReadData(meta, dirB.Path));
    }
}

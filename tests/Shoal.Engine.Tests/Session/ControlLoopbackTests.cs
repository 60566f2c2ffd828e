using System.Diagnostics;
using System.Net;
using Shoal.Engine.Session;
using Xunit.Abstractions;

namespace Shoal.Engine.Tests.Session;

/// <summary>Pause/resume, file selection, re-check, remove and status detail between two real engines on 127.0.0.1.</summary>
public sealed class ControlLoopbackTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private const int MiB = 1024 * 1024;

    private static EngineOptions Loopback() => new() { ListenAddress = IPAddress.Loopback };

    /// <summary>Completes when the handle's status satisfies <paramref name="condition"/> (checked now and on every change).</summary>
    internal static async Task<TorrentStatus> WaitFor(TorrentHandle t, Func<TorrentStatus, bool> condition, string what)
    {
        var tcs = new TaskCompletionSource<TorrentStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check(TorrentStatus s)
        {
            if (condition(s))
            {
                tcs.TrySetResult(s);
            }
        }
        t.StatusChanged += Check;
        try
        {
            Check(t.Status);
            try
            {
                return await tcs.Task.WaitAsync(Timeout);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"timed out waiting for: {what}; last status: {t.Status}");
            }
        }
        finally
        {
            t.StatusChanged -= Check;
        }
    }

    [Fact]
    public async Task Paused_torrent_drops_its_peers_keeps_its_pieces_and_finishes_after_resume()
    {
        var data = TestTorrents.RandomData(6 * MiB, 11);
        var meta = TestTorrents.Create(data, 64 * 1024, "pausable");
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        // A slow seeder (2 MiB/s) so the pause lands mid-download.
        await using var pair = await LoopbackPair.StartAsync(meta, seedDir.Path, new TorrentOptions { DownloadDirectory = leechDir.Path },
            seederMaxUpload: 2 * MiB);
        var (seeder, seed, leech) = (pair.Seeder, pair.Seed, pair.Leech);

        var moving = await WaitFor(leech, s => s.PiecesHave >= 5 && s.Peers.Count == 1, "some pieces from the seeder");
        var peer = moving.Peers[0];
        Assert.Equal(seeder.ListenPort, peer.EndPoint.Port);
        Assert.Equal("Shoal 0.1", peer.Client); // from the BEP 10 handshake's v
        Assert.False(peer.IsIncoming);
        Assert.Contains('D', peer.Flags); // downloading from it

        var before = leech.Status;
        await leech.PauseAsync();
        var paused = leech.Status;
        // Rarely seen on CI: Downloading here. Say what the torrent looked like before and after, should it recur.
        Assert.True(paused.State == TorrentState.Paused,
            $"after PauseAsync the state is {paused.State} (before: {before.State}, {before.PiecesHave} pieces, {before.PeersConnected} peers; " +
            $"after: {paused.PiecesHave} pieces, {paused.PeersConnected} peers, error {paused.Error ?? "none"})");
        Assert.Equal(0, paused.PeersConnected);
        Assert.Empty(paused.Peers);
        await WaitFor(seed, s => s.PeersConnected == 0, "the seeder to see the leecher go");
        Assert.Equal(TorrentState.Paused, leech.Status.State);
        Assert.False(leech.Completion.IsCompleted);

        await leech.ResumeAsync();
        Assert.Equal(TorrentState.Downloading, leech.Status.State);
        Assert.True(leech.Status.PiecesHave >= paused.PiecesHave); // nothing re-checked or forgotten
        await leech.Completion.WaitAsync(Timeout);

        Assert.Equal(data, TestTorrents.ReadData(meta, leechDir.Path));
        // Blocks in flight at the pause may come twice, but the torrent is not fetched again from scratch.
        Assert.InRange(leech.Status.Downloaded, data.Length, data.Length + 2 * MiB);
        Assert.NotNull(leech.Status.CompletedAt);
    }

    [Fact]
    public async Task Torrent_added_paused_contacts_nobody_until_resumed()
    {
        var data = TestTorrents.RandomData(300_000, 12);
        var meta = TestTorrents.Create(data, 32 * 1024, "later");
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        await using var pair = await LoopbackPair.StartAsync(meta, seedDir.Path,
            new TorrentOptions { DownloadDirectory = leechDir.Path, StartPaused = true });
        var (seed, leech) = (pair.Seed, pair.Leech);

        var paused = await WaitFor(leech, s => s.State == TorrentState.Paused, "paused after the check");
        Assert.Equal(0, paused.PiecesHave);
        Assert.Equal(0, seed.Status.PeersConnected);

        await leech.ResumeAsync();
        await leech.Completion.WaitAsync(Timeout);
        Assert.Equal(data, TestTorrents.ReadData(meta, leechDir.Path));
    }

    [Fact]
    public async Task Skipped_files_are_not_fetched_and_the_wanted_ones_complete_the_torrent()
    {
        // Files: [0, 1 MiB) [1 MiB, 2 MiB + 100) [2 MiB + 100, 3 MiB + 100); 64 KiB pieces: piece 32 spans files 1 and 2.
        long[] files = [MiB, MiB + 100, MiB];
        var data = TestTorrents.RandomData((int)files.Sum(), 13);
        var meta = TestTorrents.Create(data, 64 * 1024, "selective", files);
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        await using var pair = await LoopbackPair.StartAsync(meta, seedDir.Path, new TorrentOptions
        {
            DownloadDirectory = leechDir.Path,
            FilePriorities = [FilePriority.Skip, FilePriority.High, FilePriority.Skip],
        });
        var leech = pair.Leech;

        await leech.Completion.WaitAsync(Timeout);

        var s = leech.Status;
        Assert.Equal(TorrentState.Completed, s.State);
        Assert.True(s.WantedComplete);
        Assert.False(s.IsComplete);
        Assert.Equal(17 * 64 * 1024, s.WantedBytes); // pieces 16..32
        string dir = Path.Combine(leechDir.Path, "selective", "dir");
        Assert.False(File.Exists(Path.Combine(dir, "file0.bin"))); // no wanted piece touches it
        Assert.Equal(data.AsSpan(MiB, MiB + 100).ToArray(), File.ReadAllBytes(Path.Combine(dir, "file1.bin")));
        Assert.Equal([0, MiB + 100, 33 * 64 * 1024 - (2 * MiB + 100)], s.Files.Select(f => f.BytesCompleted));
        Assert.Equal([FilePriority.Skip, FilePriority.High, FilePriority.Skip], s.Files.Select(f => f.Priority));
        Assert.Equal("selective/dir/file1.bin", s.Files[1].Path);

        // Wanting everything again resumes the download (the seeder, dropped as not useful, is dialled again).
        leech.SetFilePriorities([FilePriority.Normal, FilePriority.Normal, FilePriority.Low]);
        await WaitFor(leech, st => st.IsComplete, "the rest of the torrent");
        Assert.Equal(data, TestTorrents.ReadData(meta, leechDir.Path));
        Assert.All(leech.Status.Files, f => Assert.Equal(f.Length, f.BytesCompleted));
    }

    [Fact]
    public async Task Verify_finds_a_damaged_piece_and_paused_stays_paused()
    {
        var data = TestTorrents.RandomData(1_000_000, 14);
        var meta = TestTorrents.Create(data, 64 * 1024, "checked");
        using var dir = new TempFolder();
        TestTorrents.WriteData(meta, data, dir.Path);
        await using var engine = new ShoalEngine(Loopback());
        var t = await engine.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dir.Path, SeedWhenComplete = true });
        await t.Completion.WaitAsync(Timeout);
        Assert.Equal(meta.PieceCount, await t.VerifyAsync().WaitAsync(Timeout));
        Assert.Equal(TorrentState.Seeding, t.Status.State);

        string path = Path.Combine(dir.Path, "checked");
        Corrupt(path, 3 * 64 * 1024 + 10);
        Assert.Equal(meta.PieceCount - 1, await t.VerifyAsync().WaitAsync(Timeout));
        Assert.Equal(TorrentState.Downloading, t.Status.State);
        Assert.Equal(meta.PieceCount - 1, t.Status.PiecesHave);
        Assert.False(t.Status.WantedComplete);

        await t.PauseAsync();
        Corrupt(path, 3 * 64 * 1024 + 10); // flips the byte back
        Assert.Equal(meta.PieceCount, await t.VerifyAsync().WaitAsync(Timeout));
        Assert.Equal(TorrentState.Paused, t.Status.State);
        await t.ResumeAsync();
        Assert.Equal(TorrentState.Seeding, t.Status.State);
        Assert.True(t.Status.IsComplete);
    }

    private static void Corrupt(string path, long offset)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        f.Position = offset;
        int b = f.ReadByte();
        f.Position = offset;
        f.WriteByte((byte)(b ^ 0xff));
    }

    [Fact]
    public async Task Remove_with_data_deletes_the_files_and_the_torrent_can_be_added_again()
    {
        var data = TestTorrents.RandomData(200_000, 15);
        var meta = TestTorrents.Create(data, 32 * 1024, "gone", 100_000, 100_000);
        using var dir = new TempFolder();
        TestTorrents.WriteData(meta, data, dir.Path);
        File.WriteAllText(Path.Combine(dir.Path, "keep.txt"), "not the torrent's");
        await using var engine = new ShoalEngine(Loopback());
        var t = await engine.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dir.Path });
        await t.Completion.WaitAsync(Timeout);

        await engine.RemoveTorrentAsync(t, deleteData: true);

        Assert.True(t.Stopped.IsCompleted);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "gone")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "keep.txt")));
        var again = await engine.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dir.Path });
        Assert.Equal(0, (await WaitFor(again, s => s.State == TorrentState.Downloading, "re-added")).PiecesHave);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Rate_limit_of_1_MiB_per_second_is_measured(bool globalUploadAtSeeder)
    {
        var data = TestTorrents.RandomData(4 * MiB, 16);
        var meta = TestTorrents.Create(data, 64 * 1024, "limited");
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        var sw = Stopwatch.StartNew(); // includes the seeder's check of 4 MiB: a few milliseconds
        await using var pair = await LoopbackPair.StartAsync(meta, seedDir.Path,
            new TorrentOptions { DownloadDirectory = leechDir.Path, MaxDownloadRate = globalUploadAtSeeder ? 0 : MiB },
            seederMaxUpload: globalUploadAtSeeder ? MiB : 0);
        var leech = pair.Leech;
        Assert.Equal(globalUploadAtSeeder ? 0 : MiB, leech.Status.DownloadLimit);

        await leech.Completion.WaitAsync(Timeout);
        sw.Stop();

        Assert.Equal(data, TestTorrents.ReadData(meta, leechDir.Path));
        // Measured, not asserted (timing on a shared machine); the interop test holds a loose bound.
        output.WriteLine($"{(globalUploadAtSeeder ? "seeder global upload" : "leecher torrent download")} limit 1 MiB/s: " +
            $"{data.Length / (double)MiB:0.#} MiB in {sw.Elapsed.TotalSeconds:0.00} s = {data.Length / sw.Elapsed.TotalSeconds / MiB:0.00} MiB/s");
    }

    [Fact]
    public async Task Resume_after_a_disk_fault_rechecks_and_finishes()
    {
        var data = TestTorrents.RandomData(600_000, 17);
        var meta = TestTorrents.Create(data, 32 * 1024, "faulty", 300_000, 300_000);
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);
        // A folder where the second file should go: writing it fails (even for root).
        string blocker = Path.Combine(leechDir.Path, "faulty", "dir", "file1.bin");
        Directory.CreateDirectory(blocker);
        await using var pair = await LoopbackPair.StartAsync(meta, seedDir.Path, new TorrentOptions { DownloadDirectory = leechDir.Path });
        var leech = pair.Leech;
        var failed = await WaitFor(leech, s => s.State == TorrentState.Error, "the disk fault");
        Assert.NotNull(failed.Error);

        Directory.Delete(blocker);
        await leech.ResumeAsync();

        var done = await WaitFor(leech, s => s.IsComplete, "completion after the fault was fixed");
        Assert.Null(done.Error);
        Assert.Equal(data, TestTorrents.ReadData(meta, leechDir.Path));
    }

    [Fact]
    public async Task Modes_and_limits_show_in_the_status_and_global_limits_change_at_runtime()
    {
        var data = TestTorrents.RandomData(100_000, 18);
        var meta = TestTorrents.Create(data, 32 * 1024, "modes");
        using var dir = new TempFolder();
        await using var engine = new ShoalEngine(Loopback() with { MaxDownloadRate = 5000 });
        Assert.Equal(5000, engine.MaxDownloadRate);
        engine.MaxDownloadRate = 0;
        engine.MaxUploadRate = 123_456;
        Assert.Equal(0, engine.MaxDownloadRate);
        Assert.Equal(123_456, engine.MaxUploadRate);
        var added = DateTimeOffset.UtcNow.AddDays(-3);
        var t = await engine.AddTorrentAsync(meta, new TorrentOptions
        {
            DownloadDirectory = dir.Path,
            AddedAt = added,
            DownloadedBefore = 1000,
            UploadedBefore = 3000,
        });

        t.SetSequential(true);
        t.SetRateLimits(2 * MiB, 64 * 1024);
        var s = await WaitFor(t, st => st.Sequential && st.DownloadLimit == 2 * MiB, "sequential and limits");
        Assert.Equal(64 * 1024, s.UploadLimit);
        Assert.Equal(added, s.AddedAt);
        Assert.Equal(1000, s.Downloaded);
        Assert.Equal(3000, s.Uploaded);
        Assert.Equal(3.0, s.Ratio);
        Assert.Throws<ArgumentException>(() => t.SetFilePriorities([FilePriority.High, FilePriority.Low]));
        await Assert.ThrowsAsync<ArgumentException>(() => engine.AddTorrentAsync(meta, new TorrentOptions
        {
            DownloadDirectory = dir.Path,
            FilePriorities = [FilePriority.High, FilePriority.Low],
        }));
    }
}


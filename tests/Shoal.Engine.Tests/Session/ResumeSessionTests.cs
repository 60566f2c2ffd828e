using System.Net;
using Shoal.Engine.Session;
using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Session;

/// <summary>The session saves resume data on stop and trusts it on start only where files are unchanged.</summary>
public sealed class ResumeSessionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static EngineOptions Loopback() => new() { ListenAddress = IPAddress.Loopback };

    private static string DataPath(TorrentMetainfo meta, string dir) => Path.Combine(dir, meta.Name);

    private static async Task<TorrentStatus> RunUntilCheckedAsync(TorrentMetainfo meta, string dir)
    {
        await using var engine = new ShoalEngine(Loopback());
        var t = await engine.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dir });
        // Checking ends in Downloading or Completed; wait for either, bounded.
        for (int i = 0; i < 600 && t.Status.State == TorrentState.Checking; i++)
        {
            await Task.Delay(10);
        }
        var status = t.Status;
        await t.StopAsync();
        return status;
    }

    [Fact]
    public async Task A_stopped_torrent_leaves_resume_data_that_a_restart_trusts_for_unchanged_files()
    {
        var data = TestTorrents.RandomData(1_000_000, 11);
        var meta = TestTorrents.Create(data, 64 * 1024, "resumed");
        using var dir = new TempFolder();
        TestTorrents.WriteData(meta, data, dir.Path);

        var first = await RunUntilCheckedAsync(meta, dir.Path);
        Assert.Equal(meta.PieceCount, first.PiecesHave);
        string resume = new TorrentOptions { DownloadDirectory = dir.Path }.ResumeFilePath(meta.InfoHash);
        Assert.True(File.Exists(resume), $"no resume file at {resume}");

        // Damage piece 0 but put the mtime back: the file looks unchanged, so only trusting the resume data
        // (not hashing) reports every piece. This proves the restart used it.
        string file = DataPath(meta, dir.Path);
        DateTime mtime = File.GetLastWriteTimeUtc(file);
        using (var f = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            f.Write(new byte[100]);
        }
        File.SetLastWriteTimeUtc(file, mtime);

        var second = await RunUntilCheckedAsync(meta, dir.Path);
        Assert.Equal(meta.PieceCount, second.PiecesHave);
    }

    [Fact]
    public async Task A_file_changed_behind_its_back_is_checked_again()
    {
        var data = TestTorrents.RandomData(1_000_000, 12);
        var meta = TestTorrents.Create(data, 64 * 1024, "changed");
        using var dir = new TempFolder();
        TestTorrents.WriteData(meta, data, dir.Path);
        Assert.Equal(meta.PieceCount, (await RunUntilCheckedAsync(meta, dir.Path)).PiecesHave);

        string file = DataPath(meta, dir.Path);
        using (var f = new FileStream(file, FileMode.Open, FileAccess.Write))
        {
            f.Position = 3 * 64 * 1024 + 5;
            f.Write(new byte[100]);
        }
        File.SetLastWriteTimeUtc(file, File.GetLastWriteTimeUtc(file).AddSeconds(5));

        var status = await RunUntilCheckedAsync(meta, dir.Path);
        Assert.Equal(meta.PieceCount - 1, status.PiecesHave);
    }

    [Fact]
    public async Task Removing_a_torrent_with_its_data_removes_its_resume_data_too()
    {
        var data = TestTorrents.RandomData(200_000, 15);
        var meta = TestTorrents.Create(data, 32 * 1024, "removed");
        using var dir = new TempFolder();
        TestTorrents.WriteData(meta, data, dir.Path);
        await using var engine = new ShoalEngine(Loopback());
        var t = await engine.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = dir.Path });
        await t.Completion.WaitAsync(Timeout);

        await engine.RemoveTorrentAsync(t, deleteData: true);

        string resume = new TorrentOptions { DownloadDirectory = dir.Path }.ResumeFilePath(meta.InfoHash);
        Assert.False(File.Exists(resume), "the resume file outlived the data it described");
        Assert.False(Directory.Exists(Path.GetDirectoryName(resume)), "the emptied resume folder was left behind");
    }

    [Fact]
    public async Task Garbage_resume_data_is_ignored_and_the_data_checked()
    {
        var data = TestTorrents.RandomData(300_000, 13);
        var meta = TestTorrents.Create(data, 32 * 1024, "garbage");
        using var dir = new TempFolder();
        TestTorrents.WriteData(meta, data, dir.Path);
        string resume = new TorrentOptions { DownloadDirectory = dir.Path }.ResumeFilePath(meta.InfoHash);
        Directory.CreateDirectory(Path.GetDirectoryName(resume)!);
        File.WriteAllBytes(resume, "d7:versioni1e4:junk"u8.ToArray());

        var status = await RunUntilCheckedAsync(meta, dir.Path);
        Assert.Equal(meta.PieceCount, status.PiecesHave);
    }

    [Fact]
    public async Task Blocks_recorded_in_resume_data_are_not_fetched_again()
    {
        const int pieceLength = 64 * 1024;
        const int block = TorrentLengths.BlockSize;
        var data = TestTorrents.RandomData(10 * pieceLength, 14);
        var meta = TestTorrents.Create(data, pieceLength, "partial");
        using var seedDir = new TempFolder();
        using var leechDir = new TempFolder();
        TestTorrents.WriteData(meta, data, seedDir.Path);

        // On disk: piece 0 whole and the first two blocks of piece 1 (a sparse file up to there).
        string file = DataPath(meta, leechDir.Path);
        File.WriteAllBytes(file, data.AsSpan(0, pieceLength + 2 * block).ToArray());
        string resume;
        using (var store = TorrentStorage.Open(meta, leechDir.Path))
        {
            var have = new BitField(meta.PieceCount) { [0] = true };
            var partial = new Dictionary<int, IReadOnlyList<int>> { [1] = [0, 1] };
            resume = new TorrentOptions { DownloadDirectory = leechDir.Path }.ResumeFilePath(meta.InfoHash);
            Directory.CreateDirectory(Path.GetDirectoryName(resume)!);
            ResumeData.Capture(store, have, partial).Save(resume);
        }

        await using var pair = await LoopbackPair.StartAsync(meta, seedDir.Path, new TorrentOptions { DownloadDirectory = leechDir.Path });
        var leech = pair.Leech;
        await leech.Completion.WaitAsync(Timeout);

        Assert.Equal(data, TestTorrents.ReadData(meta, leechDir.Path));
        Assert.Equal(data.Length - pieceLength - 2 * block, leech.Status.Downloaded);
        await leech.StopAsync();
        var saved = ResumeData.TryDecode(File.ReadAllBytes(resume), out string? error);
        Assert.True(saved is not null, error);
        Assert.True(saved.Pieces.AllSet, "the resume file saved on stop should record every piece");
    }
}

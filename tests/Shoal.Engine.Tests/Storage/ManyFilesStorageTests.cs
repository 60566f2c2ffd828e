using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Storage;

/// <summary>Torrents of many small files: incremental resume capture, flushing evicted files, folders.</summary>
public class ManyFilesStorageTests
{
    private const int Piece = 4096;

    private static (TorrentMetainfo Meta, byte[] Data) ManyFiles(int count, int size = 300) =>
        TestTorrent.Create("many", Piece, [.. Enumerable.Range(0, count).Select(i => new TestTorrent.Spec($"d{i % 7}/f{i}", size))]);

    [Fact]
    public async Task Written_files_are_listed_once_and_then_cleared()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = ManyFiles(20);
        await using TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path, new StorageOptions { MaxOpenFiles = 2 });
        Assert.Empty(storage.TakeWrittenFiles());
        storage.Write(0, data.AsSpan(0, 650));           // files 0, 1, 2 (300 bytes each)
        Assert.Equal([0, 1, 2], storage.TakeWrittenFiles().Order());
        Assert.Empty(storage.TakeWrittenFiles());
        _ = storage.Read(0, new byte[900]);               // reads do not count
        storage.Write(300 * 19, data.AsSpan(300 * 19, 300));
        Assert.Equal([19], storage.TakeWrittenFiles());
    }

    [Fact]
    public async Task Incremental_capture_stats_only_written_files_so_an_outside_change_stays_untrusted()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = ManyFiles(40);
        string resumePath = Path.Combine(tmp.Path, "many.resume");
        var all = new BitField(meta.PieceCount);
        all.SetAll();
        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path, new StorageOptions { MaxOpenFiles = 4 }))
        {
            storage.Write(0, data);
            await storage.FlushAsync();
            ResumeData first = ResumeData.Capture(storage, all, null, known: null);
            var known = (ResumeFileState[])first.Files;
            Assert.All(known, f => Assert.Equal(300, f.Length));

            // Someone else changes file 5 (not through the storage): a capture that trusted a fresh stat would record
            // the new mtime and trust the changed bytes; an incremental one keeps the old record, so it is re-hashed.
            string outside = storage.GetFullPath(5);
            File.WriteAllBytes(outside, new byte[300]);
            File.SetLastWriteTimeUtc(outside, DateTime.UtcNow.AddMinutes(7));
            // We write file 30 again (same bytes): its new mtime is recorded.
            File.SetLastWriteTimeUtc(storage.GetFullPath(30), DateTime.UtcNow.AddMinutes(-30));
            storage.Write(300 * 30, data.AsSpan(300 * 30, 300));
            await storage.FlushAsync();
            ResumeData second = ResumeData.Capture(storage, all, null, known);
            Assert.Same(known, second.Files);
            Assert.Equal(new FileInfo(storage.GetFullPath(30)).LastWriteTimeUtc.Ticks, known[30].MtimeTicks);
            Assert.NotEqual(new FileInfo(outside).LastWriteTimeUtc.Ticks, known[5].MtimeTicks);
            second.Save(resumePath);
        }

        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path))
        {
            ResumeData? decoded = ResumeData.TryDecode(File.ReadAllBytes(resumePath), out string? error);
            Assert.NotNull(decoded);
            Assert.Null(error);
            ResumeData? loaded = decoded.ValidateAgainst(storage, out BitField? recheck, out string? reason);
            Assert.NotNull(loaded);
            Assert.Null(reason);
            // File 5 is bytes 1500..1800: piece 0 only. Every other piece stays trusted, including piece 2 (file 30).
            Assert.Equal([0], recheck!.SetIndices());
            Assert.Equal(Enumerable.Range(1, meta.PieceCount - 1), loaded.Pieces.SetIndices());
            // The validated data carries the files as they are now, for the next incremental capture.
            Assert.Equal(new FileInfo(storage.GetFullPath(5)).LastWriteTimeUtc.Ticks, loaded.Files[5].MtimeTicks);
        }
    }

    [Theory]
    [InlineData(10)]                                          // few evicted files: reopened and fsynced one by one
    [InlineData(TorrentStorage.ReopenToFlushLimit + 40)]      // many: one sync() on Linux
    public async Task Flush_covers_files_whose_handles_were_evicted_and_then_has_nothing_left(int count)
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = ManyFiles(count);
        await using TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path, new StorageOptions { MaxOpenFiles = 3 });
        storage.Write(0, data);
        Assert.True(storage.OpenFileCount <= 3);
        Assert.True(storage.HasUnflushedWrites);
        await storage.FlushAsync();
        Assert.False(storage.HasUnflushedWrites);
        // A file deleted behind our back after its write is nothing to keep: the flush does not fail on it.
        storage.Write(0, data.AsSpan(0, 300));
        storage.Write(300, data.AsSpan(300, 300));
        storage.Write(600, data.AsSpan(600, 300));
        storage.Write(900, data.AsSpan(900, 300));     // evicts file 0 (bound 3)
        File.Delete(storage.GetFullPath(0));
        await storage.FlushAsync();
        Assert.False(storage.HasUnflushedWrites);
        byte[] back = new byte[data.Length];
        Assert.Equal(300, storage.Read(300, back.AsSpan(0, 300)));
        Assert.Equal(data.AsSpan(300, 300).ToArray(), back.AsSpan(0, 300).ToArray());
    }

    [Fact]
    public async Task A_folder_removed_after_its_first_file_is_created_again_for_the_next()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = ManyFiles(14);
        await using TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path, new StorageOptions { MaxOpenFiles = 1 });
        storage.Write(0, data.AsSpan(0, 300));          // file 0 in d0
        Directory.Delete(Path.GetDirectoryName(storage.GetFullPath(0))!, recursive: true);
        storage.Write(300 * 7, data.AsSpan(300 * 7, 300)); // file 7, also in d0
        Assert.Equal(data.AsSpan(300 * 7, 300).ToArray(), File.ReadAllBytes(storage.GetFullPath(7)));
    }
}

using Shoal.Engine.Tests.Session;
using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Storage;

public class TorrentStorageTests
{
    private static readonly TestTorrent.Spec[] MultiFiles =
    [
        new("a.bin", 40_000),
        new("empty.txt", 0),
        new("sub/b.bin", 17),
        new(".pad/5", 5, Pad: true),
        new("sub/deeper/c.bin", 70_001),
    ];

    [Fact]
    public async Task Multi_file_blocks_round_trip_and_land_in_the_right_files()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("multi", 32 * 1024, MultiFiles);
        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path))
        {
            // Write blocks in reverse order to exercise positional writes past the current end of file.
            TorrentLengths l = meta.Lengths;
            for (int piece = l.PieceCount - 1; piece >= 0; piece--)
            {
                for (int block = l.BlockCount(piece) - 1; block >= 0; block--)
                {
                    int begin = block * TorrentLengths.BlockSize;
                    int len = l.BlockLength(piece, block);
                    await storage.WriteBlockAsync(piece, begin, data.AsMemory((int)(l.PieceOffset(piece) + begin), len));
                }
            }
            await storage.FlushAsync();

            var back = new byte[data.Length];
            Assert.Equal(data.Length, await storage.ReadAsync(0, back));
            Assert.Equal(data, back);

            var block0 = new byte[TorrentLengths.BlockSize];
            await storage.ReadBlockAsync(1, 0, block0);
            Assert.Equal(data.AsSpan(32 * 1024, TorrentLengths.BlockSize).ToArray(), block0);
        }

        string root = Path.Combine(tmp.Path, "multi");
        Assert.Equal(data[..40_000], File.ReadAllBytes(Path.Combine(root, "a.bin")));
        Assert.Equal(0, new FileInfo(Path.Combine(root, "empty.txt")).Length);
        Assert.Equal(data[40_000..40_017], File.ReadAllBytes(Path.Combine(root, "sub", "b.bin")));
        Assert.False(Directory.Exists(Path.Combine(root, ".pad")));
        Assert.Equal(data[40_022..], File.ReadAllBytes(Path.Combine(root, "sub", "deeper", "c.bin")));
    }

    [Fact]
    public async Task Single_file_torrent_is_stored_as_root_slash_name()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Single("movie.mkv", 16 * 1024, 50_000);
        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path))
        {
            await storage.WriteAsync(0, data);
        }
        Assert.Equal(data, File.ReadAllBytes(Path.Combine(tmp.Path, "movie.mkv")));
    }

    [Fact]
    public void Paths_escaping_the_root_are_refused()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, _) = TestTorrent.Create("t", 16 * 1024, [new("ok", 10)]);
        TorrentMetainfo escaping = TestTorrents.Derive(meta, files: [new TorrentFile(["..", "..", "evil"], 10, 0)]);
        StorageException ex = Assert.Throws<StorageException>(() => TorrentStorage.Open(escaping, tmp.Path));
        Assert.Equal(StorageErrorKind.PathEscape, ex.Kind);

        TorrentMetainfo rooted = TestTorrents.Derive(meta, files: [new TorrentFile(["/etc/passwd"], 10, 0)]);
        Assert.Equal(StorageErrorKind.PathEscape, Assert.Throws<StorageException>(() => TorrentStorage.Open(rooted, tmp.Path)).Kind);

        TorrentMetainfo badName = new()
        {
            InfoHash = meta.InfoHash, RawInfo = meta.RawInfo, Name = "..", PieceLength = meta.PieceLength,
            PieceHashes = meta.PieceHashes, Lengths = meta.Lengths, Files = meta.Files, IsMultiFile = false,
        };
        Assert.Equal(StorageErrorKind.PathEscape, Assert.Throws<StorageException>(() => TorrentStorage.Open(badName, tmp.Path)).Kind);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    [Fact]
    public async Task Reads_of_missing_data_are_short_and_read_block_throws()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("m", 16 * 1024, [new("a", 20_000), new("b", 20_000)]);
        await using TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path);
        await storage.WriteAsync(0, data.AsMemory(0, 20_000));
        var buffer = new byte[40_000];
        Assert.Equal(20_000, await storage.ReadAsync(0, buffer));
        Assert.Equal(20_000, storage.Read(0, buffer));
        Assert.False(File.Exists(Path.Combine(tmp.Path, "m", "b")));
        StorageException ex = await Assert.ThrowsAsync<StorageException>(() => storage.ReadBlockAsync(1, 0, new byte[16 * 1024]).AsTask());
        Assert.Equal(StorageErrorKind.ShortRead, ex.Kind);
    }

    [Fact]
    public async Task Seeding_mode_needs_the_files_and_never_writes()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("s", 16 * 1024, [new("a", 100), new("b", 30_000)]);
        StorageException missing = Assert.Throws<StorageException>(() => TorrentStorage.OpenForSeeding(meta, tmp.Path));
        Assert.Equal(StorageErrorKind.FileMissing, missing.Kind);
        Assert.Contains("file missing", missing.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));

        Directory.CreateDirectory(Path.Combine(tmp.Path, "s"));
        File.WriteAllBytes(Path.Combine(tmp.Path, "s", "a"), data[..100]);
        File.WriteAllBytes(Path.Combine(tmp.Path, "s", "b"), data[100..]);
        await using TorrentStorage seed = TorrentStorage.OpenForSeeding(meta, tmp.Path);
        var back = new byte[data.Length];
        Assert.Equal(data.Length, await seed.ReadAsync(0, back));
        Assert.Equal(data, back);
        Assert.Equal(StorageErrorKind.ReadOnly,
            (await Assert.ThrowsAsync<StorageException>(() => seed.WriteAsync(0, data.AsMemory(0, 10)).AsTask())).Kind);
    }

    [Fact]
    public async Task Open_handles_stay_within_the_cache_bound()
    {
        using var tmp = new TempFolder();
        var specs = Enumerable.Range(0, 300).Select(i => new TestTorrent.Spec($"d{i % 7}/f{i}", 100 + i)).ToArray();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("many", 16 * 1024, specs);
        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path, new StorageOptions { MaxOpenFiles = 8 }))
        {
            for (int off = 0; off < data.Length; off += 1000)
            {
                int len = Math.Min(1000, data.Length - off);
                await storage.WriteAsync(off, data.AsMemory(off, len));
                Assert.True(storage.OpenFileCount <= 8);
            }
            var back = new byte[data.Length];
            Assert.Equal(data.Length, storage.Read(0, back));
            Assert.Equal(data, back);
        }
    }

    [Fact]
    public async Task Concurrent_writers_of_interleaved_blocks_produce_the_exact_content()
    {
        using var tmp = new TempFolder();
        var specs = Enumerable.Range(0, 20).Select(i => new TestTorrent.Spec($"f{i}", 9_000 + 37 * i)).ToArray();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("conc", 16 * 1024, specs);
        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path, new StorageOptions { MaxOpenFiles = 3 }))
        {
            TorrentLengths l = meta.Lengths;
            await Parallel.ForAsync(0, l.PieceCount, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (piece, ct) =>
                await storage.WriteBlockAsync(piece, 0, data.AsMemory((int)l.PieceOffset(piece), l.PieceSize(piece)), ct));
        }
        await using TorrentStorage check = TorrentStorage.OpenForSeeding(meta, tmp.Path);
        var back = new byte[data.Length];
        Assert.Equal(data.Length, check.Read(0, back));
        Assert.Equal(data, back);
    }

    [Fact]
    public void Permission_denied_is_a_clear_storage_error()
    {
        if (OperatingSystem.IsWindows() || Environment.UserName == "root")
        {
            return; // root ignores file modes; Windows ACLs differ
        }
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("p", 16 * 1024, [new("locked/a", 100)]);
        string locked = Path.Combine(tmp.Path, "p", "locked");
        Directory.CreateDirectory(locked);
        File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        try
        {
            using TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path);
            StorageException ex = Assert.Throws<StorageException>(() => storage.Write(0, data));
            Assert.Equal(StorageErrorKind.PermissionDenied, ex.Kind);
            Assert.StartsWith("permission denied: ", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }
}

public class StorageErrorTests
{
    [Fact]
    public void Disk_full_is_reported_as_disk_full_with_the_path()
    {
        if (!File.Exists("/dev/full"))
        {
            return; // Linux only: /dev/full fails every write with ENOSPC
        }
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("full", 16 * 1024, [new("a", 1000)]);
        Directory.CreateDirectory(Path.Combine(tmp.Path, "full"));
        File.CreateSymbolicLink(Path.Combine(tmp.Path, "full", "a"), "/dev/full");
        using TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path);
        StorageException ex = Assert.Throws<StorageException>(() => storage.Write(0, data));
        Assert.Equal(StorageErrorKind.DiskFull, ex.Kind);
        Assert.StartsWith("disk full writing ", ex.Message, StringComparison.Ordinal);
        Assert.EndsWith(Path.Combine("full", "a"), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_where_a_folder_should_be_is_a_storage_error()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("clash", 16 * 1024, [new("dir/a", 1000)]);
        Directory.CreateDirectory(Path.Combine(tmp.Path, "clash"));
        File.WriteAllBytes(Path.Combine(tmp.Path, "clash", "dir"), [1]);
        using TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path);
        StorageException ex = Assert.Throws<StorageException>(() => storage.Write(0, data));
        Assert.NotNull(ex.FilePath);
    }
}

using System.Security.Cryptography;
using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Storage;

/// <summary>
/// Both ways of reading data for a check (buffered reads, mapped views) against one reference: a piece is good
/// exactly when every byte of it is on disk and it hashes right. Segments here are large enough (>= 256 KiB) that
/// the mapped path really maps, and pieces are larger than the read chunk, so both straddle their units.
/// </summary>
public class PieceVerifierReadModeTests
{
    private const int MiB = 1024 * 1024;

    // Piece 0 = a + b + the start of c (three files); piece 1 = rest of c + a pad file (BEP 47, reads as zeros);
    // piece 2 = d, a short last piece.
    private static readonly TestTorrent.Spec[] Layout =
    [
        new("a", 700_000),
        new("b", 300_000),
        new("c", 600_000),
        new(".pad/497152", 2 * MiB - 1_600_000, Pad: true),
        new("d", 1_000_001),
    ];

    public static TheoryData<CheckReadMode> Modes => new() { CheckReadMode.Read, CheckReadMode.MemoryMap };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Intact_data_across_files_pad_and_short_last_piece_is_all_good(CheckReadMode mode)
    {
        using var tmp = new TempFolder();
        TorrentMetainfo meta = await WriteLayout(tmp.Path);
        Assert.Equal(3, meta.PieceCount);
        Assert.Equal(1_000_001, meta.Lengths.PieceSize(2));

        await using TorrentStorage storage = TorrentStorage.OpenForChecking(meta, tmp.Path);
        BitField found = await PieceVerifier.CheckExistingAsync(meta, storage, readMode: mode);
        Assert.True(found.AllSet);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Short_middle_file_fails_only_its_piece_and_a_flipped_byte_fails_its_piece(CheckReadMode mode)
    {
        using var tmp = new TempFolder();
        TorrentMetainfo meta = await WriteLayout(tmp.Path);
        string root = Path.Combine(tmp.Path, "rm");
        Truncate(Path.Combine(root, "b"), 100_000);
        FlipByte(Path.Combine(root, "d"), 999_999);

        await using TorrentStorage storage = TorrentStorage.OpenForChecking(meta, tmp.Path);
        BitField found = await PieceVerifier.CheckExistingAsync(meta, storage, readMode: mode);
        Assert.Equal([false, true, false], Bits(found));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task A_file_that_shrank_after_the_size_check_ends_its_stretch_without_throwing(CheckReadMode mode)
    {
        using var tmp = new TempFolder();
        TorrentMetainfo meta = await WriteLayout(tmp.Path);
        Truncate(Path.Combine(tmp.Path, "rm", "b"), 100_000);

        // Call the run directly with every piece marked present, as if b shrank after the per-file stat.
        await using TorrentStorage storage = TorrentStorage.OpenForChecking(meta, tmp.Path);
        var valid = new bool[meta.PieceCount];
        using var hasher = new PieceVerifier.RunHasher(meta, valid);
        var buffer = new byte[256 * 1024];
        int good = PieceVerifier.CheckRun(storage, [true, true, true], hasher, buffer, 0, 3, mode);
        // The data runs out inside piece 0: the rest of that stretch (pieces 0-2) is left invalid.
        Assert.Equal(0, good);
        Assert.Equal([false, false, false], valid);

        // With piece 1 absent, piece 2 starts a stretch of its own and is checked.
        good = PieceVerifier.CheckRun(storage, [true, false, true], hasher, buffer, 0, 3, mode);
        Assert.Equal(1, good);
        Assert.Equal([false, false, true], valid);
    }

    [Fact]
    public async Task Cached_data_maps_to_its_bytes_and_a_short_file_is_absent()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("rm", MiB, Layout);
        await WriteAll(meta, tmp.Path, data);
        await using TorrentStorage storage = TorrentStorage.OpenForChecking(meta, tmp.Path);

        // Just written, so in the page cache: mapped, and the view shows the file's bytes at that offset.
        using (MappedRange? range = storage.TryMapForRead(0, 4096 + 7, 600_000, out bool absent))
        {
            Assert.False(absent);
            Assert.NotNull(range);
            Assert.True(range.Span.SequenceEqual(data.AsSpan(4096 + 7, 600_000)));
        }

        // Only what fstat says exists is ever mapped.
        Truncate(Path.Combine(tmp.Path, "rm", "b"), 100_000);
        Assert.Null(storage.TryMapForRead(1, 0, 300_000, out bool shortAbsent));
        Assert.True(shortAbsent);
        using (MappedRange? head = storage.TryMapForRead(1, 0, 100_000, out bool headAbsent))
        {
            Assert.False(headAbsent);
            Assert.NotNull(head);
        }
    }

    [Theory]
    [InlineData(1, 256 * 1024)]
    [InlineData(2, 512 * 1024)]
    [InlineData(3, MiB)]
    [InlineData(4, 2 * MiB)]
    [InlineData(5, 16 * 1024)]
    [InlineData(6, 8 * MiB)]
    public async Task Random_layouts_with_damage_match_a_reference_in_both_modes(int seed, int pieceLength)
    {
        var rng = new Random(seed);
        var specs = new List<TestTorrent.Spec>();
        for (int i = 0; i < 9; i++)
        {
            bool pad = i > 0 && rng.Next(4) == 0;
            long length = rng.Next(5) == 0 ? 0 : rng.Next(1, 900_000);
            specs.Add(new TestTorrent.Spec(pad ? $".pad/{i}" : $"f{i}", length, pad && length > 0));
        }
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("rnd", pieceLength, specs, seed: seed);
        await WriteAll(meta, tmp.Path, data);

        // Damage: flip a byte in one file, truncate another, delete a third (only real, non-empty files).
        int[] real = Enumerable.Range(0, specs.Count).Where(i => !specs[i].Pad && specs[i].Length > 0).ToArray();
        long[] onDisk = specs.Select(s => s.Length).ToArray();
        byte[] view = (byte[])data.Clone();
        int flip = real[rng.Next(real.Length)];
        long at = rng.NextInt64(specs[flip].Length);
        FlipByte(Path.Combine(tmp.Path, "rnd", specs[flip].Path), at);
        view[meta.Files[flip].Offset + at] ^= 0xff;
        int cut = real[rng.Next(real.Length)];
        onDisk[cut] = rng.NextInt64(specs[cut].Length);
        Truncate(Path.Combine(tmp.Path, "rnd", specs[cut].Path), onDisk[cut]);
        int gone = real[rng.Next(real.Length)];
        if (gone != cut)
        {
            onDisk[gone] = 0;
            File.Delete(Path.Combine(tmp.Path, "rnd", specs[gone].Path));
        }

        bool[] expected = Reference(meta, view, onDisk);
        Assert.Contains(false, expected);
        foreach (CheckReadMode mode in new[] { CheckReadMode.Read, CheckReadMode.MemoryMap })
        {
            await using TorrentStorage storage = TorrentStorage.OpenForChecking(meta, tmp.Path);
            BitField found = await PieceVerifier.CheckExistingAsync(meta, storage, readMode: mode);
            Assert.Equal(expected, Bits(found));
        }
    }

    /// <summary>A piece is good when all its bytes are on disk (pad files always are) and it hashes right.</summary>
    private static bool[] Reference(TorrentMetainfo meta, byte[] view, long[] onDisk)
    {
        var have = new bool[view.Length];
        for (int f = 0; f < meta.Files.Count; f++)
        {
            long start = meta.Files[f].Offset;
            long len = meta.Files[f].IsPadding ? meta.Files[f].Length : onDisk[f];
            Array.Fill(have, true, (int)start, (int)len);
        }
        TorrentLengths l = meta.Lengths;
        return Enumerable.Range(0, l.PieceCount).Select(p =>
        {
            int s = (int)l.PieceOffset(p), n = l.PieceSize(p);
            return Array.TrueForAll(have[s..(s + n)], x => x)
                && SHA1.HashData(view.AsSpan(s, n)).AsSpan().SequenceEqual(meta.PieceHash(p));
        }).ToArray();
    }

    /// <summary>The shared layout (three files, a pad file, a short last piece) written complete under <paramref name="root"/>.</summary>
    private static async Task<TorrentMetainfo> WriteLayout(string root)
    {
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("rm", MiB, Layout);
        await WriteAll(meta, root, data);
        return meta;
    }

    private static async Task WriteAll(TorrentMetainfo meta, string root, byte[] data)
    {
        await using TorrentStorage storage = TorrentStorage.Open(meta, root);
        await storage.WriteAsync(0, data);
    }

    private static bool[] Bits(BitField b) => Enumerable.Range(0, b.Length).Select(i => b[i]).ToArray();

    private static void Truncate(string path, long length)
    {
        using FileStream fs = File.OpenWrite(path);
        fs.SetLength(length);
    }

    private static void FlipByte(string path, long offset)
    {
        using FileStream fs = new(path, FileMode.Open, FileAccess.ReadWrite);
        fs.Position = offset;
        int b = fs.ReadByte();
        fs.Position = offset;
        fs.WriteByte((byte)(b ^ 0xff));
    }
}

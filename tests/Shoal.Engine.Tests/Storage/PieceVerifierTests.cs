using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Storage;

public class PieceVerifierTests
{
    [Fact]
    public async Task Check_finds_exactly_the_good_pieces_after_corruption_and_missing_files()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("chk", 16 * 1024,
        [
            new("a", 100_000),
            new(".pad/x", 2_000, Pad: true),
            new("b", 50_000),
            new("c", 30_000),
            new("d", 33_333),
        ]);
        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path))
        {
            await storage.WriteAsync(0, data);
        }
        TorrentLengths l = meta.Lengths;

        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path))
        {
            BitField all = await PieceVerifier.CheckExistingAsync(meta, storage);
            Assert.True(all.AllSet);
        }

        // Corrupt one byte of piece 3 (inside file a), delete file c, truncate file d.
        string root = Path.Combine(tmp.Path, "chk");
        using (FileStream fs = File.OpenWrite(Path.Combine(root, "a")))
        {
            fs.Position = 3 * 16 * 1024 + 5;
            fs.WriteByte((byte)(data[3 * 16 * 1024 + 5] ^ 0xff));
        }
        File.Delete(Path.Combine(root, "c"));
        using (FileStream fs = File.OpenWrite(Path.Combine(root, "d")))
        {
            fs.SetLength(10_000);
        }

        long cStart = 152_000, cEnd = 182_000, dStart = 182_000 + 10_000, dEnd = 215_333;
        var expected = new bool[l.PieceCount];
        for (int p = 0; p < l.PieceCount; p++)
        {
            long s = l.PieceOffset(p), e = s + l.PieceSize(p);
            bool touchesC = s < cEnd && e > cStart;
            bool touchesMissingD = s < dEnd && e > dStart;
            expected[p] = p != 3 && !touchesC && !touchesMissingD;
        }

        var reports = new List<CheckProgress>();
        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path))
        {
            BitField found = await PieceVerifier.CheckExistingAsync(meta, storage, new SyncProgress(reports));
            Assert.Equal(expected, Enumerable.Range(0, l.PieceCount).Select(i => found[i]).ToArray());
            Assert.False(PieceVerifier.VerifyPiece(meta, storage, 3));
            Assert.True(PieceVerifier.VerifyPiece(meta, storage, 0));
            Assert.True(await PieceVerifier.VerifyPieceAsync(meta, storage, 1));
            // The check must not have created the deleted file.
            Assert.False(File.Exists(Path.Combine(root, "c")));
        }
        lock (reports)
        {
            Assert.Contains(reports, r => r.PiecesChecked == l.PieceCount && r.PiecesValid == expected.Count(x => x));
        }
    }

    [Fact]
    public async Task Check_of_an_empty_folder_reads_nothing_and_finds_nothing()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, _) = TestTorrent.Create("none", 16 * 1024, [new("a", 100_000), new("b", 5)]);
        await using TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path);
        BitField found = await PieceVerifier.CheckExistingAsync(meta, storage);
        Assert.True(found.NoneSet);
        Assert.Equal(0, storage.OpenFileCount);
    }

    [Fact]
    public void Matches_checks_length_and_hash()
    {
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Single("x", 16 * 1024, 20_000);
        Assert.True(PieceVerifier.Matches(meta, 1, data.AsSpan(16 * 1024)));
        Assert.False(PieceVerifier.Matches(meta, 1, data.AsSpan(16 * 1024, 100)));
        Assert.False(PieceVerifier.Matches(meta, 0, data.AsSpan(0, 16 * 1024).ToArray().Select(b => (byte)~b).ToArray()));
    }

    private sealed class SyncProgress(List<CheckProgress> sink) : IProgress<CheckProgress>
    {
        public void Report(CheckProgress value)
        {
            lock (sink)
            {
                sink.Add(value);
            }
        }
    }
}

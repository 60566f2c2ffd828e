using Shoal.Engine.Session;
using Shoal.Engine.Storage;
using Shoal.Engine.Tests.Storage;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Session;

public class FileStatusListTests
{
    private const int Piece = 1024;

    [Fact]
    public void Bytes_completed_per_file_follow_the_verified_pieces_after_a_partial_download()
    {
        // Files across piece edges, a file inside one piece, an empty file and a pad file.
        (TorrentMetainfo meta, _) = TestTorrent.Create("t", Piece,
        [
            new("a", 1500), new("b", 100), new("empty", 0), new(".pad/424", 424, Pad: true), new("c", 3000), new("d", 10),
        ]);
        var have = new BitField(meta.PieceCount); // 5034 bytes: pieces 0..4
        have[1] = true;
        have[3] = true;
        have[4] = true;
        FilePriority[] prios = [FilePriority.Normal, FilePriority.Skip, FilePriority.Normal, FilePriority.Normal, FilePriority.High, FilePriority.Low];
        int pathCalls = 0;
        var list = new FileStatusList(meta, new FileLayout(meta.Files), have, prios, () =>
        {
            pathCalls++;
            return [.. meta.Files.Select(f => "t/" + f.Path)];
        });

        Assert.Equal(6, list.Count);
        Assert.Equal(0, pathCalls); // nothing is built until a file is read

        // Piece 1 = bytes 1024..2047: a 1024..1499 (476), b 1500..1599 (100), pad 1600..2023, c 2024..2047 (24).
        // Piece 3 = 3072..4095 and piece 4 = 4096..5033: c 3072..5023 (1952), d 5024..5033 (10).
        long[] expected = [476, 100, 0, 424, 24 + 1952, 10];
        Assert.Equal(expected, list.Select(f => f.BytesCompleted));
        Assert.Equal(expected, FileStatusList.BytesDone(meta, new FileLayout(meta.Files), have));
        Assert.Equal(1, pathCalls);
        Assert.Equal(new FileStatus(4, "t/c", 3000, 1976, FilePriority.High), list[4]);
        Assert.False(list[1].Wanted);
        Assert.Equal(1.0, list[1].Progress);
        Assert.Equal(1.0, list[2].Progress); // empty file
        Assert.Same(list[0], list[0]);       // built once
        Assert.Equal(1, pathCalls);
    }

    [Fact]
    public void All_pieces_give_every_file_its_length()
    {
        (TorrentMetainfo meta, _) = TestTorrent.Create("t", Piece, [.. Enumerable.Range(0, 50).Select(i => new TestTorrent.Spec($"f{i}", 37 * i))]);
        var have = new BitField(meta.PieceCount);
        have.SetAll();
        var list = new FileStatusList(meta, new FileLayout(meta.Files), have,
            Enumerable.Repeat(FilePriority.Normal, 50).ToArray(), () => [.. meta.Files.Select(f => f.Path)]);
        Assert.All(list, f => Assert.Equal(f.Length, f.BytesCompleted));
    }
}

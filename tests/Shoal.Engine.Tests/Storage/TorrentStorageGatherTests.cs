using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Storage;

public class TorrentStorageGatherTests
{
    private static readonly TestTorrent.Spec[] Files =
    [
        new("a.bin", 20_000),
        new("empty.txt", 0),
        new("b.bin", 17),
        new(".pad/5", 5, Pad: true),
        new("c.bin", 70_001),
    ];

    [Fact]
    public async Task Whole_pieces_written_as_block_lists_land_in_the_right_files_across_boundaries_and_pad_files()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("gather", 32 * 1024, Files);
        TorrentLengths l = meta.Lengths;
        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path))
        {
            for (int piece = l.PieceCount - 1; piece >= 0; piece--)
            {
                // Separate arrays, as block buffers arrive from the network.
                var blocks = new List<ReadOnlyMemory<byte>>();
                for (int b = 0; b < l.BlockCount(piece); b++)
                {
                    int start = (int)l.PieceOffset(piece) + b * TorrentLengths.BlockSize;
                    blocks.Add(data.AsSpan(start, l.BlockLength(piece, b)).ToArray());
                }
                storage.WriteGather(l.PieceOffset(piece), blocks);
            }
            var back = new byte[data.Length];
            Assert.Equal(data.Length, storage.Read(0, back));
            Assert.Equal(data, back);
        }
        string root = Path.Combine(tmp.Path, "gather");
        Assert.Equal(data[..20_000], File.ReadAllBytes(Path.Combine(root, "a.bin")));
        Assert.Equal(data[20_000..20_017], File.ReadAllBytes(Path.Combine(root, "b.bin")));
        Assert.False(Directory.Exists(Path.Combine(root, ".pad")));
        Assert.Equal(data[20_022..], File.ReadAllBytes(Path.Combine(root, "c.bin")));
    }
}

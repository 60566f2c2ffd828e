using Shoal.Engine.Pieces;
using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Storage;

public class ResumeDataTests
{
    private const int Block = TorrentLengths.BlockSize;

    [Fact]
    public async Task Round_trip_restores_pieces_and_partial_blocks_when_files_are_unchanged()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("r", 2 * Block, [new("a", 3 * Block), new("b", 5 * Block + 10)]);
        string resumePath = Path.Combine(tmp.Path, "r.resume");
        var picker = new PiecePicker(meta.Lengths, new Random(1));
        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path))
        {
            await storage.WriteAsync(0, data.AsMemory(0, 4 * Block));          // pieces 0 and 1
            await storage.WriteAsync(5 * Block, data.AsMemory(5 * Block, Block)); // block 1 of piece 2
            picker.OnPieceVerified(0);
            picker.OnPieceVerified(1);
            picker.RestorePartialPiece(2, [1]);
            await storage.FlushAsync();
            ResumeData.Capture(storage, picker.Have, picker.GetPartialPieces()).Save(resumePath);
            Assert.False(File.Exists(resumePath + ".tmp"));
        }

        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path))
        {
            ResumeData? loaded = ResumeData.Load(resumePath, storage, out string? reason);
            Assert.NotNull(loaded);
            Assert.Null(reason);
            Assert.Equal([0, 1], loaded.Pieces.SetIndices());
            Assert.Equal([1], Assert.Contains(2, loaded.PartialPieces));

            var restored = new PiecePicker(meta.Lengths, new Random(1));
            restored.SetHave(loaded.Pieces);
            foreach ((int piece, IReadOnlyList<int> blocks) in loaded.PartialPieces)
            {
                restored.RestorePartialPiece(piece, blocks);
            }
            restored.AddPeerBitfield(Full(meta.PieceCount));
            Assert.Equal(new BlockRequest(2, 0, Block), restored.PickBlocks(Full(meta.PieceCount), 1, 1)[0]);
        }
    }

    [Fact]
    public async Task Encoded_and_saved_forms_are_the_same_canonical_bencoding()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("e", 2 * Block, [new("a", 3 * Block), new("b", 5 * Block + 10)]);
        string resumePath = Path.Combine(tmp.Path, "e.resume");
        var have = new BitField(meta.PieceCount);
        have[1] = true;
        var partial = new Dictionary<int, IReadOnlyList<int>> { [3] = [1, 0], [0] = [1] };
        await using TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path);
        await storage.WriteAsync(0, data.AsMemory(0, 4 * Block));
        ResumeData resume = ResumeData.Capture(storage, have, partial);

        byte[] encoded = resume.Encode();
        resume.Save(resumePath);

        Assert.Equal(encoded, File.ReadAllBytes(resumePath));
        // Keys sorted, lists in order: re-encoding the decoded value gives the same bytes.
        Assert.Equal(encoded, Shoal.Bencoding.BencodeWriter.Encode(Shoal.Bencoding.BencodeReader.Decode(encoded)));
        var root = Shoal.Bencoding.BencodeReader.DecodeDictionary(encoded);
        Assert.Equal(2, Assert.IsType<Shoal.Bencoding.BList>(root.Get("files")).Items.Count);
        Assert.Equal(2, Assert.IsType<Shoal.Bencoding.BList>(root.Get("partial")).Items.Count);
    }

    [Fact]
    public async Task Pieces_touching_a_changed_file_are_not_trusted()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, byte[] data) = TestTorrent.Create("c", 2 * Block, [new("a", 3 * Block), new("b", 3 * Block)]);
        string resumePath = Path.Combine(tmp.Path, "c.resume");
        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path))
        {
            await storage.WriteAsync(0, data);
            var all = new BitField(meta.PieceCount);
            all.SetAll();
            ResumeData.Capture(storage, all).Save(resumePath);
        }
        // Touch file b: same size, new mtime. Pieces 1 (spans a and b) and 2 (in b) lose trust; piece 0 keeps it.
        File.SetLastWriteTimeUtc(Path.Combine(tmp.Path, "c", "b"), DateTime.UtcNow.AddMinutes(5));
        await using (TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path))
        {
            ResumeData? loaded = ResumeData.Load(resumePath, storage, out _);
            Assert.NotNull(loaded);
            Assert.Equal([0], loaded.Pieces.SetIndices());
        }
    }

    [Fact]
    public async Task Resume_data_for_another_torrent_or_malformed_bytes_is_refused()
    {
        using var tmp = new TempFolder();
        (TorrentMetainfo meta, _) = TestTorrent.Create("x", Block, [new("a", 3 * Block)], seed: 1);
        (TorrentMetainfo other, _) = TestTorrent.Create("x", Block, [new("a", 3 * Block)], seed: 2);
        string resumePath = Path.Combine(tmp.Path, "x.resume");
        await using TorrentStorage storage = TorrentStorage.Open(meta, tmp.Path);
        await using TorrentStorage otherStorage = TorrentStorage.Open(other, tmp.Path);
        ResumeData.Capture(otherStorage, new BitField(3)).Save(resumePath);
        Assert.Null(ResumeData.Load(resumePath, storage, out string? reason));
        Assert.Contains("another torrent", reason, StringComparison.Ordinal);

        byte[] good = ResumeData.Capture(storage, new BitField(3)).Encode();
        for (int cut = 0; cut < good.Length; cut++)
        {
            Assert.Null(ResumeData.TryDecode(good.AsMemory(0, cut), out string? why));
            Assert.NotNull(why);
        }
        Assert.NotNull(ResumeData.TryDecode(good, out _));
        Assert.Null(ResumeData.Load(Path.Combine(tmp.Path, "missing.resume"), storage, out reason));
    }

    private static BitField Full(int n)
    {
        var f = new BitField(n);
        f.SetAll();
        return f;
    }
}

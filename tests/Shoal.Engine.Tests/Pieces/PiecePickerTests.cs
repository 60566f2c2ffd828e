using Shoal.Engine.Pieces;
using Shoal.Protocol;

namespace Shoal.Engine.Tests.Pieces;

public class PiecePickerTests
{
    private const int Block = TorrentLengths.BlockSize;

    private static BitField Field(int length, params int[] set)
    {
        var f = new BitField(length);
        foreach (int i in set)
        {
            f[i] = true;
        }
        return f;
    }

    private static BitField Full(int length)
    {
        var f = new BitField(length);
        f.SetAll();
        return f;
    }

    [Fact]
    public void Rarest_piece_is_picked_first()
    {
        var lengths = new TorrentLengths(10L * Block, Block);
        var picker = new PiecePicker(lengths, new Random(1));
        picker.AddPeerBitfield(Full(10));
        picker.AddPeerBitfield(Full(10));
        picker.AddPeerBitfield(Field(10, 0, 1, 2, 3, 4, 5, 6, 8, 9)); // piece 7 is rarer (2 peers)
        IReadOnlyList<BlockRequest> picks = picker.PickBlocks(Full(10), 1, peer: 1);
        Assert.Equal([new BlockRequest(7, 0, Block)], picks);
    }

    [Fact]
    public void Equally_rare_pieces_are_chosen_uniformly_at_random()
    {
        const int pieces = 8;
        var counts = new int[pieces];
        var rng = new Random(12345);
        for (int trial = 0; trial < 4000; trial++)
        {
            var picker = new PiecePicker(new TorrentLengths(pieces * (long)Block, Block), rng);
            picker.AddPeerBitfield(Full(pieces));
            picker.AddPeerBitfield(Field(pieces, 0, 1, 2, 3)); // pieces 4..7 are the rare ones
            BlockRequest pick = Assert.Single(picker.PickBlocks(Full(pieces), 1, 1));
            counts[pick.Piece]++;
        }
        Assert.All(counts[..4], c => Assert.Equal(0, c));
        // Each of the 4 rare pieces expects 1000 picks; 800..1200 is > 10 standard deviations wide.
        Assert.All(counts[4..], c => Assert.InRange(c, 800, 1200));
    }

    [Fact]
    public void Availability_follows_haves_and_departures()
    {
        var picker = new PiecePicker(new TorrentLengths(6L * Block, Block), new Random(3));
        BitField a = Field(6, 0, 1, 2);
        BitField b = Field(6, 2, 3);
        picker.AddPeerBitfield(a);
        picker.AddPeerBitfield(b);
        picker.OnPeerHave(5);
        Assert.Equal([1, 1, 2, 1, 0, 1], Enumerable.Range(0, 6).Select(picker.Availability));
        picker.OnPeerGone(7, a);
        Assert.Equal([0, 0, 1, 1, 0, 1], Enumerable.Range(0, 6).Select(picker.Availability));
    }

    [Fact]
    public void Never_picks_a_piece_the_peer_lacks()
    {
        var rng = new Random(99);
        var picker = new PiecePicker(new TorrentLengths(200L * Block + 77, 4 * Block), rng);
        int pieces = picker.PieceCount;
        var peers = Enumerable.Range(0, 5).Select(_ =>
        {
            var f = new BitField(pieces);
            for (int i = 0; i < pieces; i++)
            {
                f[i] = rng.Next(3) == 0;
            }
            picker.AddPeerBitfield(f);
            return f;
        }).ToArray();
        for (int round = 0; round < 50; round++)
        {
            for (int p = 0; p < peers.Length; p++)
            {
                foreach (BlockRequest r in picker.PickBlocks(peers[p], 7, p))
                {
                    Assert.True(peers[p][r.Piece]);
                    Assert.True(picker.Lengths.IsExactBlock(r.Piece, r.Begin, r.Length));
                }
            }
        }
    }

    [Fact]
    public void Started_pieces_are_finished_before_new_ones_start()
    {
        var picker = new PiecePicker(new TorrentLengths(10L * 4 * Block, 4 * Block), new Random(5));
        picker.AddPeerBitfield(Full(10));
        BitField all = Full(10);
        IReadOnlyList<BlockRequest> first = picker.PickBlocks(all, 2, peer: 1);
        Assert.Single(first.Select(r => r.Piece).Distinct());
        IReadOnlyList<BlockRequest> second = picker.PickBlocks(all, 2, peer: 2);
        Assert.All(second, r => Assert.Equal(first[0].Piece, r.Piece));
        Assert.Equal([2 * Block, 3 * Block], second.Select(r => r.Begin));
        Assert.Single(picker.InProgress);
    }

    [Fact]
    public void Full_download_completes_with_every_block_exactly_once_outside_endgame()
    {
        var lengths = new TorrentLengths(37L * Block + 1234, 3 * Block);
        var picker = new PiecePicker(lengths, new Random(8));
        BitField all = Full(lengths.PieceCount);
        picker.AddPeerBitfield(all);
        var seen = new HashSet<(int, int)>();
        int verified = 0;
        for (int guard = 0; guard < 1000 && !picker.IsComplete; guard++)
        {
            foreach (BlockRequest r in picker.PickBlocks(all, 5, peer: 1))
            {
                Assert.True(seen.Add((r.Piece, r.Begin)));
                BlockReceipt receipt = picker.OnBlockReceived(1, r.Piece, r.Begin, r.Length);
                Assert.True(receipt.ShouldStore);
                if (receipt.Result == BlockResult.PieceComplete)
                {
                    picker.OnPieceVerified(r.Piece);
                    verified++;
                }
            }
        }
        Assert.True(picker.IsComplete);
        Assert.Equal(lengths.PieceCount, verified);
        Assert.True(picker.Have.AllSet);
        Assert.Empty(picker.PickBlocks(all, 5, 1));
    }

    [Fact]
    public void Endgame_duplicates_outstanding_blocks_and_names_peers_to_cancel()
    {
        var picker = new PiecePicker(new TorrentLengths(2L * Block, 2 * Block), new Random(1));
        BitField all = Full(1);
        picker.AddPeerBitfield(all);
        picker.AddPeerBitfield(all);
        Assert.Equal(2, picker.PickBlocks(all, 10, peer: 1).Count);
        Assert.True(picker.IsEndgame);

        IReadOnlyList<BlockRequest> dup = picker.PickBlocks(all, 10, peer: 2);
        Assert.Equal([new BlockRequest(0, 0, Block), new BlockRequest(0, Block, Block)], dup);
        Assert.Empty(picker.PickBlocks(all, 10, peer: 2)); // never the same block twice to one peer

        BlockReceipt r = picker.OnBlockReceived(2, 0, 0, Block);
        Assert.Equal(BlockResult.Accepted, r.Result);
        Assert.Equal([1], r.CancelPeers);
        Assert.Equal(BlockResult.Duplicate, picker.OnBlockReceived(1, 0, 0, Block).Result);
        BlockReceipt last = picker.OnBlockReceived(1, 0, Block, Block);
        Assert.Equal(BlockResult.PieceComplete, last.Result);
        Assert.Equal([2], last.CancelPeers);
    }

    [Fact]
    public void Endgame_limits_requesters_per_block()
    {
        var picker = new PiecePicker(new TorrentLengths(Block, Block), new Random(1));
        BitField all = Full(1);
        for (int peer = 0; peer < 6; peer++)
        {
            picker.AddPeerBitfield(all);
        }
        int total = 0;
        for (int peer = 0; peer < 6; peer++)
        {
            total += picker.PickBlocks(all, 4, peer).Count;
        }
        Assert.Equal(PiecePicker.MaxEndgameRequesters, total);
    }

    [Fact]
    public void Failed_piece_is_downloaded_again_first()
    {
        var picker = new PiecePicker(new TorrentLengths(4L * 2 * Block, 2 * Block), new Random(2));
        BitField all = Full(4);
        picker.AddPeerBitfield(all);
        IReadOnlyList<BlockRequest> picks = picker.PickBlocks(all, 2, 1);
        int piece = picks[0].Piece;
        picker.OnBlockReceived(1, piece, 0, Block);
        Assert.Equal(BlockResult.PieceComplete, picker.OnBlockReceived(1, piece, Block, Block).Result);
        picker.OnPieceFailed(piece);
        Assert.False(picker.HasPiece(piece));
        Assert.Equal([new BlockRequest(piece, 0, Block), new BlockRequest(piece, Block, Block)], picker.PickBlocks(all, 2, 2));
    }

    [Fact]
    public void Blocks_of_a_departed_or_cancelled_peer_are_picked_again()
    {
        var picker = new PiecePicker(new TorrentLengths(3L * 2 * Block, 2 * Block), new Random(4));
        BitField all = Full(3);
        picker.AddPeerBitfield(all);
        picker.AddPeerBitfield(all);
        IReadOnlyList<BlockRequest> mine = picker.PickBlocks(all, 6, peer: 1);
        Assert.Equal(6, mine.Count);
        Assert.True(picker.IsEndgame);

        Assert.Equal(6, picker.OnPeerGone(1, all));
        Assert.False(picker.IsEndgame);
        Assert.Equal(mine.ToHashSet(), picker.PickBlocks(all, 6, peer: 2).ToHashSet());

        Assert.True(picker.Cancel(2, mine[0].Piece, mine[0].Begin));
        Assert.False(picker.Cancel(2, mine[0].Piece, mine[0].Begin));
        Assert.Equal([mine[0]], picker.PickBlocks(all, 1, peer: 3));
    }

    [Fact]
    public void Unexpected_blocks_are_rejected()
    {
        var picker = new PiecePicker(new TorrentLengths(2L * Block, Block), new Random(4));
        Assert.Equal(BlockResult.Unexpected, picker.OnBlockReceived(1, 0, 0, Block).Result); // never requested
        picker.AddPeerBitfield(Full(2));
        picker.PickBlocks(Full(2), 1, 1);
        int piece = picker.InProgress[0].Piece;
        Assert.Equal(BlockResult.Unexpected, picker.OnBlockReceived(1, piece, 5, Block).Result); // misaligned
        Assert.Equal(BlockResult.Unexpected, picker.OnBlockReceived(1, piece, 0, 100).Result);  // wrong length
        Assert.Equal(BlockResult.Unexpected, picker.OnBlockReceived(1, 9, 0, Block).Result);    // bad piece
    }

    [Fact]
    public void Sequential_mode_picks_in_index_order_and_skips_unwanted_and_owned_pieces()
    {
        var picker = new PiecePicker(new TorrentLengths(8L * Block, Block), new Random(4)) { Sequential = true };
        BitField all = Full(8);
        picker.AddPeerBitfield(all);
        picker.SetHave(Field(8, 0, 2));
        picker.SetWanted(3, false);
        Assert.Equal([1, 4, 5, 6, 7], picker.PickBlocks(all, 10, 1).Select(r => r.Piece));
        Assert.False(picker.IsInteresting(Field(8, 0, 2, 3)));
        Assert.True(picker.IsInteresting(Field(8, 5)));
    }

    [Fact]
    public void Unwanted_pieces_are_not_started_until_wanted_again()
    {
        var picker = new PiecePicker(new TorrentLengths(3L * Block, Block), new Random(4));
        BitField all = Full(3);
        picker.AddPeerBitfield(all);
        picker.SetWanted(1, false);
        Assert.DoesNotContain(picker.PickBlocks(all, 10, 1), r => r.Piece == 1);
        picker.SetWanted(1, true);
        Assert.Equal([new BlockRequest(1, 0, Block)], picker.PickBlocks(all, 1, 2));
    }

    [Fact]
    public void Buckets_stay_consistent_under_random_operations()
    {
        var rng = new Random(7);
        const int pieces = 64;
        var picker = new PiecePicker(new TorrentLengths(pieces * (long)Block, Block), new Random(7));
        var expected = new int[pieces];
        var peers = new List<BitField>();
        for (int step = 0; step < 3000; step++)
        {
            int op = rng.Next(4);
            if (op == 0 || peers.Count == 0)
            {
                var f = new BitField(pieces);
                for (int i = 0; i < pieces; i++)
                {
                    f[i] = rng.Next(2) == 0;
                }
                peers.Add(f);
                picker.AddPeerBitfield(f);
                for (int i = 0; i < pieces; i++)
                {
                    expected[i] += f[i] ? 1 : 0;
                }
            }
            else if (op == 1)
            {
                int k = rng.Next(peers.Count);
                picker.OnPeerGone(k, peers[k]);
                for (int i = 0; i < pieces; i++)
                {
                    expected[i] -= peers[k][i] ? 1 : 0;
                }
                peers.RemoveAt(k);
            }
            else if (op == 2)
            {
                int k = rng.Next(peers.Count);
                int p = rng.Next(pieces);
                if (!peers[k][p])
                {
                    peers[k][p] = true;
                    picker.OnPeerHave(p);
                    expected[p]++;
                }
            }
            else
            {
                picker.SetWanted(rng.Next(pieces), rng.Next(2) == 0);
            }
        }
        Assert.Equal(expected, Enumerable.Range(0, pieces).Select(picker.Availability));
        // The rarest wanted piece any peer has must be what gets picked.
        var anyone = new BitField(pieces);
        anyone.SetAll();
        for (int i = 0; i < pieces; i++)
        {
            picker.SetWanted(i, true);
        }
        int min = expected.Min();
        BlockRequest pick = Assert.Single(picker.PickBlocks(anyone, 1, 99));
        Assert.Equal(min, expected[pick.Piece]);
    }
}

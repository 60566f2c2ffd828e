using Shoal.Engine.Pieces;
using Shoal.Protocol;

namespace Shoal.Engine.Tests.Pieces;

public class PiecePickerPriorityTests
{
    private const int Block = TorrentLengths.BlockSize;

    private static BitField Full(int length)
    {
        var f = new BitField(length);
        f.SetAll();
        return f;
    }

    private static List<int> PieceOrder(PiecePicker picker, int count)
    {
        var order = new List<int>();
        for (int i = 0; i < count; i++)
        {
            var picks = picker.PickBlocks(Full(picker.PieceCount), 1, peer: 1);
            if (picks.Count == 0)
            {
                break;
            }
            order.Add(picks[0].Piece);
            picker.OnBlockReceived(1, picks[0].Piece, 0, Block);
            picker.OnPieceVerified(picks[0].Piece);
        }
        return order;
    }

    [Fact]
    public void High_pieces_come_first_and_low_pieces_last()
    {
        var picker = new PiecePicker(new TorrentLengths(10L * Block, Block), new Random(3));
        picker.AddPeerBitfield(Full(10));
        picker.SetPriority(7, 1);
        picker.SetPriority(2, 1);
        picker.SetPriority(0, -1);
        picker.SetPriority(5, -1);

        var order = PieceOrder(picker, 10);

        Assert.Equal(10, order.Count);
        Assert.Equal([2, 7], order.Take(2).Order());
        Assert.Equal([0, 5], order.Skip(8).Order());
    }

    [Fact]
    public void Skipped_pieces_are_never_picked_and_the_wanted_rest_completes()
    {
        var picker = new PiecePicker(new TorrentLengths(6L * Block, Block), new Random(5));
        picker.AddPeerBitfield(Full(6));
        picker.SetWanted(1, false);
        picker.SetWanted(4, false);

        var order = PieceOrder(picker, 10);

        Assert.Equal([0, 2, 3, 5], order.Order());
        Assert.True(picker.IsComplete);
    }

    [Fact]
    public void Sequential_high_pieces_go_in_order_before_the_rest()
    {
        var picker = new PiecePicker(new TorrentLengths(8L * Block, Block), new Random(6)) { Sequential = true };
        picker.AddPeerBitfield(Full(8));
        picker.SetPriority(6, 1);
        picker.SetPriority(4, 1);

        Assert.Equal([4, 6, 0, 1, 2, 3, 5, 7], PieceOrder(picker, 8));
    }

    [Fact]
    public void Low_pieces_are_picked_when_the_peer_has_nothing_else()
    {
        var picker = new PiecePicker(new TorrentLengths(4L * Block, Block), new Random(7));
        var has = new BitField(4);
        has[3] = true;
        picker.AddPeerBitfield(has);
        picker.SetPriority(3, -1);

        var picks = picker.PickBlocks(has, 1, peer: 1);

        Assert.Equal(3, Assert.Single(picks).Piece);
    }
}

using System.Buffers;
using Shoal.Protocol.Extensions;

namespace Shoal.Protocol.Tests.Extensions;

public class MetadataAssemblerTests
{
    private static readonly byte[] Info = Enumerable.Range(0, 40000).Select(i => (byte)(i * 7)).ToArray();
    private static readonly InfoHash Hash = InfoHash.Compute(Info);

    private static UtMetadataMessage Data(byte[] info, int piece)
    {
        int size = UtMetadata.PieceSize(info.Length, piece);
        var payload = UtMetadata.EncodeData(piece, info.Length, info.AsSpan(piece * UtMetadata.PieceLength, size));
        Assert.True(UtMetadata.TryDecode(new ReadOnlySequence<byte>(payload), out var message, out _));
        return message;
    }

    [Fact]
    public void Assembles_pieces_from_several_peers_and_verifies_the_hash()
    {
        var assembler = new MetadataAssembler<string>(Hash, Info.Length);
        Assert.Equal(3, assembler.PieceCount);
        Assert.True(assembler.TryPickRequest("a", out int p0));
        Assert.True(assembler.TryPickRequest("b", out int p1));
        Assert.True(assembler.TryPickRequest("a", out int p2));
        Assert.Equal([0, 1, 2], new[] { p0, p1, p2 });

        Assert.Equal(MetadataPieceOutcome.Stored, assembler.OnData("b", Data(Info, 1)).Outcome);
        Assert.Equal(MetadataPieceOutcome.Stored, assembler.OnData("a", Data(Info, 2)).Outcome);
        var result = assembler.OnData("a", Data(Info, 0));
        Assert.Equal(MetadataPieceOutcome.Complete, result.Outcome);
        Assert.Equal(Info, result.Metadata.ToArray());
        Assert.True(assembler.IsComplete);
        Assert.False(assembler.TryPickRequest("c", out _));
        Assert.Equal(MetadataPieceOutcome.Duplicate, assembler.OnData("c", Data(Info, 0)).Outcome);
    }

    [Fact]
    public void Hands_out_each_piece_once_then_duplicates_to_other_peers_at_most_once()
    {
        var assembler = new MetadataAssembler<int>(Hash, 20000); // two pieces
        Assert.True(assembler.TryPickRequest(1, out int a));
        Assert.True(assembler.TryPickRequest(1, out int b));
        Assert.False(assembler.TryPickRequest(1, out _)); // never the same piece twice to one peer
        Assert.Equal(2, assembler.OutstandingFor(1));
        Assert.True(assembler.TryPickRequest(2, out int c)); // duplicate for a slow first peer
        Assert.True(assembler.TryPickRequest(2, out int d));
        Assert.Equal([0, 1, 0, 1], new[] { a, b, c, d });
        Assert.False(assembler.TryPickRequest(3, out _)); // MaxRequestsPerPiece reached
    }

    [Fact]
    public void Rejects_and_departures_free_pieces_for_others()
    {
        var assembler = new MetadataAssembler<string>(Hash, 20000);
        Assert.True(assembler.TryPickRequest("a", out _));
        Assert.True(assembler.TryPickRequest("a", out _));
        Assert.True(assembler.TryPickRequest("b", out _));
        Assert.True(assembler.TryPickRequest("b", out _));
        assembler.Release("a", 0);
        assembler.PeerGone("b");
        Assert.Equal(1, assembler.OutstandingFor("a"));
        Assert.Equal(0, assembler.OutstandingFor("b"));
        Assert.True(assembler.TryPickRequest("c", out int piece));
        Assert.Equal(0, piece); // nobody is asking for piece 0 any more: it comes first
    }

    [Fact]
    public void Invalid_data_is_refused_and_stores_nothing()
    {
        var assembler = new MetadataAssembler<string>(Hash, Info.Length);
        var good = Data(Info, 0);
        Assert.Equal(MetadataPieceOutcome.Invalid, assembler.OnData("x", good with { Data = new byte[100] }).Outcome);
        Assert.Equal(MetadataPieceOutcome.Invalid, assembler.OnData("x", good with { TotalSize = 1 }).Outcome);
        Assert.Equal(MetadataPieceOutcome.Invalid, assembler.OnData("x", good with { Piece = 3 }).Outcome);
        Assert.Equal(0, assembler.ReceivedCount);
    }

    [Fact]
    public void A_hash_mismatch_names_the_contributors_and_starts_over()
    {
        byte[] forged = (byte[])Info.Clone();
        forged[20000] ^= 1; // piece 1
        var assembler = new MetadataAssembler<string>(Hash, Info.Length);
        assembler.OnData("honest", Data(Info, 0));
        assembler.OnData("liar", Data(forged, 1));
        var result = assembler.OnData("honest", Data(Info, 2));
        Assert.Equal(MetadataPieceOutcome.HashMismatch, result.Outcome);
        Assert.Equal(["honest", "liar"], result.Contributors.Order());
        Assert.Equal(0, assembler.ReceivedCount);
        Assert.Equal(1, assembler.FailedAttempts);
        Assert.False(assembler.IsComplete);

        // Second attempt without the liar succeeds.
        foreach (int piece in new[] { 0, 1, 2 })
        {
            Assert.True(assembler.TryPickRequest("honest", out int p));
            Assert.Equal(piece, p);
        }
        assembler.OnData("honest", Data(Info, 0));
        assembler.OnData("honest", Data(Info, 1));
        Assert.Equal(MetadataPieceOutcome.Complete, assembler.OnData("honest", Data(Info, 2)).Outcome);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(16L * 1024 * 1024 + 1)]
    [InlineData(long.MaxValue)]
    public void Refuses_absurd_sizes(long size)
    {
        Assert.False(MetadataAssembler<string>.TryCreate(Hash, size, out var assembler, out string? error));
        Assert.Null(assembler);
        Assert.Contains("not plausible", error);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MetadataAssembler<string>(Hash, size));
    }

    [Fact]
    public void The_largest_plausible_size_does_not_allocate_up_front()
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(MetadataAssembler<string>.TryCreate(Hash, UtMetadata.MaxMetadataSize, out _, out _));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024 * 1024);
    }

    [Fact]
    public void Served_pieces_assemble_into_the_original()
    {
        var server = new MetadataServer(Info, isPrivate: false);
        var assembler = new MetadataAssembler<string>(Hash, server.MetadataSize!.Value);
        MetadataPieceResult<string>? last = null;
        while (assembler.TryPickRequest("peer", out int piece))
        {
            byte[] reply = server.Respond(new UtMetadataMessage(UtMetadataType.Request, piece, null, default))!;
            Assert.True(UtMetadata.TryDecode(new ReadOnlySequence<byte>(reply), out var message, out _));
            last = assembler.OnData("peer", message);
        }
        Assert.Equal(MetadataPieceOutcome.Complete, last!.Outcome);
        Assert.Equal(Info, last.Metadata.ToArray());
    }
}

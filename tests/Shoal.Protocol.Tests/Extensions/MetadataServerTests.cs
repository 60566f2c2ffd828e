using System.Buffers;
using Shoal.Protocol.Extensions;

namespace Shoal.Protocol.Tests.Extensions;

public class MetadataServerTests
{
    private static readonly byte[] Info = Enumerable.Range(0, 20000).Select(i => (byte)i).ToArray();

    private static UtMetadataMessage Ask(MetadataServer server, int piece)
    {
        byte[]? reply = server.Respond(new UtMetadataMessage(UtMetadataType.Request, piece, null, default));
        Assert.NotNull(reply);
        Assert.True(UtMetadata.TryDecode(new ReadOnlySequence<byte>(reply), out var message, out _));
        return message;
    }

    [Fact]
    public void Serves_16_KiB_slices_and_a_short_last_piece()
    {
        var server = new MetadataServer(Info, isPrivate: false);
        Assert.True(server.Serves);
        Assert.Equal(20000, server.MetadataSize);
        var first = Ask(server, 0);
        Assert.Equal(UtMetadataType.Data, first.Type);
        Assert.Equal(20000, first.TotalSize);
        Assert.Equal(Info.AsSpan(0, 16384).ToArray(), first.Data.ToArray());
        var second = Ask(server, 1);
        Assert.Equal(Info.AsSpan(16384).ToArray(), second.Data.ToArray());
        Assert.True(UtMetadata.Validate(second, 20000, out _));
    }

    [Fact]
    public void Rejects_out_of_range_pieces()
    {
        var reply = Ask(new MetadataServer(Info, isPrivate: false), 2);
        Assert.Equal(new UtMetadataMessage(UtMetadataType.Reject, 2, null, default), reply);
    }

    [Fact]
    public void Rejects_everything_for_private_torrents_and_announces_no_size()
    {
        var server = new MetadataServer(Info, isPrivate: true);
        Assert.False(server.Serves);
        Assert.Null(server.MetadataSize);
        Assert.Equal(UtMetadataType.Reject, Ask(server, 0).Type);
    }

    [Fact]
    public void Rejects_everything_before_the_metadata_is_known()
    {
        Assert.Equal(UtMetadataType.Reject, Ask(MetadataServer.None, 0).Type);
        Assert.Null(MetadataServer.None.MetadataSize);
    }

    [Fact]
    public void Data_and_reject_messages_need_no_answer()
    {
        var server = new MetadataServer(Info, isPrivate: false);
        Assert.Null(server.Respond(new UtMetadataMessage(UtMetadataType.Reject, 0, null, default)));
        Assert.Null(server.Respond(new UtMetadataMessage(UtMetadataType.Data, 0, 20000, new byte[16384])));
        Assert.Null(server.Respond(new UtMetadataMessage((UtMetadataType)9, 0, null, default)));
    }
}

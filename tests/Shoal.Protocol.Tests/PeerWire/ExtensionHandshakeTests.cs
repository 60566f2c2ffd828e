using System.Buffers;
using System.Net;
using Shoal.Protocol.PeerWire;

namespace Shoal.Protocol.Tests.PeerWire;

public class ExtensionHandshakeTests
{
    private static ExtensionHandshake Parse(ReadOnlySpan<byte> bencoded)
    {
        Assert.True(ExtensionHandshake.TryParse(new ReadOnlySequence<byte>(bencoded.ToArray()), out var hs, out var error), error);
        return hs!;
    }

    [Fact]
    public void Parses_the_BEP_10_fields()
    {
        byte[] wire = [.. "d1:md11:ut_metadatai3e6:ut_pexi1e7:lt_donti0ee13:metadata_sizei31235e1:pi6881e4:reqqi250e1:v10:Shoal 0.1a6:yourip4:"u8, 127, 0, 0, 1, (byte)'e'];
        var hs = Parse(wire);
        Assert.Equal((byte)3, hs.IdOf("ut_metadata"));
        Assert.Equal((byte)1, hs.IdOf("ut_pex"));
        Assert.Null(hs.IdOf("lt_dont"));
        Assert.Equal(["lt_dont"], hs.Disabled);
        Assert.Equal(31235, hs.MetadataSize);
        Assert.Equal(6881, hs.ListenPort);
        Assert.Equal(250, hs.RequestQueueSize);
        Assert.Equal("Shoal 0.1a", hs.Client);
        Assert.Equal(IPAddress.Loopback, hs.YourIp);
    }

    [Fact]
    public void Round_trips_through_an_extended_message()
    {
        var original = new ExtensionHandshake
        {
            Messages = new Dictionary<string, byte> { ["ut_metadata"] = 2, ["ut_pex"] = 1 },
            Client = "Shoal 0.1",
            ListenPort = 51413,
            RequestQueueSize = 500,
            YourIp = IPAddress.IPv6Loopback,
            MetadataSize = 12345,
        };
        var writer = new ArrayBufferWriter<byte>();
        original.WriteMessage(writer);
        var buffer = Segments.Split(writer.WrittenSpan.ToArray(), [3]);
        Assert.Equal(FrameStatus.Done, PeerMessageReader.TryRead(ref buffer, out var message, out _));
        Assert.Equal(MessageId.Extended, message.Id);
        Assert.Equal(ExtensionHandshake.MessageId, message.ExtendedId);
        Assert.True(ExtensionHandshake.TryParse(message.Payload, out var decoded, out _));
        Assert.Equal(original.Describe(), decoded!.Describe());
        Assert.Equal(original.Encode(), decoded.Encode());
        Assert.Equal(
            "ext-handshake v=\"Shoal 0.1\" m=ut_metadata:2,ut_pex:1 p=51413 reqq=500 yourip=::1 metadata_size=12345",
            decoded.Describe());
    }

    [Fact]
    public void Fields_of_the_wrong_type_or_range_are_ignored()
    {
        var hs = Parse("d1:md1:ai256e1:bi-1e1:c3:xyz1:di7ee13:metadata_sizei-5e1:pi70000e4:reqq2:no1:vi5e6:yourip3:abce"u8);
        Assert.Equal(new Dictionary<string, byte> { ["d"] = 7 }, hs.Messages);
        Assert.Null(hs.MetadataSize);
        Assert.Null(hs.ListenPort);
        Assert.Null(hs.RequestQueueSize);
        Assert.Null(hs.Client);
        Assert.Null(hs.YourIp);
    }

    [Fact]
    public void Missing_m_is_an_empty_map_and_trailing_bytes_are_ignored()
    {
        var hs = Parse([(byte)'d', (byte)'e', 1, 2]);
        Assert.Empty(hs.Messages);
    }

    [Theory]
    [InlineData("li1ee")]
    [InlineData("d1:m")]
    [InlineData("x")]
    [InlineData("")]
    public void Non_dictionary_or_broken_bencode_is_an_error(string text)
    {
        var bytes = System.Text.Encoding.ASCII.GetBytes(text);
        Assert.False(ExtensionHandshake.TryParse(new ReadOnlySequence<byte>(bytes), out var hs, out var error));
        Assert.Null(hs);
        Assert.StartsWith("extension handshake is not", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_bounded()
    {
        var deep = System.Text.Encoding.ASCII.GetBytes("d1:m" + string.Concat(Enumerable.Repeat("l", 100)) + string.Concat(Enumerable.Repeat("e", 100)) + "e");
        Assert.False(ExtensionHandshake.TryParse(new ReadOnlySequence<byte>(deep), out _, out _));
    }
}

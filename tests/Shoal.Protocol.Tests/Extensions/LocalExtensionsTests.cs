using Shoal.Protocol.Extensions;
using Shoal.Protocol.PeerWire;

namespace Shoal.Protocol.Tests.Extensions;

public class LocalExtensionsTests
{
    [Fact]
    public void Public_torrents_offer_metadata_and_pex()
    {
        var hs = LocalExtensions.CreateHandshake(isPrivate: false, metadataSize: 31235, listenPort: 6881);
        Assert.Equal(
            "ext-handshake v=\"Shoal 0.1\" m=ut_metadata:2,ut_pex:1 p=6881 reqq=250 metadata_size=31235",
            hs.Describe());
    }

    [Fact]
    public void Private_torrents_offer_neither_and_hide_the_size()
    {
        var hs = LocalExtensions.CreateHandshake(isPrivate: true, metadataSize: 31235, listenPort: null);
        Assert.Empty(hs.Messages);
        Assert.Null(hs.MetadataSize);
        Assert.Null(hs.ListenPort);
    }

    [Fact]
    public void Fast_is_active_only_when_both_sides_set_the_bit()
    {
        Assert.True(FastExtension.IsActive(ReservedBits.Shoal, new ReservedBits(0).WithFast()));
        Assert.False(FastExtension.IsActive(ReservedBits.Shoal, new ReservedBits(0).WithExtensionProtocol()));
        Assert.False(FastExtension.IsActive(new ReservedBits(0), new ReservedBits(0).WithFast()));
    }

    [Fact]
    public void Initial_have_message_prefers_have_all_and_have_none_with_fast()
    {
        var none = new BitField(10);
        var all = new BitField(10);
        all.SetAll();
        var some = new BitField(10);
        some[3] = true;

        Assert.Equal(MessageId.HaveAll, FastExtension.InitialHaveMessage(all, fastActive: true)!.Value.Id);
        Assert.Equal(MessageId.HaveNone, FastExtension.InitialHaveMessage(none, fastActive: true)!.Value.Id);
        Assert.Equal(MessageId.Bitfield, FastExtension.InitialHaveMessage(some, fastActive: true)!.Value.Id);
        Assert.Equal(MessageId.Bitfield, FastExtension.InitialHaveMessage(all, fastActive: false)!.Value.Id);
        Assert.Null(FastExtension.InitialHaveMessage(none, fastActive: false));
    }
}

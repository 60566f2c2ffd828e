using System.Net;
using Shoal.Protocol.Extensions;

namespace Shoal.Protocol.Tests.Extensions;

public class AllowedFastTests
{
    private static readonly InfoHash AllAa = new(Enumerable.Repeat((byte)0xAA, 20).ToArray());

    [Fact]
    public void Reproduces_the_BEP_6_example_with_seven_pieces()
    {
        int[] set = AllowedFast.Compute(IPAddress.Parse("80.4.4.200"), AllAa, 1313, 7);
        Assert.Equal([1059, 431, 808, 1217, 287, 376, 1188], set);
    }

    [Fact]
    public void Reproduces_the_BEP_6_example_with_nine_pieces()
    {
        int[] set = AllowedFast.Compute(IPAddress.Parse("80.4.4.200"), AllAa, 1313, 9);
        Assert.Equal([1059, 431, 808, 1217, 287, 376, 1188, 353, 508], set);
    }

    [Theory]
    [InlineData("80.4.4.1")]
    [InlineData("80.4.4.255")]
    [InlineData("::ffff:80.4.4.7")]
    public void Same_slash_24_gives_the_same_set(string address)
    {
        Assert.Equal(
            AllowedFast.Compute(IPAddress.Parse("80.4.4.200"), AllAa, 1313, 9),
            AllowedFast.Compute(IPAddress.Parse(address), AllAa, 1313, 9));
    }

    [Fact]
    public void Another_network_gives_another_set()
    {
        Assert.NotEqual(
            AllowedFast.Compute(IPAddress.Parse("80.4.4.200"), AllAa, 1313, 9),
            AllowedFast.Compute(IPAddress.Parse("80.4.5.200"), AllAa, 1313, 9));
    }

    [Fact]
    public void Small_torrents_get_every_piece_once()
    {
        int[] set = AllowedFast.Compute(IPAddress.Parse("10.0.0.1"), AllAa, 3, 10);
        Assert.Equal([0, 1, 2], set.Order());
    }

    [Fact]
    public void Empty_for_no_pieces_and_for_plain_ipv6()
    {
        Assert.Empty(AllowedFast.Compute(IPAddress.Parse("10.0.0.1"), AllAa, 0, 10));
        Assert.Empty(AllowedFast.Compute(IPAddress.Parse("10.0.0.1"), AllAa, 100, 0));
        Assert.Empty(AllowedFast.Compute(IPAddress.Parse("2001:db8::1"), AllAa, 100, 10));
    }
}

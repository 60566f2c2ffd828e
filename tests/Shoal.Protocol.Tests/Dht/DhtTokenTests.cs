using System.Net;
using Shoal.Protocol.Dht;

namespace Shoal.Protocol.Tests.Dht;

public class DhtTokenTests
{
    private static readonly byte[] SecretA = Enumerable.Repeat((byte)1, DhtToken.SecretLength).ToArray();
    private static readonly byte[] SecretB = Enumerable.Repeat((byte)2, DhtToken.SecretLength).ToArray();

    [Fact]
    public void Same_secret_and_address_give_the_same_token()
    {
        var ip = IPAddress.Parse("192.0.2.7");
        var t = DhtToken.Compute(SecretA, ip);
        Assert.Equal(DhtToken.Length, t.Length);
        Assert.Equal(t, DhtToken.Compute(SecretA, ip));
        Assert.True(DhtToken.Matches(t, SecretA, ip));
    }

    [Fact]
    public void Token_is_tied_to_address_and_secret()
    {
        var ip = IPAddress.Parse("192.0.2.7");
        var t = DhtToken.Compute(SecretA, ip);
        Assert.False(DhtToken.Matches(t, SecretA, IPAddress.Parse("192.0.2.8")));
        Assert.False(DhtToken.Matches(t, SecretB, ip));
        Assert.False(DhtToken.Matches(t.AsSpan(0, 4), SecretA, ip));
    }

    [Fact]
    public void Mapped_address_gives_the_ipv4_token()
    {
        var ip = IPAddress.Parse("192.0.2.7");
        Assert.Equal(DhtToken.Compute(SecretA, ip), DhtToken.Compute(SecretA, ip.MapToIPv6()));
    }
}

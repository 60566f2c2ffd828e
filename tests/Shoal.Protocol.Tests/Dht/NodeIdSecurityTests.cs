using System.Net;
using Shoal.Protocol.Dht;

namespace Shoal.Protocol.Tests.Dht;

public class NodeIdSecurityTests
{
    // The examples table of BEP 42: IP, random byte, expected first three bytes (last 3 bits random).
    [Theory]
    [InlineData("124.31.75.21", 1, "5fbfb8")]
    [InlineData("21.75.31.124", 86, "5a3ce8")]
    [InlineData("65.23.51.170", 22, "a5d430")]
    [InlineData("84.124.73.14", 65, "1b0320")]
    [InlineData("43.213.53.83", 90, "e56f68")]
    public void Generated_ids_match_the_bep_examples(string ip, int seed, string prefix)
    {
        var id = NodeIdSecurity.Generate(IPAddress.Parse(ip), (byte)seed);
        var b = id.ToArray();
        Assert.Equal(prefix[..4], Convert.ToHexStringLower(b, 0, 2));
        Assert.Equal(Convert.ToByte(prefix[4..], 16), b[2] & 0xf8);
        Assert.Equal(seed, b[19]);
        Assert.True(NodeIdSecurity.IsValid(id, IPAddress.Parse(ip)));
    }

    [Fact]
    public void Id_of_another_address_is_invalid()
    {
        var id = NodeIdSecurity.Generate(IPAddress.Parse("124.31.75.21"), 1);
        Assert.False(NodeIdSecurity.IsValid(id, IPAddress.Parse("200.1.2.3")));
    }

    [Fact]
    public void Local_addresses_are_exempt()
    {
        var random = NodeId.CreateRandom();
        Assert.True(NodeIdSecurity.IsValid(random, IPAddress.Loopback));
        Assert.True(NodeIdSecurity.IsValid(random, IPAddress.Parse("192.168.1.1")));
        Assert.True(NodeIdSecurity.IsValid(random, IPAddress.Parse("10.1.2.3")));
    }

    [Fact]
    public void Crc32c_check_value() => Assert.Equal(0xE3069283u, NodeIdSecurity.Crc32C("123456789"u8));
}

using System.Net;
using System.Net.Sockets;
using Shoal.Bencoding;
using Shoal.Protocol.Dht;

namespace Shoal.Protocol.Tests.Regressions;

/// <summary>Findings of the krpc fuzz target.</summary>
public class KrpcRegressionTests
{
    private static byte[] Response(byte[] nodes6) => BencodeWriter.Encode(new BDictionary
    {
        ["t"] = new BString("ab"),
        ["y"] = new BString("r"),
        ["r"] = new BDictionary { ["id"] = new BString(new byte[20]), ["nodes6"] = new BString(nodes6) },
    });

    private static byte[] Node6(byte[] address16, ushort port)
    {
        var record = new byte[CompactFormat.NodeV6Length];
        record.AsSpan(0, 20).Fill(0x11);
        address16.CopyTo(record, 20);
        record[36] = (byte)(port >> 8);
        record[37] = (byte)port;
        return record;
    }

    [Fact]
    public void Ipv4_mapped_address_in_nodes6_is_skipped_so_the_message_round_trips()
    {
        // ::ffff:10.0.0.1 in nodes6 used to be kept; the encoder then dropped it (it is IPv4) and wrote an empty nodes6,
        // so encode(decode(encode(m))) differed from encode(m).
        byte[] mapped = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1];
        byte[] real = IPAddress.IPv6Loopback.GetAddressBytes();
        var packet = Response([.. Node6(mapped, 6881), .. Node6(real, 6882)]);

        Assert.True(KrpcCodec.TryDecode(packet, out var message, out var error), error);
        var response = Assert.IsType<KrpcResponse>(message);
        var node = Assert.Single(response.Nodes6);
        Assert.Equal(AddressFamily.InterNetworkV6, node.EndPoint.AddressFamily);
        Assert.False(node.EndPoint.Address.IsIPv4MappedToIPv6);

        var encoded = KrpcCodec.Encode(response);
        Assert.True(KrpcCodec.TryDecode(encoded, out var again, out error), error);
        Assert.Equal(encoded, KrpcCodec.Encode(again!));
        Assert.Equal(response.Nodes6, ((KrpcResponse)again!).Nodes6);
    }
}

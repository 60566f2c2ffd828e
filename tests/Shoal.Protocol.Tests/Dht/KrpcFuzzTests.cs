using CsCheck;
using Shoal.Protocol.Dht;

namespace Shoal.Protocol.Tests.Dht;

/// <summary>Untrusted datagrams must never throw: random bytes, and valid messages with random damage.</summary>
public class KrpcFuzzTests
{
    [Fact]
    public void Random_bytes_never_throw() =>
        Gen.Byte.Array[0, 600].Sample(bytes => { KrpcCodec.TryDecode(bytes, out _, out _); }, iter: 20_000);

    private static readonly byte[][] Valid =
    [
        KrpcCodec.Encode(KrpcQuery.Ping("aa"u8.ToArray(), NodeId.CreateRandom())),
        KrpcCodec.Encode(KrpcQuery.FindNode("ab"u8.ToArray(), NodeId.CreateRandom(), NodeId.CreateRandom())),
        KrpcCodec.Encode(KrpcQuery.AnnouncePeer("ac"u8.ToArray(), NodeId.CreateRandom(), NodeId.CreateRandom(), 6881, [1, 2, 3, 4])),
        KrpcCodec.Encode(new KrpcResponse("ad"u8.ToArray(), NodeId.CreateRandom())
        {
            Nodes = [new NodeInfo(NodeId.CreateRandom(), new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 5))],
            Values = [new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 6)],
            Token = [1],
        }),
        KrpcCodec.Encode(new KrpcError("ae"u8.ToArray(), 203, "bad token")),
    ];

    [Fact]
    public void Mutated_valid_messages_never_throw()
    {
        var gen = Gen.Select(Gen.Int[0, Valid.Length - 1], Gen.Int[0, 1000], Gen.Byte, Gen.Int[0, 2]);
        gen.Sample((which, position, value, kind) =>
        {
            var bytes = Valid[which].ToList();
            int at = position % bytes.Count;
            switch (kind)
            {
                case 0: bytes[at] = value; break;
                case 1: bytes.Insert(at, value); break;
                default: bytes.RemoveAt(at); break;
            }
            KrpcCodec.TryDecode(bytes.ToArray(), out _, out _);
        }, iter: 20_000);
    }

    [Fact]
    public void Every_truncation_of_a_valid_message_is_rejected()
    {
        foreach (var message in Valid)
        {
            for (int n = 0; n < message.Length; n++)
            {
                Assert.False(KrpcCodec.TryDecode(message.AsMemory(0, n), out _, out _));
            }
        }
    }
}

using Shoal.Protocol.Dht;

namespace Shoal.Fuzz.Targets;

/// <summary>
/// KRPC (DHT) datagrams: decoding never throws, a refusal has a reason, the caps on transaction ids, nodes and values
/// hold, and an accepted message re-encodes to bytes that decode to a message encoding the same way.
/// </summary>
internal static class KrpcTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        var packet = data.ToArray();
        var (ok, message, error) = Oracle.WithinBudget(packet.Length, 256,
            () => (KrpcCodec.TryDecode(packet, out var m, out var e), m, e), "KrpcCodec.TryDecode");
        Oracle.Check(ok ? message is not null : !string.IsNullOrWhiteSpace(error), "verdict without message or reason");
        if (!ok)
        {
            return;
        }
        Oracle.Check(message!.TransactionId.Length <= KrpcCodec.MaxTransactionIdLength, $"transaction id of {message.TransactionId.Length} bytes");
        if (message is KrpcResponse r)
        {
            Oracle.Check(r.Nodes.Count <= KrpcCodec.MaxNodesPerList && r.Nodes6.Count <= KrpcCodec.MaxNodesPerList, "node list over the cap");
            Oracle.Check(r.Values.Count <= KrpcCodec.MaxValues, "values over the cap");
        }
        byte[] encoded = KrpcCodec.Encode(message);
        Oracle.Check(KrpcCodec.TryDecode(encoded, out var again, out var againError), $"re-encoded message does not decode: {againError}");
        Oracle.Check(KrpcCodec.Encode(again!).AsSpan().SequenceEqual(encoded), "encode(decode(encode(m))) != encode(m)");
    }
}

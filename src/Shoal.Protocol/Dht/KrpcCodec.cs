using System.Net.Sockets;
using Shoal.Bencoding;

namespace Shoal.Protocol.Dht;

/// <summary>
/// Encodes and decodes KRPC messages (BEP 5, with BEP 32 <c>nodes6</c>/<c>want</c> and BEP 42 <c>ip</c>). Decoding
/// never throws on untrusted bytes: malformed, truncated or oversized input yields false and a reason.
/// </summary>
public static partial class KrpcCodec
{
    /// <summary>Longest transaction id accepted; real clients use 2 to 4 bytes.</summary>
    public const int MaxTransactionIdLength = 16;

    /// <summary>Most contacts accepted in one <c>nodes</c> or <c>nodes6</c> string (BEP 5 replies carry 8).</summary>
    public const int MaxNodesPerList = 64;

    /// <summary>Most peers accepted in one <c>values</c> list.</summary>
    public const int MaxValues = 256;

    /// <summary>Nesting needed by KRPC is 3 (message, arguments, list); a little slack, but no deep recursion.</summary>
    private static readonly BencodeOptions DecodeOptions = new() { MaxDepth = 8 };

    /// <summary>Encodes canonically (sorted keys) to a new array.</summary>
    public static byte[] Encode(KrpcMessage message) => BencodeWriter.Encode(ToBencode(message));

    private static BDictionary ToBencode(KrpcMessage message)
    {
        var d = new BDictionary { ["t"] = new BString(message.TransactionId) };
        if (message.Version is { } v)
        {
            d["v"] = new BString(v);
        }
        switch (message)
        {
            case KrpcQuery q:
                d["y"] = new BString("q");
                d["q"] = new BString(q.MethodName);
                d["a"] = QueryArguments(q);
                break;
            case KrpcResponse r:
                d["y"] = new BString("r");
                d["r"] = ResponseBody(r);
                if (r.ExternalAddress is { } ip)
                {
                    d["ip"] = new BString(CompactFormat.EncodePeer(ip));
                }
                break;
            case KrpcError e:
                d["y"] = new BString("e");
                d["e"] = new BList([new BInteger(e.Code), new BString(e.Message)]);
                break;
            default:
                throw new ArgumentException($"unknown KRPC message type {message.GetType().Name}", nameof(message));
        }
        return d;
    }

    private static BDictionary QueryArguments(KrpcQuery q)
    {
        var a = new BDictionary { ["id"] = new BString(q.Id.ToArray()) };
        switch (q.Method)
        {
            case KrpcMethod.FindNode:
                a["target"] = new BString(q.Target.ToArray());
                break;
            case KrpcMethod.GetPeers:
                a["info_hash"] = new BString(q.InfoHash.ToArray());
                break;
            case KrpcMethod.AnnouncePeer:
                a["info_hash"] = new BString(q.InfoHash.ToArray());
                a["port"] = new BInteger(q.Port);
                a["token"] = new BString(q.Token ?? []);
                if (q.ImpliedPort)
                {
                    a["implied_port"] = new BInteger(1);
                }
                break;
        }
        if (q.Want is { Count: > 0 } want)
        {
            a["want"] = new BList(want.Select(w => (BValue)new BString(w)));
        }
        if (q.ReadOnly)
        {
            a["ro"] = new BInteger(1);
        }
        return a;
    }

    private static BDictionary ResponseBody(KrpcResponse r)
    {
        var body = new BDictionary { ["id"] = new BString(r.Id.ToArray()) };
        if (r.Nodes.Count > 0)
        {
            body["nodes"] = new BString(CompactFormat.EncodeNodes(r.Nodes, AddressFamily.InterNetwork));
        }
        if (r.Nodes6.Count > 0)
        {
            body["nodes6"] = new BString(CompactFormat.EncodeNodes(r.Nodes6, AddressFamily.InterNetworkV6));
        }
        if (r.Values.Count > 0)
        {
            body["values"] = new BList(r.Values.Select(p => (BValue)new BString(CompactFormat.EncodePeer(p))));
        }
        if (r.Token is { } token)
        {
            body["token"] = new BString(token);
        }
        return body;
    }
}

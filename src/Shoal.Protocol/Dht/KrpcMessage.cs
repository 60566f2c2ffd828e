using System.Net;

namespace Shoal.Protocol.Dht;

/// <summary>The queries of BEP 5. <see cref="Unknown"/> carries any other method name so it can be answered 204.</summary>
public enum KrpcMethod
{
    Unknown,
    Ping,
    FindNode,
    GetPeers,
    AnnouncePeer,
}

/// <summary>KRPC error codes (BEP 5).</summary>
public static class KrpcErrorCode
{
    public const int Generic = 201;
    public const int Server = 202;
    public const int Protocol = 203;
    public const int MethodUnknown = 204;
}

/// <summary>
/// One KRPC message (<c>y</c> = q, r or e). The transaction id is opaque bytes chosen by the querier and echoed by
/// the responder; <see cref="Version"/> is the optional <c>v</c> client tag.
/// </summary>
public abstract record KrpcMessage(byte[] TransactionId)
{
    /// <summary>The <c>v</c> key: two client letters and two version bytes by convention; null when absent.</summary>
    public byte[]? Version { get; init; }
}

/// <summary>
/// A query. Which arguments matter depends on <see cref="Method"/>: <see cref="Target"/> for find_node,
/// <see cref="InfoHash"/> for get_peers and announce_peer, <see cref="Port"/>, <see cref="ImpliedPort"/> and
/// <see cref="Token"/> for announce_peer.
/// </summary>
public sealed record KrpcQuery(byte[] TransactionId, KrpcMethod Method, NodeId Id) : KrpcMessage(TransactionId)
{
    /// <summary>The <c>q</c> value as sent (useful for <see cref="KrpcMethod.Unknown"/>).</summary>
    public string MethodName { get; init; } = MethodNames.Of(Method);

    public NodeId Target { get; init; }

    public NodeId InfoHash { get; init; }

    public int Port { get; init; }

    /// <summary>BEP 5 <c>implied_port</c>: use the UDP source port instead of <see cref="Port"/> (for NATs).</summary>
    public bool ImpliedPort { get; init; }

    public byte[]? Token { get; init; }

    /// <summary>The BEP 32 <c>want</c> list ("n4", "n6") when present.</summary>
    public IReadOnlyList<string>? Want { get; init; }

    /// <summary>BEP 43 read-only flag <c>ro</c>: the sender does not answer queries, so it must not be routed to.</summary>
    public bool ReadOnly { get; init; }

    public static KrpcQuery Ping(byte[] tid, NodeId id) => new(tid, KrpcMethod.Ping, id);

    public static KrpcQuery FindNode(byte[] tid, NodeId id, NodeId target) => new(tid, KrpcMethod.FindNode, id) { Target = target };

    public static KrpcQuery GetPeers(byte[] tid, NodeId id, NodeId infoHash) => new(tid, KrpcMethod.GetPeers, id) { InfoHash = infoHash };

    public static KrpcQuery AnnouncePeer(byte[] tid, NodeId id, NodeId infoHash, int port, byte[] token, bool impliedPort = false) =>
        new(tid, KrpcMethod.AnnouncePeer, id) { InfoHash = infoHash, Port = port, Token = token, ImpliedPort = impliedPort };
}

/// <summary>
/// A response. The decoder cannot know which query it answers (only the querier can, from the transaction id), so it
/// carries every field any response may have; absent lists are empty.
/// </summary>
public sealed record KrpcResponse(byte[] TransactionId, NodeId Id) : KrpcMessage(TransactionId)
{
    /// <summary>IPv4 contacts (<c>nodes</c>, 26 bytes each).</summary>
    public IReadOnlyList<NodeInfo> Nodes { get; init; } = [];

    /// <summary>IPv6 contacts (<c>nodes6</c>, 38 bytes each, BEP 32).</summary>
    public IReadOnlyList<NodeInfo> Nodes6 { get; init; } = [];

    /// <summary>Peers for the info hash (<c>values</c>, compact 6- or 18-byte strings).</summary>
    public IReadOnlyList<IPEndPoint> Values { get; init; } = [];

    public byte[]? Token { get; init; }

    /// <summary>BEP 42 <c>ip</c>: how the responder sees the querier's address.</summary>
    public IPEndPoint? ExternalAddress { get; init; }
}

/// <summary>An error reply (<c>e</c> = [code, message]).</summary>
public sealed record KrpcError(byte[] TransactionId, int Code, string Message) : KrpcMessage(TransactionId);

internal static class MethodNames
{
    public const string Ping = "ping";
    public const string FindNode = "find_node";
    public const string GetPeers = "get_peers";
    public const string AnnouncePeer = "announce_peer";

    public static string Of(KrpcMethod method) => method switch
    {
        KrpcMethod.Ping => Ping,
        KrpcMethod.FindNode => FindNode,
        KrpcMethod.GetPeers => GetPeers,
        KrpcMethod.AnnouncePeer => AnnouncePeer,
        _ => "",
    };

    public static KrpcMethod Parse(ReadOnlySpan<byte> name) =>
        name.SequenceEqual("ping"u8) ? KrpcMethod.Ping
        : name.SequenceEqual("find_node"u8) ? KrpcMethod.FindNode
        : name.SequenceEqual("get_peers"u8) ? KrpcMethod.GetPeers
        : name.SequenceEqual("announce_peer"u8) ? KrpcMethod.AnnouncePeer
        : KrpcMethod.Unknown;
}

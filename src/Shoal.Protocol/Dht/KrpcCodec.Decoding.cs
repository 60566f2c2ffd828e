using System.Net;
using System.Net.Sockets;
using Shoal.Bencoding;

namespace Shoal.Protocol.Dht;

public static partial class KrpcCodec
{
    /// <summary>
    /// Decodes one datagram. Returns false with a reason for anything that is not a well-formed KRPC message: bad
    /// bencode, trailing bytes, missing or mistyped keys, wrong id lengths, over-long lists.
    /// </summary>
    public static bool TryDecode(ReadOnlyMemory<byte> packet, out KrpcMessage? message, out string? error)
    {
        message = null;
        if (BencodeReader.TryDecode(packet, out var value, out _, out var bencodeError, DecodeOptions) != DecodeStatus.Done)
        {
            error = $"not bencode: {bencodeError}";
            return false;
        }
        if (value is not BDictionary d)
        {
            error = "top level is not a dictionary";
            return false;
        }
        if (d.Get("t") is not BString { Length: > 0 and <= MaxTransactionIdLength } t)
        {
            error = "missing or bad transaction id 't'";
            return false;
        }
        byte[]? version = null;
        if (d.Get("v") is { } v)
        {
            // Tolerated when mistyped (some clients send odd things) but kept only when it is a short string.
            version = v is BString { Length: <= 16 } vs ? vs.Span.ToArray() : null;
        }
        if (d.Get("y") is not BString { Length: 1 } y)
        {
            error = "missing or bad message type 'y'";
            return false;
        }
        byte[] tid = t.Span.ToArray();
        bool ok = y.Span[0] switch
        {
            (byte)'q' => TryDecodeQuery(d, tid, out message, out error),
            (byte)'r' => TryDecodeResponse(d, tid, out message, out error),
            (byte)'e' => TryDecodeError(d, tid, out message, out error),
            _ => Fail("unknown message type 'y'", out message, out error),
        };
        if (ok)
        {
            message = message! with { Version = version };
        }
        return ok;
    }

    private static bool Fail(string reason, out KrpcMessage? message, out string? error)
    {
        message = null;
        error = reason;
        return false;
    }

    private static bool TryReadId(BDictionary args, string key, out NodeId id) =>
        NodeId.TryRead(args.Get(key) is BString s ? s.Span : default, out id);

    private static bool TryDecodeQuery(BDictionary d, byte[] tid, out KrpcMessage? message, out string? error)
    {
        if (d.Get("q") is not BString { Length: > 0 and <= 64 } q)
        {
            return Fail("missing or bad query method 'q'", out message, out error);
        }
        if (d.Get("a") is not BDictionary a)
        {
            return Fail("missing arguments 'a'", out message, out error);
        }
        if (!TryReadId(a, "id", out var id))
        {
            return Fail("missing or bad querier id", out message, out error);
        }
        var method = MethodNames.Parse(q.Span);
        var query = new KrpcQuery(tid, method, id) { MethodName = q.ToUtf8String() };
        switch (method)
        {
            case KrpcMethod.FindNode:
                if (!TryReadId(a, "target", out var target))
                {
                    return Fail("find_node without a 20-byte target", out message, out error);
                }
                query = query with { Target = target };
                break;
            case KrpcMethod.GetPeers:
                if (!TryReadId(a, "info_hash", out var infoHash))
                {
                    return Fail("get_peers without a 20-byte info_hash", out message, out error);
                }
                query = query with { InfoHash = infoHash };
                break;
            case KrpcMethod.AnnouncePeer:
                if (!TryDecodeAnnounce(a, query, out query, out error))
                {
                    message = null;
                    return false;
                }
                break;
        }
        if (a.Get("want") is BList want)
        {
            if (want.Count > 8 || want.Items.Any(w => w is not BString { Length: <= 8 }))
            {
                return Fail("bad 'want' list", out message, out error);
            }
            query = query with { Want = want.Items.Select(w => ((BString)w).ToUtf8String()).ToList() };
        }
        query = query with { ReadOnly = a.Get("ro") is BInteger { Value: 1 } };
        message = query;
        error = null;
        return true;
    }

    private static bool TryDecodeAnnounce(BDictionary a, KrpcQuery query, out KrpcQuery result, out string? error)
    {
        result = query;
        if (!TryReadId(a, "info_hash", out var infoHash))
        {
            error = "announce_peer without a 20-byte info_hash";
            return false;
        }
        if (a.Get("token") is not BString { Length: > 0 and <= 64 } token)
        {
            error = "announce_peer without a token";
            return false;
        }
        bool implied = a.Get("implied_port") is BInteger { Value: not 0 };
        int port = 0;
        if (a.Get("port") is BInteger p)
        {
            if (p.Value is < 0 or > 65535)
            {
                error = "announce_peer port out of range";
                return false;
            }
            port = (int)p.Value;
        }
        else if (a.Get("port") is not null)
        {
            error = "announce_peer port is not an integer";
            return false;
        }
        if (!implied && port == 0)
        {
            error = "announce_peer without a port";
            return false;
        }
        result = query with { InfoHash = infoHash, Port = port, ImpliedPort = implied, Token = token.Span.ToArray() };
        error = null;
        return true;
    }

    private static bool TryDecodeResponse(BDictionary d, byte[] tid, out KrpcMessage? message, out string? error)
    {
        if (d.Get("r") is not BDictionary r)
        {
            return Fail("missing response body 'r'", out message, out error);
        }
        if (!TryReadId(r, "id", out var id))
        {
            return Fail("missing or bad responder id", out message, out error);
        }
        List<NodeInfo> nodes = [], nodes6 = [];
        if (r.Get("nodes") is { } n && !TryNodes(n, AddressFamily.InterNetwork, out nodes, out error))
        {
            return Fail(error!, out message, out error);
        }
        if (r.Get("nodes6") is { } n6 && !TryNodes(n6, AddressFamily.InterNetworkV6, out nodes6, out error))
        {
            return Fail(error!, out message, out error);
        }
        var values = new List<IPEndPoint>();
        if (r.Get("values") is { } vs)
        {
            if (vs is not BList list)
            {
                return Fail("'values' is not a list", out message, out error);
            }
            if (list.Count > MaxValues)
            {
                return Fail($"'values' has {list.Count} peers (limit {MaxValues})", out message, out error);
            }
            foreach (var item in list.Items)
            {
                if (item is not BString s)
                {
                    return Fail("'values' item is not a string", out message, out error);
                }
                // A stray odd-length entry is skipped: one bad peer should not cost the rest of the reply.
                if (CompactFormat.TryReadPeer(s.Span, out var peer))
                {
                    values.Add(peer);
                }
            }
        }
        byte[]? token = null;
        if (r.Get("token") is { } tk)
        {
            if (tk is not BString { Length: <= 64 } ts)
            {
                return Fail("bad 'token'", out message, out error);
            }
            token = ts.Span.ToArray();
        }
        IPEndPoint? external = null;
        if (d.Get("ip") is BString ip && CompactFormat.TryReadPeer(ip.Span, out var ext))
        {
            external = ext;
        }
        message = new KrpcResponse(tid, id) { Nodes = nodes, Nodes6 = nodes6, Values = values, Token = token, ExternalAddress = external };
        error = null;
        return true;
    }

    private static bool TryNodes(BValue value, AddressFamily family, out List<NodeInfo> nodes, out string? error)
    {
        if (value is not BString s)
        {
            nodes = [];
            error = "compact nodes are not a string";
            return false;
        }
        return CompactFormat.TryReadNodes(s.Span, family, MaxNodesPerList, out nodes, out error);
    }

    private static bool TryDecodeError(BDictionary d, byte[] tid, out KrpcMessage? message, out string? error)
    {
        if (d.Get("e") is not BList { Count: >= 1 } e || e[0] is not BInteger code)
        {
            return Fail("missing or bad error body 'e'", out message, out error);
        }
        string text = e.Count >= 2 && e[1] is BString s ? s.ToUtf8String() : "";
        message = new KrpcError(tid, (int)Math.Clamp(code.Value, int.MinValue, int.MaxValue), text);
        error = null;
        return true;
    }
}

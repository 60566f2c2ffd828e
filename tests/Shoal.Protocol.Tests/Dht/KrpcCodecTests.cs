using System.Net;
using System.Text;
using Shoal.Protocol.Dht;

namespace Shoal.Protocol.Tests.Dht;

public class KrpcCodecTests
{
    private static readonly byte[] Tid = "aa"u8.ToArray();
    private static readonly NodeId IdA = new("abcdefghij0123456789"u8);
    private static readonly NodeId IdB = new("mnopqrstuvwxyz123456"u8);

    private static T RoundTrip<T>(KrpcMessage m) where T : KrpcMessage
    {
        var bytes = KrpcCodec.Encode(m);
        Assert.True(KrpcCodec.TryDecode(bytes, out var back, out var error), error);
        return Assert.IsType<T>(back);
    }

    private static KrpcMessage? Decode(string text)
    {
        Assert.True(KrpcCodec.TryDecode(Encoding.Latin1.GetBytes(text), out var m, out var error), error);
        return m;
    }

    private static string Reject(string text)
    {
        Assert.False(KrpcCodec.TryDecode(Encoding.Latin1.GetBytes(text), out var m, out var error));
        Assert.Null(m);
        return error!;
    }

    [Fact]
    public void Ping_query_encodes_as_in_bep5()
    {
        var bytes = KrpcCodec.Encode(KrpcQuery.Ping(Tid, IdA));
        Assert.Equal("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe", Encoding.ASCII.GetString(bytes));
    }

    [Fact]
    public void Bep5_example_messages_decode()
    {
        var q = Assert.IsType<KrpcQuery>(Decode("d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:qe"));
        Assert.Equal(KrpcMethod.FindNode, q.Method);
        Assert.Equal(IdB, q.Target);
        var a = Assert.IsType<KrpcQuery>(Decode("d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe"));
        Assert.Equal(KrpcMethod.AnnouncePeer, a.Method);
        Assert.True(a.ImpliedPort);
        Assert.Equal(6881, a.Port);
        Assert.Equal("aoeusnth"u8.ToArray(), a.Token);
        var r = Assert.IsType<KrpcResponse>(Decode("d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:y1:re"));
        Assert.Equal(2, r.Values.Count);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("97.120.106.101"), 0x2e75), r.Values[0]);
        var e = Assert.IsType<KrpcError>(Decode("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee"));
        Assert.Equal(201, e.Code);
        Assert.Equal("A Generic Error Ocurred", e.Message);
    }

    [Fact]
    public void Queries_round_trip()
    {
        var fn = RoundTrip<KrpcQuery>(KrpcQuery.FindNode(Tid, IdA, IdB));
        Assert.Equal((KrpcMethod.FindNode, IdA, IdB), (fn.Method, fn.Id, fn.Target));
        var gp = RoundTrip<KrpcQuery>(KrpcQuery.GetPeers(Tid, IdA, IdB) with { Want = ["n4", "n6"] });
        Assert.Equal((KrpcMethod.GetPeers, IdB), (gp.Method, gp.InfoHash));
        Assert.Equal(["n4", "n6"], gp.Want!);
        var ap = RoundTrip<KrpcQuery>(KrpcQuery.AnnouncePeer(Tid, IdA, IdB, 51413, [1, 2, 3], impliedPort: true) with { Version = [(byte)'S', (byte)'H', 0, 1] });
        Assert.Equal((KrpcMethod.AnnouncePeer, 51413, true), (ap.Method, ap.Port, ap.ImpliedPort));
        Assert.Equal(new byte[] { 1, 2, 3 }, ap.Token);
        Assert.Equal(new byte[] { (byte)'S', (byte)'H', 0, 1 }, ap.Version);
        var ping = RoundTrip<KrpcQuery>(KrpcQuery.Ping([9, 9, 9, 9], IdA) with { ReadOnly = true });
        Assert.True(ping.ReadOnly);
        Assert.Equal(new byte[] { 9, 9, 9, 9 }, ping.TransactionId);
    }

    [Fact]
    public void Unknown_method_decodes_with_its_name()
    {
        var q = Assert.IsType<KrpcQuery>(Decode("d1:ad2:id20:abcdefghij0123456789e1:q9:sample_me1:t2:aa1:y1:qe"));
        Assert.Equal(KrpcMethod.Unknown, q.Method);
        Assert.Equal("sample_me", q.MethodName);
    }

    [Fact]
    public void Response_round_trips_every_field()
    {
        var nodes = Enumerable.Range(1, 8).Select(i => new NodeInfo(NodeId.CreateRandom(), new IPEndPoint(IPAddress.Parse($"192.0.2.{i}"), 6000 + i))).ToList();
        var nodes6 = Enumerable.Range(1, 2).Select(i => new NodeInfo(NodeId.CreateRandom(), new IPEndPoint(IPAddress.Parse($"2001:db8::{i}"), 7000 + i))).ToList();
        var values = new List<IPEndPoint> { new(IPAddress.Parse("198.51.100.1"), 1), new(IPAddress.Parse("2001:db8::9"), 65535) };
        var r = RoundTrip<KrpcResponse>(new KrpcResponse(Tid, IdA)
        {
            Nodes = nodes, Nodes6 = nodes6, Values = values, Token = [7, 7], ExternalAddress = new IPEndPoint(IPAddress.Parse("203.0.113.5"), 4000),
        });
        Assert.Equal(IdA, r.Id);
        Assert.Equal(nodes, r.Nodes);
        Assert.Equal(nodes6, r.Nodes6);
        Assert.Equal(values, r.Values);
        Assert.Equal(new byte[] { 7, 7 }, r.Token);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("203.0.113.5"), 4000), r.ExternalAddress);
    }

    [Fact]
    public void Error_round_trips()
    {
        var e = RoundTrip<KrpcError>(new KrpcError(Tid, KrpcErrorCode.Protocol, "bad token"));
        Assert.Equal((203, "bad token"), (e.Code, e.Message));
    }

    [Theory]
    [InlineData("")]
    [InlineData("le")]
    [InlineData("i42e")]
    [InlineData("d1:t2:aa1:y1:qe")] // query without q and a
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:y1:qe")] // no transaction id
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t0:1:y1:qe")] // empty transaction id
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:ti1e1:y1:qe")] // integer transaction id
    [InlineData("d1:ad2:id19:abcdefghij012345678e1:q4:ping1:t2:aa1:y1:qe")] // 19-byte id
    [InlineData("d1:ad2:idi5ee1:q4:ping1:t2:aa1:y1:qe")] // id of the wrong type
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:xe")] // unknown y
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y2:qqe")] // long y
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:q")] // truncated
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qee")] // trailing byte
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q9:find_node1:t2:aa1:y1:qe")] // find_node without target
    [InlineData("d1:ad2:id20:abcdefghij0123456789e1:q9:get_peers1:t2:aa1:y1:qe")] // get_peers without info_hash
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881ee1:q13:announce_peer1:t2:aa1:y1:qe")] // no token
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234565:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe")] // no port
    [InlineData("d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti70000e5:token1:xe1:q13:announce_peer1:t2:aa1:y1:qe")] // port out of range
    [InlineData("d1:rd2:id20:abcdefghij01234567895:nodes3:abce1:t2:aa1:y1:re")] // nodes not a multiple of 26
    [InlineData("d1:rd2:id20:abcdefghij01234567895:nodesi1ee1:t2:aa1:y1:re")] // nodes of the wrong type
    [InlineData("d1:rd2:id20:abcdefghij01234567896:values6:axje.ue1:t2:aa1:y1:re")] // values not a list
    [InlineData("d1:rd2:id20:abcdefghij01234567896:valuesli1eee1:t2:aa1:y1:re")] // values item not a string
    [InlineData("d1:rd5:token2:xxe1:t2:aa1:y1:re")] // response without id
    [InlineData("d1:eli201ee1:t2:aa1:y1:ee")] // fine? no: see below
    [InlineData("d1:ele1:t2:aa1:y1:ee")] // empty error list
    [InlineData("d1:el3:abce1:t2:aa1:y1:ee")] // error code not an integer
    [InlineData("d1:t17:aaaaaaaaaaaaaaaaa1:y1:re")] // over-long transaction id
    public void Malformed_messages_are_rejected_with_a_reason(string text)
    {
        if (text == "d1:eli201ee1:t2:aa1:y1:ee")
        {
            // An error without a message is tolerated: the code is what matters.
            Assert.IsType<KrpcError>(Decode(text));
            return;
        }
        Assert.False(string.IsNullOrEmpty(Reject(text)));
    }

    [Fact]
    public void Oversized_values_list_is_rejected()
    {
        var sb = new StringBuilder("d1:rd2:id20:abcdefghij01234567896:valuesl");
        for (int i = 0; i <= KrpcCodec.MaxValues; i++)
        {
            sb.Append("6:axje.u");
        }
        sb.Append("ee1:t2:aa1:y1:re");
        Assert.Contains("limit", Reject(sb.ToString()));
    }

    [Fact]
    public void Oversized_nodes_list_is_rejected()
    {
        int n = (KrpcCodec.MaxNodesPerList + 1) * 26;
        var text = $"d1:rd2:id20:abcdefghij01234567895:nodes{n}:{new string('x', n)}e1:t2:aa1:y1:re";
        Assert.Contains("limit", Reject(text));
    }

    [Fact]
    public void Deep_nesting_is_rejected_without_recursion_trouble()
    {
        var text = "d1:ad2:id20:abcdefghij01234567891:x" + new string('l', 5000) + new string('e', 5000) + "e1:q4:ping1:t2:aa1:y1:qe";
        Reject(text);
    }

    [Fact]
    public void Extra_keys_are_ignored()
    {
        var q = Assert.IsType<KrpcQuery>(Decode("d1:ad2:id20:abcdefghij01234567895:extrai1ee1:q4:ping1:t2:aa1:v4:LT\u0001\u00001:y1:q3:zzzlee"));
        Assert.Equal(KrpcMethod.Ping, q.Method);
        Assert.Equal(4, q.Version!.Length);
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Shoal.Bencoding;
using Shoal.Protocol.Dht;
using Shoal.Protocol.PeerWire;

namespace Shoal.Fuzz;

/// <summary>Writes the small self-made seed corpora (fuzz/corpus/&lt;target&gt;/). Deterministic, so re-running is a no-op.</summary>
internal static class Seeds
{
    public static void WriteAll(string root)
    {
        Write(root, "bencode", Bencode());
        Write(root, "metainfo", Metainfo());
        Write(root, "magnet", Magnet().Select(Encoding.UTF8.GetBytes));
        Write(root, "peerwire", PeerWire());
        Write(root, "tracker-http", TrackerHttp());
        Write(root, "tracker-udp", TrackerUdp());
        Write(root, "krpc", Krpc());
    }

    private static void Write(string root, string target, IEnumerable<byte[]> seeds)
    {
        string dir = Path.Combine(root, target);
        Directory.CreateDirectory(dir);
        int i = 0;
        foreach (var seed in seeds)
        {
            File.WriteAllBytes(Path.Combine(dir, $"seed-{i++:D2}"), seed);
        }
        Console.WriteLine($"{target}: {i} seeds in {dir}");
    }

    private static IEnumerable<byte[]> Bencode() => new[]
    {
        "i0e", "i-42e", "i9223372036854775807e", "4:spam", "0:", "le", "de", "l4:spami42ee", "d3:bar4:spam3:fooi42ee",
        "llllleeeee", "d1:bi1e1:ai2ee", "d1:ai1e1:ai2ee", "d1:ad1:bl1:cee1:ei-1ee", "i1ei2e",
    }.Select(Encoding.ASCII.GetBytes).Append(BencodeWriter.Encode(Torrent(multi: true)));

    private static BDictionary Info(bool multi)
    {
        var info = new BDictionary
        {
            ["name"] = S("seed"),
            ["piece length"] = I(16384),
        };
        if (multi)
        {
            var files = new BList();
            foreach (var (path, length) in new[] { (new[] { "a.txt" }, 20000L), (new[] { "sub", "b.bin" }, 5L), (new[] { ".pad", "16379" }, 16379L) })
            {
                var file = new BDictionary { ["length"] = I(length), ["path"] = new BList(path.Select(p => (BValue)new BString(p))) };
                if (path[0] == ".pad")
                {
                    file["attr"] = S("p");
                }
                files.Add(file);
            }
            info["files"] = files;
            info["pieces"] = new BString(RandomBytes(20 * 3, 1));
        }
        else
        {
            info["length"] = I(40000);
            info["pieces"] = new BString(RandomBytes(20 * 3, 2));
        }
        return info;
    }

    private static BDictionary Torrent(bool multi) => new()
    {
        ["announce"] = S("http://127.0.0.1:6969/announce"),
        ["announce-list"] = new BList([new BList([new BString("http://127.0.0.1:6969/announce")]), new BList([new BString("udp://127.0.0.1:6969")])]),
        ["comment"] = S("fuzz seed"),
        ["creation date"] = I(1700000000),
        ["info"] = Info(multi),
        ["url-list"] = S("http://127.0.0.1:8080/"),
    };

    private static IEnumerable<byte[]> Metainfo()
    {
        yield return BencodeWriter.Encode(Torrent(multi: false));
        yield return BencodeWriter.Encode(Torrent(multi: true));
        yield return BencodeWriter.Encode(Info(multi: true));
        var traversal = Info(multi: true);
        traversal["files"] = new BList([new BDictionary { ["length"] = I(1), ["path"] = new BList([new BString(".."), new BString("x")]) }]);
        traversal["pieces"] = new BString(RandomBytes(20, 3));
        yield return BencodeWriter.Encode(new BDictionary { ["info"] = traversal });
    }

    private static IEnumerable<string> Magnet() =>
    [
        "magnet:?xt=urn:btih:" + Convert.ToHexString(RandomBytes(20, 4)),
        "magnet:?xt=urn:btih:" + Convert.ToHexString(RandomBytes(20, 5)).ToLowerInvariant() + "&dn=Some%20Name&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce",
        "magnet:?xt=urn:btih:CIMXJDFKQGWBJVCIDOFMUBZLG3FQWBBM&dn=b32&tr=udp://127.0.0.1:6969&x.pe=127.0.0.1:6881&x.pe=[::1]:6881",
        "magnet:?dn=first&xt=urn:btih:" + Convert.ToHexString(RandomBytes(20, 6)) + "&tr.1=http://a/&tr.2=http://b/",
    ];

    private static IEnumerable<byte[]> PeerWire()
    {
        var wire = new List<byte>();
        var buf = new byte[256];
        void Add(int n) => wire.AddRange(buf.AsSpan(0, n).ToArray());
        Add(PeerMessageWriter.WriteKeepAlive(buf));
        Add(PeerMessageWriter.WriteInterested(buf));
        Add(PeerMessageWriter.WriteUnchoke(buf));
        Add(PeerMessageWriter.WriteHave(buf, 2));
        Add(PeerMessageWriter.WriteBitfield(buf, [0xe0]));
        Add(PeerMessageWriter.WriteRequest(buf, 1, 16384, 16384));
        Add(PeerMessageWriter.WritePiece(buf, 0, 0, [1, 2, 3, 4, 5]));
        Add(PeerMessageWriter.WriteCancel(buf, 1, 0, 16384));
        Add(PeerMessageWriter.WriteReject(buf, 3, 0, 5));
        Add(PeerMessageWriter.WritePort(buf, 6881));
        Add(PeerMessageWriter.WriteHaveAll(buf));
        Add(PeerMessageWriter.WriteAllowedFast(buf, 0));
        Add(PeerMessageWriter.WriteExtended(buf, 0, Encoding.ASCII.GetBytes("d1:md11:ut_metadatai3ee1:pi6881e13:metadata_sizei1000ee")));
        Add(PeerMessageWriter.WriteExtended(buf, 3, Encoding.ASCII.GetBytes("d8:msg_typei1e5:piecei0eexyz")));
        var messages = wire.ToArray();

        var hs = new byte[Handshake.Length];
        new Handshake(default, new Shoal.Protocol.InfoHash(RandomBytes(20, 7)), new Shoal.Protocol.PeerId(RandomBytes(20, 8))).Write(hs);

        yield return [0x01, 0, 0, 0, .. messages];
        yield return [0x02, 1, 3, 7, .. messages];
        yield return [0x81, 5, 1, 2, .. hs, .. messages];
        yield return [0x80, 0, 0, 0, .. hs];
        var huge = new byte[9];
        BinaryPrimitives.WriteUInt32BigEndian(huge, 0x4000_0009);
        huge[4] = 7;
        yield return [0x03, 2, 2, 2, .. huge];
    }

    private static BString S(string s) => s;

    private static BInteger I(long v) => v;

    private static IEnumerable<byte[]> TrackerHttp()
    {
        byte[] compact = [127, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 2, 0x1a, 0xe2];
        byte[] compact6 = [.. new byte[15], 1, 0x1a, 0xe1];
        var announce = new BDictionary
        {
            ["interval"] = I(1800), ["min interval"] = I(60), ["complete"] = I(3), ["incomplete"] = I(4),
            ["tracker id"] = S("abc"), ["peers"] = new BString(compact), ["peers6"] = new BString(compact6),
            ["warning message"] = S("be nice"),
        };
        yield return [0x00, .. BencodeWriter.Encode(announce)];
        var dictPeers = new BDictionary
        {
            ["interval"] = I(900),
            ["peers"] = new BList([new BDictionary { ["ip"] = S("127.0.0.1"), ["port"] = I(6881), ["peer id"] = new BString(RandomBytes(20, 9)) },
                new BDictionary { ["ip"] = S("::1"), ["port"] = I(6882) }]),
        };
        yield return [0x04, .. BencodeWriter.Encode(dictPeers), (byte)'\n'];
        yield return [0x00, .. BencodeWriter.Encode(new BDictionary { ["failure reason"] = S("unregistered torrent") })];
        var files = new BDictionary();
        files.Set(new BString(RandomBytes(20, 10)), new BDictionary { ["complete"] = I(5), ["downloaded"] = I(50), ["incomplete"] = I(10) });
        yield return [0x01, .. BencodeWriter.Encode(new BDictionary { ["files"] = files })];
    }

    private static IEnumerable<byte[]> TrackerUdp()
    {
        static byte[] Header(int action, int tid, int extra)
        {
            var b = new byte[8 + extra];
            BinaryPrimitives.WriteInt32BigEndian(b, action);
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4), tid);
            return b;
        }
        var connect = Header(0, 0x0badf00d, 8);
        BinaryPrimitives.WriteInt64BigEndian(connect.AsSpan(8), 0x41727101980);
        yield return [0x18, .. connect];
        var announce = Header(1, 0x1234, 12 + 12);
        BinaryPrimitives.WriteInt32BigEndian(announce.AsSpan(8), 1800);
        BinaryPrimitives.WriteInt32BigEndian(announce.AsSpan(12), 2);
        BinaryPrimitives.WriteInt32BigEndian(announce.AsSpan(16), 7);
        new byte[] { 127, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 2, 0, 0 }.CopyTo(announce, 20);
        yield return [0x01, .. announce];
        var announce6 = Header(1, 0x1234, 12 + 18);
        announce6[20 + 15] = 1;
        announce6[20 + 16] = 0x1a;
        yield return [0x04, .. announce6];
        var scrape = Header(2, 0x1234, 24);
        yield return [0x20, .. scrape];
        yield return [0x0a, .. Header(3, 7, 0), .. "not allowed\0\0"u8];
    }

    private static IEnumerable<byte[]> Krpc()
    {
        var id = new NodeId(RandomBytes(20, 11));
        var other = new NodeId(RandomBytes(20, 12));
        byte[] tid = [0x61, 0x62];
        yield return KrpcCodec.Encode(KrpcQuery.Ping(tid, id));
        yield return KrpcCodec.Encode(KrpcQuery.FindNode(tid, id, other));
        yield return KrpcCodec.Encode(KrpcQuery.GetPeers(tid, id, other));
        yield return KrpcCodec.Encode(KrpcQuery.AnnouncePeer(tid, id, other, 6881, [1, 2, 3, 4], impliedPort: true));
        yield return KrpcCodec.Encode(new KrpcResponse(tid, id)
        {
            Nodes = [new NodeInfo(other, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 6881))],
            Nodes6 = [new NodeInfo(other, new System.Net.IPEndPoint(System.Net.IPAddress.IPv6Loopback, 6882))],
            Values = [new System.Net.IPEndPoint(System.Net.IPAddress.Parse("10.0.0.2"), 51413)],
            Token = [9, 9, 9, 9],
            ExternalAddress = new System.Net.IPEndPoint(System.Net.IPAddress.Parse("192.0.2.7"), 6881),
        });
        yield return KrpcCodec.Encode(new KrpcError(tid, KrpcErrorCode.Protocol, "bad token"));
        yield return "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:y1:q4:wantl2:n42:n6ee"u8.ToArray();
    }

    private static byte[] RandomBytes(int count, int seed)
    {
        // Deterministic filler: hash chain from the seed number.
        var output = new byte[count];
        var block = SHA1.HashData(BitConverter.GetBytes(seed));
        for (int i = 0; i < count; i++)
        {
            if (i > 0 && i % block.Length == 0)
            {
                block = SHA1.HashData(block);
            }
            output[i] = block[i % block.Length];
        }
        return output;
    }
}

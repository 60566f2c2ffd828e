using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Shoal.Bencoding;
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

using BenchmarkDotNet.Attributes;
using Shoal.Bencoding;
using Shoal.Protocol.Metainfo;

namespace Shoal.Benchmarks;

/// <summary>
/// Decoding a large torrent: 100,000 files (about 6 MB of bencode), first as a bencode tree, then as a full
/// metainfo parse (paths sanitised, file offsets laid out).
/// </summary>
[MemoryDiagnoser]
public class BencodeBenchmarks
{
    private const int FileCount = 100_000;
    private byte[] _torrent = [];

    [GlobalSetup]
    public void Setup()
    {
        var files = new BList();
        for (int i = 0; i < FileCount; i++)
        {
            var path = new BList();
            path.Add(new BString($"dir{i / 1000:D3}"));
            path.Add(new BString($"file-{i:D6}.dat"));
            var f = new BDictionary();
            f["length"] = new BInteger(1000 + (i % 4096));
            f["path"] = path;
            files.Add(f);
        }
        long total = 0;
        for (int i = 0; i < FileCount; i++)
        {
            total += 1000 + (i % 4096);
        }
        const int pieceLength = 256 * 1024;
        long pieces = (total + pieceLength - 1) / pieceLength;
        var info = new BDictionary();
        info["name"] = new BString("many-files");
        info["piece length"] = new BInteger(pieceLength);
        info["pieces"] = new BString(new byte[pieces * 20]);
        info["files"] = files;
        var root = new BDictionary();
        root["announce"] = new BString("http://127.0.0.1:6969/announce");
        root["info"] = info;
        _torrent = BencodeWriter.Encode(root);
    }

    [Benchmark(Description = "bencode decode, 100k-file torrent")]
    public BValue Decode() => BencodeReader.Decode(_torrent);

    [Benchmark(Description = "metainfo parse, 100k-file torrent")]
    public TorrentMetainfo Parse() => TorrentMetainfo.Parse(_torrent);
}

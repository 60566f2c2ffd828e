using Shoal.Bencoding;

namespace Shoal.Protocol.Tests.Metainfo;

/// <summary>Builds (possibly hostile) torrents with <see cref="BencodeWriter"/>; piece hashes are zeros of the right count.</summary>
internal static class TestTorrents
{
    public const int PieceLength = 16384;

    public static BDictionary Info(string name, long length, int pieceLength = PieceLength)
    {
        var info = new BDictionary();
        info["name"] = name;
        info["piece length"] = pieceLength;
        info["length"] = length;
        info["pieces"] = new BString(new byte[PieceCount(length, pieceLength) * 20]);
        return info;
    }

    public static BDictionary MultiInfo(string name, params (BValue[] Path, long Length)[] files)
    {
        var list = new BList();
        long total = 0;
        foreach (var (path, length) in files)
        {
            var f = new BDictionary();
            f["length"] = length;
            f["path"] = new BList(path);
            list.Add(f);
            total += length;
        }
        var info = new BDictionary();
        info["name"] = name;
        info["piece length"] = PieceLength;
        info["files"] = list;
        info["pieces"] = new BString(new byte[Math.Max(1, PieceCount(total, PieceLength)) * 20]);
        return info;
    }

    public static BValue[] P(params string[] components) => [.. components.Select(c => (BValue)new BString(c))];

    public static byte[] Torrent(BDictionary info, Action<BDictionary>? top = null)
    {
        var root = new BDictionary();
        root["announce"] = "http://tracker.example/announce";
        root["info"] = info;
        top?.Invoke(root);
        return BencodeWriter.Encode(root);
    }

    public static long PieceCount(long total, int pieceLength) => (total + pieceLength - 1) / pieceLength;
}

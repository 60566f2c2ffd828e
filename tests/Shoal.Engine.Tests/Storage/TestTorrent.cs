using System.Security.Cryptography;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Storage;

/// <summary>Builds a TorrentMetainfo (with correct piece hashes) over deterministic random content.</summary>
internal static class TestTorrent
{
    /// <summary>A file spec: path with '/' separators, length, and whether it is a BEP 47 pad file.</summary>
    public readonly record struct Spec(string Path, long Length, bool Pad = false);

    public static (TorrentMetainfo Meta, byte[] Data) Create(string name, int pieceLength, IReadOnlyList<Spec> files,
        bool multiFile = true, int seed = 1)
    {
        long total = files.Sum(f => f.Length);
        var data = new byte[total];
        new Random(seed).NextBytes(data);
        long offset = 0;
        var list = new List<TorrentFile>();
        foreach (Spec f in files)
        {
            if (f.Pad)
            {
                Array.Clear(data, (int)offset, (int)f.Length);
            }
            list.Add(new TorrentFile(f.Path.Split('/'), f.Length, offset, f.Pad));
            offset += f.Length;
        }
        var lengths = new TorrentLengths(total, pieceLength);
        var hashes = new byte[lengths.PieceCount * 20];
        for (int i = 0; i < lengths.PieceCount; i++)
        {
            SHA1.HashData(data.AsSpan((int)lengths.PieceOffset(i), lengths.PieceSize(i)), hashes.AsSpan(i * 20, 20));
        }
        var meta = new TorrentMetainfo
        {
            InfoHash = new InfoHash(SHA1.HashData(hashes)),
            RawInfo = Array.Empty<byte>(),
            Name = name,
            PieceLength = pieceLength,
            PieceHashes = hashes,
            Lengths = lengths,
            Files = list,
            IsMultiFile = multiFile,
        };
        return (meta, data);
    }

    public static (TorrentMetainfo Meta, byte[] Data) Single(string name, int pieceLength, long length, int seed = 1) =>
        Create(name, pieceLength, [new Spec(name, length)], multiFile: false, seed: seed);
}

/// <summary>A temp folder deleted at dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "shoal-storage-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

using System.Security.Cryptography;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Session;

/// <summary>Builds metainfo by hand (no parser needed) and writes seed data for loopback swarm tests.</summary>
internal static class TestTorrents
{
    public static byte[] RandomData(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    /// <summary>
    /// A copy of <paramref name="m"/> with some of its metadata replaced (info hash and pieces unchanged), for tests
    /// that need the same payload as a private torrent, with other trackers, or with another file list.
    /// </summary>
    public static TorrentMetainfo Derive(TorrentMetainfo m, bool? isPrivate = null,
        IReadOnlyList<IReadOnlyList<string>>? announceTiers = null, IReadOnlyList<TorrentFile>? files = null) => new()
    {
        InfoHash = m.InfoHash,
        RawInfo = m.RawInfo,
        Name = m.Name,
        PieceLength = m.PieceLength,
        PieceHashes = m.PieceHashes,
        Lengths = m.Lengths,
        Files = files ?? m.Files,
        IsMultiFile = files is not null || m.IsMultiFile,
        AnnounceTiers = announceTiers ?? m.AnnounceTiers,
        IsPrivate = isPrivate ?? m.IsPrivate,
    };

    /// <summary>A torrent over <paramref name="data"/> split into files of the given lengths (one file: single-file torrent).</summary>
    public static TorrentMetainfo Create(byte[] data, int pieceLength, string name, params long[] fileLengths)
    {
        if (fileLengths.Length == 0)
        {
            fileLengths = [data.Length];
        }
        var lengths = new TorrentLengths(data.Length, pieceLength);
        var hashes = new byte[lengths.PieceCount * 20];
        for (int i = 0; i < lengths.PieceCount; i++)
        {
            SHA1.HashData(data.AsSpan((int)lengths.PieceOffset(i), lengths.PieceSize(i)), hashes.AsSpan(i * 20, 20));
        }
        bool multi = fileLengths.Length > 1;
        var files = new List<TorrentFile>();
        long offset = 0;
        for (int i = 0; i < fileLengths.Length; i++)
        {
            files.Add(new TorrentFile(multi ? ["dir", $"file{i}.bin"] : [name], fileLengths[i], offset));
            offset += fileLengths[i];
        }
        var rawInfo = RandomData(64, name.GetHashCode(StringComparison.Ordinal) ^ data.Length);
        return new TorrentMetainfo
        {
            InfoHash = InfoHash.Compute(rawInfo),
            RawInfo = rawInfo,
            Name = name,
            PieceLength = pieceLength,
            PieceHashes = hashes,
            Lengths = lengths,
            Files = files,
            IsMultiFile = multi,
        };
    }

    /// <summary>Writes the torrent's data where a client with download folder <paramref name="dir"/> expects it.</summary>
    public static void WriteData(TorrentMetainfo meta, byte[] data, string dir)
    {
        foreach (var f in meta.Files)
        {
            string path = meta.IsMultiFile ? Path.Combine([dir, meta.Name, .. f.PathComponents]) : Path.Combine(dir, meta.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, data.AsSpan((int)f.Offset, (int)f.Length).ToArray());
        }
    }

    public static byte[] ReadData(TorrentMetainfo meta, string dir)
    {
        var ms = new MemoryStream();
        foreach (var f in meta.Files)
        {
            string path = meta.IsMultiFile ? Path.Combine([dir, meta.Name, .. f.PathComponents]) : Path.Combine(dir, meta.Name);
            ms.Write(File.ReadAllBytes(path));
        }
        return ms.ToArray();
    }
}

/// <summary>A temporary folder removed on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "shoal-engine-" + Guid.NewGuid().ToString("N")[..12]);

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

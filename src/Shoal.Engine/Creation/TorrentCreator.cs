using Shoal.Bencoding;
using Shoal.Protocol;

namespace Shoal.Engine.Creation;

/// <summary>A torrent just made: the .torrent bytes and what describes them.</summary>
public sealed record CreatedTorrent(byte[] TorrentFile, InfoHash InfoHash, string Name, int PieceLength, int PieceCount,
    long TotalLength, IReadOnlyList<SourceFile> Files);

/// <summary>Makes v1 .torrent files (BEP 3, with BEP 12 announce-list, BEP 19 url-list, BEP 27 private).</summary>
public static class TorrentCreator
{
    public const string DefaultCreatedBy = "Shoal/0.1";

    /// <summary>
    /// Collects, hashes on every core and encodes. Throws <see cref="TorrentCreationException"/> for input that cannot
    /// make a torrent (missing, empty, loops, bad piece size) and <see cref="IOException"/> for read failures.
    /// </summary>
    public static CreatedTorrent Create(TorrentCreationOptions options, CreationProgress? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PieceLength is { } given && !PieceSizing.IsAcceptable(given))
        {
            throw new TorrentCreationException(
                $"piece size {given} is not a power of two from {PieceSizing.MinPieceLength} to {PieceSizing.MaxPieceLength}");
        }
        var files = FileCollector.Collect(options.SourcePath, out string name);
        long total = files.Sum(f => f.Length);
        if (total == 0)
        {
            throw new TorrentCreationException(files.Count == 0
                ? $"'{options.SourcePath}' holds no files"
                : $"'{options.SourcePath}' holds only empty files");
        }
        int pieceLength = options.PieceLength ?? PieceSizing.Choose(total);
        if (progress is not null)
        {
            progress.TotalBytes = total;
        }
        byte[] pieces = PieceHasher.Hash(files, pieceLength, progress, options.Workers,
            cancellationToken: cancellationToken);

        var info = BuildInfo(name, files, pieceLength, pieces, options.IsPrivate, isSingleFile: File.Exists(options.SourcePath));
        byte[] rawInfo = BencodeWriter.Encode(info);
        var torrent = BuildTorrent(info, options);
        return new CreatedTorrent(BencodeWriter.Encode(torrent), InfoHash.Compute(rawInfo), name, pieceLength,
            pieces.Length / 20, total, files);
    }

    internal static BDictionary BuildInfo(string name, IReadOnlyList<SourceFile> files, int pieceLength, byte[] pieces,
        bool isPrivate, bool isSingleFile)
    {
        var info = new BDictionary();
        info["name"] = new BString(name);
        info["piece length"] = new BInteger(pieceLength);
        info["pieces"] = new BString(pieces);
        if (isSingleFile)
        {
            info["length"] = new BInteger(files[0].Length);
        }
        else
        {
            var list = new BList();
            foreach (var f in files)
            {
                var entry = new BDictionary();
                entry["length"] = new BInteger(f.Length);
                entry["path"] = new BList(f.PathComponents.Select(c => (BValue)new BString(c)));
                list.Add(entry);
            }
            info["files"] = list;
        }
        if (isPrivate)
        {
            info["private"] = new BInteger(1);
        }
        return info;
    }

    private static BDictionary BuildTorrent(BDictionary info, TorrentCreationOptions options)
    {
        var torrent = new BDictionary();
        var tiers = options.TrackerTiers.Where(t => t.Count > 0).ToList();
        if (tiers.Count > 0)
        {
            torrent["announce"] = new BString(tiers[0][0]);
            if (tiers.Sum(t => t.Count) > 1)
            {
                torrent["announce-list"] = new BList(tiers.Select(t =>
                    (BValue)new BList(t.Select(url => (BValue)new BString(url)))));
            }
        }
        if (options.WebSeeds.Count > 0)
        {
            torrent["url-list"] = new BList(options.WebSeeds.Select(u => (BValue)new BString(u)));
        }
        if (!string.IsNullOrEmpty(options.Comment))
        {
            torrent["comment"] = new BString(options.Comment);
        }
        if (!string.IsNullOrEmpty(options.CreatedBy))
        {
            torrent["created by"] = new BString(options.CreatedBy);
        }
        if (options.CreationDate is { } date)
        {
            torrent["creation date"] = new BInteger(date.ToUnixTimeSeconds());
        }
        torrent["info"] = info;
        return torrent;
    }
}

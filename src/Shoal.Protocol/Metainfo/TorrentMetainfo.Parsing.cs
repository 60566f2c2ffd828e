using System.Text;
using Shoal.Bencoding;

namespace Shoal.Protocol.Metainfo;

public sealed partial class TorrentMetainfo
{
    /// <summary>Refuse piece counts above this before allocating anything per piece (libtorrent's limit is similar).</summary>
    public const long MaxPieceCount = 50_000_000;

    /// <summary>Refuse file lists longer than this.</summary>
    public const int MaxFileCount = 10_000_000;

    /// <summary>The exact message for v2-only torrents and magnets.</summary>
    public const string V2NotSupported = "BitTorrent v2 is not supported yet";

    /// <summary>Parses and validates a whole .torrent file. Throws <see cref="MetainfoException"/> with one clear line.</summary>
    public static TorrentMetainfo Parse(ReadOnlyMemory<byte> torrentFile)
    {
        // libtorrent and Transmission accept bytes after the root dictionary (often a newline), so do we.
        var status = BencodeReader.TryDecode(torrentFile, out var root, out int consumed, out var error,
            new BencodeOptions { AllowTrailingBytes = true });
        if (status != DecodeStatus.Done)
        {
            throw Invalid($"malformed bencode: {error}");
        }
        if (root is not BDictionary top)
        {
            throw Invalid("the file is not a bencoded dictionary");
        }
        var quirks = new List<string>();
        if (consumed != torrentFile.Length)
        {
            quirks.Add($"{torrentFile.Length - consumed} trailing byte(s) after the root dictionary");
        }
        if (top.KeysUnsorted || top.HasDuplicateKeys)
        {
            quirks.Add("root dictionary keys are unsorted or duplicated");
        }
        if (CountKey(top, "info") > 1)
        {
            throw Invalid("the key 'info' appears twice");
        }
        if (top.Get("info") is not BDictionary info)
        {
            throw Invalid("'info' is missing or not a dictionary");
        }

        var parsed = ParseInfo(info, quirks);
        return Build(parsed, info.Raw, quirks, top);
    }

    /// <summary>Builds metainfo from a bare info dictionary (as fetched by BEP 9), hashing it as given.</summary>
    public static TorrentMetainfo FromInfoDictionary(ReadOnlyMemory<byte> rawInfo)
    {
        var status = BencodeReader.TryDecode(rawInfo, out var value, out _, out var error);
        if (status != DecodeStatus.Done)
        {
            throw Invalid($"malformed bencode in the info dictionary: {error}");
        }
        if (value is not BDictionary info)
        {
            throw Invalid("the info dictionary is not a dictionary");
        }
        var quirks = new List<string>();
        var parsed = ParseInfo(info, quirks);
        return Build(parsed, rawInfo, quirks, top: null);
    }

    private static TorrentMetainfo Build(ParsedInfo p, ReadOnlyMemory<byte> rawInfo, List<string> quirks, BDictionary? top)
    {
        var hash = InfoHash.Compute(rawInfo.Span);
        string name = p.Name ?? hash.ToHex(); // a name made only of "." / ".." / "" gets the hash, like libtorrent
        var files = p.Files;
        if (!p.IsMultiFile)
        {
            files = [files[0] with { PathComponents = [name] }];
        }
        return new TorrentMetainfo
        {
            InfoHash = hash,
            RawInfo = rawInfo,
            Name = name,
            PieceLength = p.PieceLength,
            PieceHashes = p.Pieces,
            Lengths = new TorrentLengths(p.TotalLength, p.PieceLength),
            Files = files,
            IsMultiFile = p.IsMultiFile,
            IsHybrid = p.IsHybrid,
            IsPrivate = p.IsPrivate,
            AnnounceTiers = top is null ? [] : ReadAnnounceTiers(top),
            WebSeeds = top is null ? [] : ReadWebSeeds(top),
            CreatedBy = top is null ? null : Text(top, "created by"),
            Comment = top is null ? null : Text(top, "comment"),
            CreationDate = top is null ? null : ReadCreationDate(top),
            Quirks = quirks,
        };
    }

    private static List<IReadOnlyList<string>> ReadAnnounceTiers(BDictionary top)
    {
        var tiers = new List<IReadOnlyList<string>>();
        if (top.Get("announce-list") is BList list)
        {
            foreach (var tierValue in list.Items)
            {
                if (tierValue is not BList tier)
                {
                    continue;
                }
                var urls = new List<string>();
                foreach (var item in tier.Items)
                {
                    if (item is BString s && Clean(s) is { } url && !urls.Contains(url))
                    {
                        urls.Add(url);
                    }
                }
                if (urls.Count > 0)
                {
                    tiers.Add(urls);
                }
            }
        }
        if (tiers.Count == 0 && top.Get("announce") is BString announce && Clean(announce) is { } single)
        {
            tiers.Add([single]);
        }
        return tiers;
    }

    private static List<string> ReadWebSeeds(BDictionary top)
    {
        var seeds = new List<string>();
        void Add(BValue v)
        {
            if (v is BString s && Clean(s) is { } url && !seeds.Contains(url))
            {
                seeds.Add(url);
            }
        }
        switch (top.Get("url-list"))
        {
            case BString s:
                Add(s);
                break;
            case BList l:
                foreach (var item in l.Items)
                {
                    Add(item);
                }
                break;
        }
        return seeds;
    }

    private static DateTimeOffset? ReadCreationDate(BDictionary top)
    {
        if (top.Get("creation date") is BInteger { Value: > 0 } seconds
            && seconds.Value <= DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return DateTimeOffset.FromUnixTimeSeconds(seconds.Value);
        }
        return null;
    }

    /// <summary>Trimmed text (URLs often carry stray whitespace), null when empty.</summary>
    private static string? Clean(BString s)
    {
        string text = s.ToUtf8String().Trim();
        return text.Length == 0 ? null : text;
    }

    /// <summary>Prefers the BitComet-style "key.utf-8" variant when it is a string.</summary>
    private static string? Text(BDictionary d, string key) =>
        (d.Get(key + ".utf-8") as BString ?? d.Get(key) as BString)?.ToUtf8String();

    private static int CountKey(BDictionary d, string key)
    {
        if (!d.HasDuplicateKeys)
        {
            return d.ContainsKey(key) ? 1 : 0;
        }
        var bytes = Encoding.UTF8.GetBytes(key);
        int n = 0;
        foreach (var e in d.Entries)
        {
            if (e.Key.Span.SequenceEqual(bytes))
            {
                n++;
            }
        }
        return n;
    }

    private static MetainfoException Invalid(string problem) => new($"invalid torrent: {problem}");
}

using Shoal.Bencoding;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Storage;

/// <summary>Size and last-write time of one file when resume data was saved.</summary>
/// <param name="Length">Size on disk, or -1 when the file did not exist.</param>
/// <param name="MtimeTicks">Last write time in UTC ticks (0 when the file did not exist).</param>
public readonly record struct ResumeFileState(long Length, long MtimeTicks);

/// <summary>
/// What a torrent had on disk when it stopped, so a restart need not hash everything again: verified pieces, each
/// file's size and mtime, and the received blocks of partial pieces. Bencoded; saved atomically (temp file, fsync,
/// rename). On load only files whose size and mtime still match are trusted; pieces touching any other file are
/// dropped, so the worst case is a re-check, never trusting changed data.
/// </summary>
/// <remarks>Save it after <see cref="TorrentStorage.FlushAsync"/> so the recorded mtimes follow the last write.</remarks>
public sealed class ResumeData
{
    private const int FormatVersion = 1;

    public required InfoHash InfoHash { get; init; }

    public required BitField Pieces { get; init; }

    public required IReadOnlyList<ResumeFileState> Files { get; init; }

    /// <summary>Partial pieces: piece index → received block indices.</summary>
    public IReadOnlyDictionary<int, IReadOnlyList<int>> PartialPieces { get; init; } = new Dictionary<int, IReadOnlyList<int>>();

    /// <summary>Records the current state of the files of <paramref name="storage"/>.</summary>
    public static ResumeData Capture(TorrentStorage storage, BitField have,
        IReadOnlyDictionary<int, IReadOnlyList<int>>? partialPieces = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(have);
        TorrentMetainfo meta = storage.Metainfo;
        var files = new ResumeFileState[meta.Files.Count];
        for (int i = 0; i < files.Length; i++)
        {
            files[i] = meta.Files[i].IsPadding ? new ResumeFileState(0, 0) : Stat(storage.GetFullPath(i));
        }
        return new ResumeData
        {
            InfoHash = meta.InfoHash,
            Pieces = have.Clone(),
            Files = files,
            PartialPieces = partialPieces ?? new Dictionary<int, IReadOnlyList<int>>(),
        };
    }

    public byte[] Encode()
    {
        var files = new BList();
        foreach (ResumeFileState f in Files)
        {
            var d = new BDictionary { ["length"] = new BInteger(f.Length), ["mtime"] = new BInteger(f.MtimeTicks) };
            files.Add(d);
        }
        var partial = new BList();
        foreach ((int piece, IReadOnlyList<int> blocks) in PartialPieces.OrderBy(p => p.Key))
        {
            var d = new BDictionary
            {
                ["piece"] = new BInteger(piece),
                ["blocks"] = new BList(blocks.Order().Select(b => (BValue)new BInteger(b))),
            };
            partial.Add(d);
        }
        var root = new BDictionary
        {
            ["version"] = new BInteger(FormatVersion),
            ["info-hash"] = new BString(InfoHash.Memory),
            ["piece-count"] = new BInteger(Pieces.Length),
            ["pieces"] = new BString(Pieces.Bytes.ToArray()),
            ["files"] = files,
            ["partial"] = partial,
        };
        return BencodeWriter.Encode(root);
    }

    /// <summary>Parses resume data; returns null with a reason when it is malformed (never throws on bad bytes).</summary>
    public static ResumeData? TryDecode(ReadOnlyMemory<byte> bytes, out string? error)
    {
        if (BencodeReader.TryDecode(bytes, out BValue? value, out _, out BencodeError? bad) != DecodeStatus.Done)
        {
            error = bad?.ToString() ?? "truncated resume data";
            return null;
        }
        if (value is not BDictionary root
            || root.Get<BInteger>("version")?.Value != FormatVersion
            || root.Get<BString>("info-hash") is not { } hash || hash.Bytes.Length != InfoHash.Length
            || root.Get<BInteger>("piece-count") is not { } count || count.Value is < 1 or > int.MaxValue
            || root.Get<BString>("pieces") is not { } pieceBytes
            || root.Get<BList>("files") is not { } fileList
            || root.Get<BList>("partial") is not { } partialList)
        {
            error = "resume data lacks a required field or has the wrong version";
            return null;
        }
        BitField? pieces = BitField.TryFromWire(pieceBytes.Span, (int)count.Value, out error);
        if (pieces is null)
        {
            return null;
        }
        var files = new List<ResumeFileState>(fileList.Items.Count);
        foreach (BValue item in fileList.Items)
        {
            if (item is not BDictionary fd || fd.Get<BInteger>("length") is not { } len || fd.Get<BInteger>("mtime") is not { } mt)
            {
                error = "resume data has a malformed file entry";
                return null;
            }
            files.Add(new ResumeFileState(len.Value, mt.Value));
        }
        var partial = new Dictionary<int, IReadOnlyList<int>>();
        foreach (BValue item in partialList.Items)
        {
            if (item is not BDictionary pd || pd.Get<BInteger>("piece") is not { } p || p.Value < 0 || p.Value >= count.Value
                || pd.Get<BList>("blocks") is not { } blocks || blocks.Items.Any(b => b is not BInteger { Value: >= 0 and < int.MaxValue }))
            {
                error = "resume data has a malformed partial piece";
                return null;
            }
            partial[(int)p.Value] = blocks.Items.Select(b => (int)((BInteger)b).Value).ToArray();
        }
        error = null;
        return new ResumeData { InfoHash = new InfoHash(hash.Span), Pieces = pieces, Files = files, PartialPieces = partial };
    }

    /// <summary>Writes atomically: a temp file beside <paramref name="path"/>, flushed to disk, then renamed over it.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string temp = path + ".tmp";
        try
        {
            using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                fs.Write(Encode());
                fs.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A half-written temp file would only take space (the disk may be full): the old resume file stays valid.
            try
            {
                File.Delete(temp);
            }
            catch (Exception cleanup) when (cleanup is IOException or UnauthorizedAccessException)
            {
            }
            throw StorageException.Wrap(ex, "writing", path);
        }
    }

    /// <summary>
    /// Reads resume data and keeps only what still holds for <paramref name="storage"/>: same info hash and layout,
    /// and for each piece (full or partial) every non-pad file it touches has the recorded size and mtime.
    /// Returns null with a reason when the file is missing, malformed or for another torrent.
    /// </summary>
    public static ResumeData? Load(string path, TorrentStorage storage, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(storage);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            reason = $"cannot read resume data {path}: {ex.Message}";
            return null;
        }
        ResumeData? data = TryDecode(bytes, out reason);
        return data?.ValidateAgainst(storage, out reason);
    }

    /// <summary>The part of this resume data that is still true on disk (see <see cref="Load"/>).</summary>
    public ResumeData? ValidateAgainst(TorrentStorage storage, out string? reason) => ValidateAgainst(storage, out _, out reason);

    /// <summary>
    /// The part of this resume data that is still true on disk, and in <paramref name="recheck"/> every piece that
    /// touches a file whose size or mtime changed since the save: those must be hashed again, since the file may now
    /// hold more (written after the save) or less (damaged) than recorded.
    /// </summary>
    public ResumeData? ValidateAgainst(TorrentStorage storage, out BitField? recheck, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(storage);
        TorrentMetainfo meta = storage.Metainfo;
        recheck = null;
        if (InfoHash != meta.InfoHash || Pieces.Length != meta.PieceCount || Files.Count != meta.Files.Count)
        {
            reason = "resume data belongs to another torrent";
            return null;
        }
        var trusted = new bool[Files.Count];
        for (int i = 0; i < trusted.Length; i++)
        {
            trusted[i] = meta.Files[i].IsPadding || meta.Files[i].Length == 0
                || (Files[i].Length >= 0 && Stat(storage.GetFullPath(i)) == Files[i]);
        }
        TorrentLengths l = meta.Lengths;
        bool PieceTrusted(int piece)
        {
            foreach (FileSegment s in storage.Layout.Map(l.PieceOffset(piece), l.PieceSize(piece)))
            {
                if (!trusted[s.FileIndex])
                {
                    return false;
                }
            }
            return true;
        }
        var pieces = new BitField(meta.PieceCount);
        var untrusted = new BitField(meta.PieceCount);
        for (int p = 0; p < pieces.Length; p++)
        {
            if (!PieceTrusted(p))
            {
                untrusted[p] = true;
            }
            else if (Pieces[p])
            {
                pieces[p] = true;
            }
        }
        var partial = new Dictionary<int, IReadOnlyList<int>>();
        foreach ((int piece, IReadOnlyList<int> blocks) in PartialPieces)
        {
            if (!pieces[piece] && PieceTrusted(piece))
            {
                int blockCount = l.BlockCount(piece);
                partial[piece] = blocks.Where(b => b < blockCount).Distinct().ToArray();
            }
        }
        reason = null;
        recheck = untrusted;
        return new ResumeData { InfoHash = InfoHash, Pieces = pieces, Files = Files, PartialPieces = partial };
    }

    private static ResumeFileState Stat(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new ResumeFileState(info.Length, info.LastWriteTimeUtc.Ticks) : new ResumeFileState(-1, 0);
    }
}

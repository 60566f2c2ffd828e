using System.Buffers;
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

    /// <summary>Records the current state of the files of <paramref name="storage"/> (stats every file).</summary>
    public static ResumeData Capture(TorrentStorage storage, BitField have,
        IReadOnlyDictionary<int, IReadOnlyList<int>>? partialPieces = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        return Capture(storage, have, partialPieces, known: null);
    }

    /// <summary>
    /// Like <see cref="Capture(TorrentStorage, BitField, IReadOnlyDictionary{int, IReadOnlyList{int}}?)"/>, but
    /// stats only the files that may have changed since <paramref name="known"/> was filled: those in
    /// <see cref="TorrentStorage.TakeWrittenFiles"/>. <paramref name="known"/> (one state per file, updated in place)
    /// may be null: then every file is stat'ed into a new array. The result's <see cref="Files"/> is that array,
    /// shared (so encode or save the result before the next capture).
    /// </summary>
    internal static ResumeData Capture(TorrentStorage storage, BitField have,
        IReadOnlyDictionary<int, IReadOnlyList<int>>? partialPieces, ResumeFileState[]? known)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(have);
        TorrentMetainfo meta = storage.Metainfo;
        // Taken before the stats: a write that returns after this is listed for the next capture.
        IReadOnlyList<int> written = storage.TakeWrittenFiles();
        ResumeFileState[] files;
        if (known is null || known.Length != meta.Files.Count)
        {
            files = new ResumeFileState[meta.Files.Count];
            for (int i = 0; i < files.Length; i++)
            {
                files[i] = StatFile(storage, i);
            }
        }
        else
        {
            files = known;
            foreach (int i in written)
            {
                files[i] = StatFile(storage, i);
            }
        }
        return new ResumeData
        {
            InfoHash = meta.InfoHash,
            Pieces = have.Clone(),
            Files = files,
            PartialPieces = partialPieces ?? new Dictionary<int, IReadOnlyList<int>>(),
        };
    }

    private static ResumeFileState StatFile(TorrentStorage storage, int index) =>
        storage.Metainfo.Files[index].IsPadding ? new ResumeFileState(0, 0) : Stat(storage.GetFullPath(index));

    /// <summary>The bencoded form (see the type's remarks for the fields).</summary>
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (Files.Count * 48));
        Write(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Writes the canonical bencoding (keys sorted) straight to <paramref name="output"/>: with one entry per file
    /// this runs to megabytes for huge torrents, so no value tree is built; the fixed keys are written as raw bytes.
    /// </summary>
    private void Write(IBufferWriter<byte> output)
    {
        output.Write("d5:filesl"u8);
        foreach (ResumeFileState f in Files)
        {
            output.Write("d6:length"u8);
            BencodeWriter.WriteInteger(output, f.Length);
            output.Write("5:mtime"u8);
            BencodeWriter.WriteInteger(output, f.MtimeTicks);
            output.Write("e"u8);
        }
        output.Write("e9:info-hash"u8);
        BencodeWriter.WriteString(output, InfoHash.Memory.Span);
        output.Write("7:partiall"u8);
        foreach ((int piece, IReadOnlyList<int> blocks) in PartialPieces.OrderBy(p => p.Key))
        {
            output.Write("d6:blocksl"u8);
            foreach (int b in blocks.Order())
            {
                BencodeWriter.WriteInteger(output, b);
            }
            output.Write("e5:piece"u8);
            BencodeWriter.WriteInteger(output, piece);
            output.Write("e"u8);
        }
        output.Write("e11:piece-count"u8);
        BencodeWriter.WriteInteger(output, Pieces.Length);
        output.Write("6:pieces"u8);
        BencodeWriter.WriteString(output, Pieces.Bytes);
        output.Write("7:version"u8);
        BencodeWriter.WriteInteger(output, FormatVersion);
        output.Write("e"u8);
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
            using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
            {
                var sink = new StreamSink(fs);
                Write(sink);
                sink.Drain();
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
        var observed = new ResumeFileState[Files.Count];
        for (int i = 0; i < trusted.Length; i++)
        {
            observed[i] = StatFile(storage, i);
            trusted[i] = meta.Files[i].IsPadding || meta.Files[i].Length == 0
                || (Files[i].Length >= 0 && observed[i] == Files[i]);
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
        // The files as they are now: a later incremental capture starts from these (see Capture).
        return new ResumeData { InfoHash = InfoHash, Pieces = pieces, Files = observed, PartialPieces = partial };
    }

    /// <summary>Buffers <see cref="Write"/> output in a pooled 64 KiB block and passes it to a stream as it fills.</summary>
    private sealed class StreamSink(Stream stream) : IBufferWriter<byte>
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        private int _used;

        public void Advance(int count) => _used += count;

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            Make(sizeHint);
            return _buffer.AsMemory(_used);
        }

        public Span<byte> GetSpan(int sizeHint = 0)
        {
            Make(sizeHint);
            return _buffer.AsSpan(_used);
        }

        /// <summary>Writes what is buffered and returns the buffer to the pool.</summary>
        public void Drain()
        {
            stream.Write(_buffer, 0, _used);
            _used = 0;
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
        }

        private void Make(int sizeHint)
        {
            sizeHint = Math.Max(sizeHint, 1);
            if (_buffer.Length - _used >= sizeHint)
            {
                return;
            }
            stream.Write(_buffer, 0, _used);
            _used = 0;
            if (_buffer.Length < sizeHint)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(sizeHint);
            }
        }
    }

    private static ResumeFileState Stat(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? new ResumeFileState(info.Length, info.LastWriteTimeUtc.Ticks) : new ResumeFileState(-1, 0);
    }
}

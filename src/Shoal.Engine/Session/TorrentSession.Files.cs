using Shoal.Engine.Pieces;

namespace Shoal.Engine.Session;

/// <summary>
/// File selection and priorities. A piece's priority is the highest of the files it touches (pad files excluded),
/// so a piece shared by a skipped and a wanted file is still fetched. "Done" means every wanted piece is verified
/// (<see cref="_wantedLeft"/> = 0): the torrent then completes (Completion, Seeding/Completed) even with pieces
/// missing. Skipped files get no writes unless they share a wanted piece, so files nobody wants are never created.
/// Per-file bytes completed are not kept: <see cref="FileStatusList"/> works them out from the verified pieces when a
/// status reader asks, so a torrent of 100,000 files costs nothing per piece or per tick here.
/// </summary>
internal sealed partial class TorrentSession
{
    private FilePriority[] _filePriorities = [];
    private FilePriority[] _piecePriorities = [];
    private int _wantedLeft;
    private long _wantedBytes;
    private long _wantedDone;
    private IReadOnlyList<FileStatus>? _filesSnapshot;
    private string[]? _filePaths;
    private DateTimeOffset _addedAt;
    private DateTimeOffset? _completedAt;

    /// <summary>Throws <see cref="ArgumentException"/> for options that do not fit the torrent (before any file is touched).</summary>
    internal static void ValidateOptions(Protocol.Metainfo.TorrentMetainfo meta, TorrentOptions options)
    {
        if (options.FilePriorities is { Count: > 0 } p && p.Count != meta.Files.Count)
        {
            throw new ArgumentException($"{p.Count} file priorities given for a torrent of {meta.Files.Count} files", nameof(options));
        }
    }

    /// <summary>Called from the constructor: priorities, sequential mode and times from the options.</summary>
    private void InitControl()
    {
        ValidateOptions(_meta, _options);
        _addedAt = _options.AddedAt ?? _time.GetUtcNow();
        _completedAt = _options.CompletedAt;
        _filePriorities = _options.FilePriorities is { Count: > 0 } given ? [.. given] : Enumerable.Repeat(FilePriority.Normal, _meta.Files.Count).ToArray();
        _picker.Sequential = _options.Sequential;
        _bandwidth = new Peers.BandwidthGroup(_time);
        _bandwidth.Download.Rate = _options.MaxDownloadRate;
        _bandwidth.Upload.Rate = _options.MaxUploadRate;
        ApplyPiecePriorities(_picker);
        RecountWanted();
    }

    private bool IsWantedPiece(int piece) => _piecePriorities[piece] != FilePriority.Skip;

    /// <summary>Computes each piece's priority from the files and hands wanted/priority to <paramref name="picker"/>.</summary>
    private void ApplyPiecePriorities(PiecePicker picker)
    {
        var pieces = new FilePriority[_lengths.PieceCount];
        long pieceLength = _lengths.PieceLength;
        for (int f = 0; f < _meta.Files.Count; f++)
        {
            var file = _meta.Files[f];
            if (file.IsPadding || file.Length == 0)
            {
                continue;
            }
            int first = (int)(file.Offset / pieceLength);
            int last = (int)((file.Offset + file.Length - 1) / pieceLength);
            var prio = _filePriorities[f];
            for (int i = first; i <= last; i++)
            {
                if (prio > pieces[i])
                {
                    pieces[i] = prio;
                }
            }
        }
        for (int i = 0; i < pieces.Length; i++)
        {
            var p = pieces[i];
            picker.SetWanted(i, p != FilePriority.Skip);
            picker.SetPriority(i, p switch { FilePriority.High => 1, FilePriority.Low => -1, _ => 0 });
        }
        _piecePriorities = pieces;
    }

    /// <summary>Recomputes wanted totals and per-file progress from the have-set (after a check or a priority change).</summary>
    private void RecountWanted()
    {
        _wantedLeft = 0;
        _wantedBytes = 0;
        _wantedDone = 0;
        for (int i = 0; i < _lengths.PieceCount; i++)
        {
            bool have = _picker.Have[i];
            if (IsWantedPiece(i))
            {
                long size = _lengths.PieceSize(i);
                _wantedBytes += size;
                if (have)
                {
                    _wantedDone += size;
                }
                else
                {
                    _wantedLeft++;
                }
            }
        }
        _filesSnapshot = null;
    }

    /// <summary>Bookkeeping for a newly verified piece; true when it was the last wanted piece missing.</summary>
    private bool OnPieceHave(int piece)
    {
        _filesSnapshot = null;
        if (!IsWantedPiece(piece))
        {
            return false;
        }
        _wantedDone += _lengths.PieceSize(piece);
        _wantedLeft--;
        if (_wantedLeft == 0)
        {
            _completedAt ??= _time.GetUtcNow();
            return true;
        }
        return false;
    }

    /// <summary>Applies new file priorities on the loop: picker, interest in every peer, and the torrent's state.</summary>
    private void OnFilePriorities(FilePriority[] priorities)
    {
        _filePriorities = priorities;
        ApplyPiecePriorities(_picker);
        int wasLeft = _wantedLeft;
        RecountWanted();
        foreach (var p in _peers.Values.ToArray())
        {
            int interesting = 0;
            for (int i = 0; i < p.Has.Length; i++)
            {
                if (p.Has[i] && !_have[i] && IsWantedPiece(i))
                {
                    interesting++;
                }
            }
            p.Interesting = interesting;
            UpdateInterest(p);
        }
        if (_wantedLeft > 0 && _state is TorrentState.Seeding or TorrentState.Completed && !_options.SeedOnly)
        {
            // More is wanted now: download again, and give peers dropped as "not useful" another chance.
            _state = TorrentState.Downloading;
            foreach (var c in _candidates.Values)
            {
                c.Useless = false;
                c.NextAttempt = 0;
            }
            ConnectMore();
        }
        else if (_wantedLeft == 0 && wasLeft > 0 && _state == TorrentState.Downloading)
        {
            _completedAt ??= _time.GetUtcNow();
            OnAllPiecesVerified();
        }
    }

    /// <summary>The state a running torrent is in given what it has (used when resuming or after a re-check).</summary>
    private TorrentState RunState() =>
        _options.SeedOnly ? TorrentState.Seeding
        : _wantedLeft > 0 ? TorrentState.Downloading
        : _options.SeedWhenComplete ? TorrentState.Seeding : TorrentState.Completed;

    /// <summary>
    /// The per-file list for the status: a lazy <see cref="FileStatusList"/> over a copy of the verified pieces,
    /// made again only when a piece was verified or a priority changed (O(pieces / 8) bytes, not O(files)).
    /// </summary>
    private IReadOnlyList<FileStatus> FileSnapshot() =>
        _filesSnapshot ??= new FileStatusList(_meta, _store.Layout, _have.Clone(), _filePriorities, FilePaths);

    /// <summary>Display paths, made once on the first read of a file list (any thread).</summary>
    private string[] FilePaths() =>
        LazyInitializer.EnsureInitialized(ref _filePaths,
            () => [.. _meta.Files.Select(f => _meta.IsMultiFile ? _meta.Name + "/" + f.Path : _meta.Name)]);

    /// <summary>After the first check: recount what is wanted; complete at once if it is all there; park if asked.</summary>
    private void ApplyStartState()
    {
        RecountWanted();
        if (_wantedLeft == 0 || _have.AllSet)
        {
            _completedAt ??= _time.GetUtcNow();
        }
        if (_state == TorrentState.Downloading && _wantedLeft == 0)
        {
            _state = RunState();
            _completed.TrySetResult();
        }
        if (_options.StartPaused)
        {
            _state = TorrentState.Paused;
        }
    }
}

using Microsoft.Extensions.Logging;
using Shoal.Engine.Storage;
using Shoal.Protocol;

namespace Shoal.Engine.Session;

/// <summary>
/// Resume data (<see cref="ResumeData"/>) for the session: loaded once before the loop starts, saved from the loop's
/// tick every <see cref="TorrentOptions.ResumeSaveInterval"/> while something changes, and once more on stop.
/// <para>
/// Crash safety rests on ordering. The loop captures only what is already on disk: verified pieces (verified after
/// their writes finished) and the received blocks of pieces with no write still pending. A worker then fsyncs the
/// data files, stats them, and only then writes the resume file atomically (temp, fsync, rename). So after a kill -9
/// the resume file never claims data that was not written; data written after the save changed the files' mtimes, so
/// on restart those files are hashed again instead of trusted (which finds the pieces completed since).
/// </para>
/// </summary>
internal sealed partial class TorrentSession
{
    private Task _resumeSave = Task.CompletedTask;
    private long _resumeSavedAt;
    private (long Done, long Downloaded) _resumeSavedMark = (-1, -1);
    /// <summary>Set once startup has decided what we have; before that, saving would overwrite good resume data.</summary>
    private bool _resumeReady;
    private IReadOnlyDictionary<int, IReadOnlyList<int>>? _restoredPartials;
    /// <summary>
    /// Size and mtime of every file as of the last save (or as found at start), so a save stats only the files
    /// written since (<see cref="TorrentStorage.TakeWrittenFiles"/>), not all of them. Null until known: the first
    /// save then stats every file. Used only by the save in progress (saves never overlap).
    /// </summary>
    private ResumeFileState[]? _resumeFiles;

    private bool SavesResume => _options.UseResumeData && !_options.SeedOnly;

    /// <summary>
    /// What is on disk at start: from resume data where its files still match (re-hashing only pieces that touch a
    /// changed file), otherwise a full check.
    /// </summary>
    private async Task<BitField> LoadHaveAsync()
    {
        ResumeData? data = null;
        BitField? recheck = null;
        string? reason = null;
        string path = _options.ResumeFilePath(InfoHash);
        if (_options.UseResumeData && File.Exists(path))
        {
            try
            {
                byte[] bytes = await File.ReadAllBytesAsync(path, _stop.Token).ConfigureAwait(false);
                data = ResumeData.TryDecode(bytes, out reason)?.ValidateAgainst(_store, out recheck, out reason);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                reason = ex.Message;
            }
        }
        if (data is null || recheck is null)
        {
            if (reason is not null)
            {
                _log.LogWarning("{Name}: ignoring resume data {Path} ({Reason}); checking all data", _meta.Name, path, reason);
            }
            return await PieceVerifier.CheckExistingAsync(_meta, _store, new Progress(this), _stop.Token).ConfigureAwait(false);
        }
        BitField have = data.Pieces.Clone();
        _resumeFiles = data.Files as ResumeFileState[];
        int found = 0;
        if (!recheck.NoneSet)
        {
            BitField good = await PieceVerifier.CheckPiecesAsync(_meta, _store, recheck, new Progress(this), _stop.Token).ConfigureAwait(false);
            for (int p = 0; p < good.Length; p++)
            {
                if (good[p])
                {
                    have[p] = true;
                    found++;
                }
            }
        }
        _restoredPartials = data.PartialPieces;
        _log.LogInformation("{Name}: resume data trusted for {Trusted} pieces; {Rechecked} pieces on changed files re-checked, {Found} good",
            _meta.Name, data.Pieces.CountSet, recheck.CountSet, found);
        return have;
    }

    /// <summary>
    /// After <see cref="Pieces.PiecePicker.SetHave"/>: gives the picker the blocks recorded as written, and hashes restored
    /// pieces that were already complete (they stopped between their last write and their check).
    /// </summary>
    private void RestorePartialPieces()
    {
        foreach ((int piece, IReadOnlyList<int> blocks) in _restoredPartials ?? new Dictionary<int, IReadOnlyList<int>>())
        {
            if (_have[piece])
            {
                continue;
            }
            _picker.RestorePartialPiece(piece, blocks);
            // Its restored blocks are on disk, not in an assembly: the rest of the piece is written block by block
            // and the piece is hashed from disk.
            _directPieces.Add(piece);
            if (_picker.GetProgress(piece) is { IsComplete: true })
            {
                _disk.Writer.TryWrite(new DiskJob(DiskJobKind.Verify, null, piece, 0, 0, null));
            }
        }
        _restoredPartials = null;
        _resumeReady = true;
        _resumeSavedMark = (_bytesDone, _downloaded);
        _resumeSavedAt = _time.GetTimestamp();
    }

    /// <summary>From the loop's tick: starts a save when something changed and the interval has passed.</summary>
    private void TickResume()
    {
        AssertOnLoop();
        if (!_resumeReady || !SavesResume || !_resumeSave.IsCompleted
            || _time.GetElapsedTime(_resumeSavedAt) < _options.ResumeSaveInterval)
        {
            return;
        }
        var mark = (_bytesDone, _downloaded);
        if (mark == _resumeSavedMark)
        {
            return;
        }
        _resumeSavedMark = mark;
        _resumeSavedAt = _time.GetTimestamp();
        BitField have = _have.Clone();
        Dictionary<int, IReadOnlyList<int>> partial = WrittenPartialPieces();
        _resumeSave = Task.Run(() => SaveResumeAsync(have, partial));
    }

    /// <summary>
    /// Received blocks of unverified pieces whose writes have all finished (so they are on disk); pieces assembled
    /// in memory are not on disk yet.
    /// </summary>
    private Dictionary<int, IReadOnlyList<int>> WrittenPartialPieces()
    {
        var result = new Dictionary<int, IReadOnlyList<int>>();
        foreach ((int piece, IReadOnlyList<int> blocks) in _picker.GetPartialPieces())
        {
            if (!_pendingWrites.ContainsKey(piece) && !IsInMemory(piece))
            {
                result[piece] = blocks;
            }
        }
        return result;
    }

    /// <summary>
    /// The last save, once the loop has ended (the caller owns the state now). Waits for a save in progress first.
    /// Never throws: a failed save leaves the previous resume file, which is still true.
    /// </summary>
    private async Task SaveResumeOnStopAsync()
    {
        await _resumeSave.ConfigureAwait(false);
        if (!_resumeReady || !SavesResume)
        {
            return;
        }
        _inLoop = true;
        BitField have;
        Dictionary<int, IReadOnlyList<int>> partial;
        try
        {
            have = _have.Clone();
            partial = WrittenPartialPieces();
        }
        finally
        {
            _inLoop = false;
        }
        await SaveResumeAsync(have, partial).ConfigureAwait(false);
    }

    /// <summary>
    /// With the data deleted, its resume file goes too (and the resume folder, if that leaves it empty). Only after
    /// the loop has ended, so no save can write it again.
    /// </summary>
    private void DeleteResumeData()
    {
        string path = _options.ResumeFilePath(InfoHash);
        try
        {
            File.Delete(path);
            string dir = Path.GetDirectoryName(path)!;
            if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
            {
                Directory.Delete(dir);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning("{Name}: could not delete resume data {Path}: {Error}", _meta.Name, path, ex.Message);
        }
    }

    /// <summary>Data first (fsync), then the resume file that describes it: see the type's remarks.</summary>
    private async Task SaveResumeAsync(BitField have, IReadOnlyDictionary<int, IReadOnlyList<int>> partial)
    {
        string path = _options.ResumeFilePath(InfoHash);
        try
        {
            await _store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            ResumeData data = ResumeData.Capture(_store, have, partial, _resumeFiles);
            _resumeFiles = (ResumeFileState[])data.Files;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            data.Save(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // After a disk fault this is expected (the disk is still full); the fault itself is already reported.
            _log.Log(_state == TorrentState.Error ? LogLevel.Debug : LogLevel.Warning,
                "{Name}: could not save resume data to {Path}: {Error}", _meta.Name, path, ex.Message);
        }
    }
}

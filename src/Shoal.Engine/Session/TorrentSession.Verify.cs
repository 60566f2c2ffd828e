using Microsoft.Extensions.Logging;
using Shoal.Engine.Pieces;
using Shoal.Engine.Storage;
using Shoal.Protocol;

namespace Shoal.Engine.Session;

/// <summary>
/// Re-checking data on request (<see cref="TorrentHandle.VerifyAsync"/>). The loop parks the torrent (state
/// Checking, peers closed), waits for block writes and assembled pieces already queued to land, then hashes everything on a worker
/// while the loop keeps running. The result replaces the have-set: a fresh picker is built from it (no peer is
/// connected, so no availability is lost) and the torrent goes back to running, or stays paused.
/// </summary>
internal sealed partial class TorrentSession
{
    private readonly List<VerifyCommand> _verifyWaiters = [];
    private bool _pauseAfterVerify;
    private bool _verifyRunning;
    private int _verifyChecked;

    private sealed record VerifyCommand : ControlCommand
    {
        public TaskCompletionSource<int> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record VerifyDone(BitField? Have, Exception? Error) : ControlCommand;

    public async Task<int> VerifyAsync(CancellationToken ct)
    {
        var command = new VerifyCommand();
        if (!_events.Writer.TryWrite(new SessionEvent(SessionEventKind.Control, Payload: command)))
        {
            throw new InvalidOperationException("the torrent has stopped");
        }
        var done = await Task.WhenAny(command.Result.Task, _ended.Task).WaitAsync(ct).ConfigureAwait(false);
        if (done != command.Result.Task)
        {
            throw new InvalidOperationException(_error ?? "the torrent stopped before the check finished");
        }
        return await command.Result.Task.ConfigureAwait(false);
    }

    private void StartVerify(VerifyCommand command)
    {
        _verifyWaiters.Add(command);
        if (_state == TorrentState.Checking)
        {
            return; // joins the check in progress (or the first check, which runs before the loop)
        }
        if (_state is TorrentState.Error or TorrentState.Stopped)
        {
            _verifyWaiters.Remove(command);
            command.Result.TrySetException(new InvalidOperationException($"cannot verify a torrent in state {_state}"));
            return;
        }
        _pauseAfterVerify = _state == TorrentState.Paused;
        _state = TorrentState.Checking;
        Volatile.Write(ref _verifyChecked, 0);
        DisconnectAll("re-checking data");
        MaybeRunVerify();
    }

    /// <summary>Starts the hashing once no block write is pending (called again as writes complete).</summary>
    private void MaybeRunVerify()
    {
        if (_state != TorrentState.Checking || _verifyRunning || _verifyWaiters.Count == 0 || _pendingWrites.Count > 0
            || _assembledInFlight.Count > 0)
        {
            return;
        }
        _verifyRunning = true;
        var progress = new Progress(this);
        _ = Task.Run(async () =>
        {
            BitField? have = null;
            Exception? error = null;
            try
            {
                have = await PieceVerifier.CheckExistingAsync(_meta, _store, progress, _stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                error = ex;
            }
            Post(new SessionEvent(SessionEventKind.Control, Payload: new VerifyDone(have, error)));
        });
    }

    private void OnVerifyDone(VerifyDone done)
    {
        _verifyRunning = false;
        var waiters = _verifyWaiters.ToArray();
        _verifyWaiters.Clear();
        if (done.Have is null)
        {
            var error = done.Error ?? new InvalidOperationException("check failed");
            foreach (var w in waiters)
            {
                w.Result.TrySetException(error);
            }
            if (error is not OperationCanceledException)
            {
                Fail($"re-check failed: {error.Message}");
            }
            return;
        }
        RebuildFromCheck(done.Have);
        _log.LogInformation("{Name}: re-check found {Have}/{Total} pieces", _meta.Name, done.Have.CountSet, done.Have.Length);
        _state = _pauseAfterVerify ? TorrentState.Paused : RunState();
        _pauseAfterVerify = false;
        if (_wantedLeft == 0)
        {
            _completedAt ??= _time.GetUtcNow();
            _completed.TrySetResult();
        }
        foreach (var c in _candidates.Values)
        {
            c.NextAttempt = 0;
        }
        ConnectMore();
        Publish(); // before the waiters run, so they see the new state
        foreach (var w in waiters)
        {
            w.Result.TrySetResult(done.Have.CountSet);
        }
    }

    /// <summary>A block write failed: it will never post BlockWritten, so stop counting it (a re-check may be waiting).</summary>
    private void OnWriteFailed(int piece)
    {
        if (_assembledInFlight.ContainsKey(piece))
        {
            ReleaseAssembly(piece); // an assembled piece's write failed: no PieceChecked will come
        }
        else if (_pendingWrites.TryGetValue(piece, out int left))
        {
            _pendingWriteBlocks--;
            if (left > 1)
            {
                _pendingWrites[piece] = left - 1;
            }
            else
            {
                _pendingWrites.Remove(piece);
            }
        }
        MaybeRunVerify();
    }

    /// <summary>Replaces the have-set and everything derived from it. No peer is connected while parked.</summary>
    private void RebuildFromCheck(BitField have)
    {
        var picker = new PiecePicker(_lengths, _random) { Sequential = _picker.Sequential };
        picker.SetHave(have);
        ApplyPiecePriorities(picker);
        _picker = picker;
        _pendingWrites.Clear();
        _pendingWriteBlocks = 0;
        _heldForDisk = false;
        _awaitingVerify.Clear();
        DropAssemblies();
        _contributors.Clear();
        long done = 0;
        for (int i = 0; i < have.Length; i++)
        {
            if (have[i])
            {
                done += _lengths.PieceSize(i);
            }
        }
        _bytesDone = done;
        RecountWanted();
    }

    /// <summary>Check progress for the status, written from the hashing workers.</summary>
    private sealed class Progress(TorrentSession session) : IProgress<CheckProgress>
    {
        public void Report(CheckProgress value) => Volatile.Write(ref session._verifyChecked, value.PiecesChecked);
    }

    private double VerifyProgress =>
        _state == TorrentState.Checking && _lengths.PieceCount > 0 ? (double)Volatile.Read(ref _verifyChecked) / _lengths.PieceCount : 0;
}

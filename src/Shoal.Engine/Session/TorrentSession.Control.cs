using Microsoft.Extensions.Logging;
using Shoal.Engine.Peers;
using Shoal.Engine.Trackers;

namespace Shoal.Engine.Session;

/// <summary>
/// User commands from <see cref="TorrentHandle"/>: each is posted to the loop as a <see cref="SessionEventKind.Control"/>
/// event carrying a command object, whose task completes once the loop has applied it. Pause and verify "park" the
/// torrent (state Paused or Checking): nothing is requested, dialled or accepted, and completion found meanwhile
/// is recorded without changing the parked state; on resume the state follows from what we have (<see cref="RunState"/>).
/// </summary>
internal sealed partial class TorrentSession
{
    private BandwidthGroup _bandwidth = null!;
    private IReadOnlyList<TrackerStatus>? _pausedTrackers;

    private abstract record ControlCommand
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record PauseCommand : ControlCommand;

    private sealed record ResumeCommand : ControlCommand;

    /// <summary>Only republishes the status (after a change made off the loop, like rate limits).</summary>
    private sealed record RefreshCommand : ControlCommand;

    private sealed record SequentialCommand(bool Sequential) : ControlCommand;

    private sealed record PrioritiesCommand(FilePriority[] Priorities) : ControlCommand;

    private sealed record FilePriorityCommand(int File, FilePriority Priority) : ControlCommand;

    /// <summary>Global buckets from the engine: this torrent's buckets charge them too.</summary>
    internal BandwidthGroup? GlobalBandwidth
    {
        init
        {
            var own = new BandwidthGroup(_time, value);
            own.Download.Rate = _bandwidth.Download.Rate;
            own.Upload.Rate = _bandwidth.Upload.Rate;
            _bandwidth = own;
        }
    }

    /// <summary>True while paused or re-checking: no requests, no dialling, no new peers.</summary>
    private bool Parked => _state is TorrentState.Paused or TorrentState.Checking;

    public Task PauseAsync() => Command(new PauseCommand());

    public Task ResumeAsync() => Command(new ResumeCommand());

    public void SetRateLimits(long maxDownloadRate, long maxUploadRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxDownloadRate);
        ArgumentOutOfRangeException.ThrowIfNegative(maxUploadRate);
        _bandwidth.Download.Rate = maxDownloadRate;
        _bandwidth.Upload.Rate = maxUploadRate;
        _ = Command(new RefreshCommand());
    }

    public void SetFilePriorities(IReadOnlyList<FilePriority> priorities)
    {
        ArgumentNullException.ThrowIfNull(priorities);
        if (priorities.Count != _meta.Files.Count)
        {
            throw new ArgumentException($"{priorities.Count} priorities given for {_meta.Files.Count} files", nameof(priorities));
        }
        _ = Command(new PrioritiesCommand([.. priorities]));
    }

    public void SetFilePriority(int fileIndex, FilePriority priority)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fileIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fileIndex, _meta.Files.Count);
        _ = Command(new FilePriorityCommand(fileIndex, priority));
    }

    public void SetSequential(bool sequential) => _ = Command(new SequentialCommand(sequential));

    /// <summary>Posts a command; on a torrent that has stopped it completes at once (there is nothing left to change).</summary>
    private Task Command(ControlCommand command)
    {
        if (!_events.Writer.TryWrite(new SessionEvent(SessionEventKind.Control, Payload: command)))
        {
            command.Done.TrySetResult();
        }
        return command.Done.Task;
    }

    /// <summary>Deletes the torrent's files (see <see cref="Storage.DataDeletion"/>). Only after the loop has ended.</summary>
    public int DeleteData()
    {
        if (!_ended.Task.IsCompleted)
        {
            throw new InvalidOperationException("stop the torrent before deleting its data");
        }
        return Storage.DataDeletion.Delete(_store);
    }

    private void OnControl(object command)
    {
        AssertOnLoop();
        switch (command)
        {
            case PauseCommand:
                Pause();
                break;
            case ResumeCommand:
                Resume();
                break;
            case SequentialCommand s:
                _picker.Sequential = s.Sequential;
                break;
            case PrioritiesCommand p:
                OnFilePriorities(p.Priorities);
                break;
            case FilePriorityCommand f:
                var all = (FilePriority[])_filePriorities.Clone();
                all[f.File] = f.Priority;
                OnFilePriorities(all);
                break;
            case VerifyCommand v:
                StartVerify(v);
                break;
            case VerifyDone d:
                OnVerifyDone(d);
                break;
        }
        if (command is ControlCommand c)
        {
            c.Done.TrySetResult();
        }
        Publish();
    }

    private void Pause()
    {
        if (_state == TorrentState.Checking)
        {
            _pauseAfterVerify = true;
            return;
        }
        if (_state is not (TorrentState.Downloading or TorrentState.Seeding or TorrentState.Completed))
        {
            return;
        }
        _state = TorrentState.Paused;
        DisconnectAll("torrent paused");
        StopTrackersForPause();
        if (_dhtDiscovery is { } dht)
        {
            _dhtDiscovery = null;
            _ = dht.DisposeAsync().AsTask();
        }
    }

    private void Resume()
    {
        if (_state == TorrentState.Checking)
        {
            _pauseAfterVerify = false;
            return;
        }
        if (_state == TorrentState.Error)
        {
            // The cause may be fixed (disk space freed, permissions back): forget the fault and re-check, since
            // writes queued at the fault may be missing.
            _log.LogInformation("{Name}: resuming after a fault ({Error}); re-checking the data", _meta.Name, _error);
            _error = null;
            ErrorKind = null;
            _state = TorrentState.Paused;
            StartVerify(new VerifyCommand());
            _pauseAfterVerify = false;
            return;
        }
        if (_state != TorrentState.Paused)
        {
            return;
        }
        _state = RunState();
        _pausedTrackers = null;
        StartTrackers();
        StartDhtDiscovery();
        foreach (var c in _candidates.Values)
        {
            c.NextAttempt = 0;
        }
        ConnectMore();
    }

    /// <summary>Closes every peer now (their closed events find nothing left to do) and gives their blocks back.</summary>
    private void DisconnectAll(string why)
    {
        foreach (var p in _peers.Values.ToArray())
        {
            p.Connection.Close(new PeerDisconnect(DisconnectReason.Shutdown, why));
            _picker.OnPeerGone(p.Id, p.Has);
            Abandon(p, p.Outstanding);
            p.Outstanding.Clear();
            if (_candidates.TryGetValue(p.Connection.RemoteEndPoint, out var c))
            {
                c.Busy = false;
            }
        }
        _peers.Clear();
        _peersById.Clear();
        _optimistic = null;
    }

    /// <summary>Sends 'stopped' in the background and keeps the last tracker view for the status.</summary>
    private void StopTrackersForPause()
    {
        var trackers = _trackers;
        if (trackers is null)
        {
            return;
        }
        _trackers = null;
        _pausedTrackers = trackers.Snapshot();
        _ = Task.Run(async () =>
        {
            try
            {
                await trackers.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _log.LogDebug(ex, "stopping trackers on pause");
            }
        });
    }
}

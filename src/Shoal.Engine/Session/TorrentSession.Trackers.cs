using System.Net;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Trackers;

namespace Shoal.Engine.Session;

internal sealed partial class TorrentSession
{
    private static readonly TimeSpan MorePeersInterval = TimeSpan.FromSeconds(30);
    private TrackerManager? _trackers;
    private bool _completedAtStart;
    private long _lastMorePeers;
    private ILogger? _trackerLog;

    /// <summary>Logger for tracker chatter (its own category, so front ends can quiet it).</summary>
    internal ILogger? TrackerLogger { get => _trackerLog; init => _trackerLog = value; }

    /// <summary>
    /// Starts announcing once the check has run (so 'left' is right). Tracker peers reach the loop as AddPeers
    /// events; the manager's own loops never touch torrent state.
    /// </summary>
    private void StartTrackers()
    {
        _trackerLog ??= _log;
        if (_state == TorrentState.Paused)
        {
            return; // started on resume
        }
        _completedAtStart = _have.AllSet;
        if (!_options.UseTrackers || !_meta.AnnounceTiers.Any(t => t.Count > 0))
        {
            return;
        }
        _trackers = new TrackerManager(_meta.AnnounceTiers, _meta.InfoHash, _connector.OurId, _listenPort(),
            () => new AnnounceStats(Volatile.Read(ref _uploaded), Volatile.Read(ref _downloaded),
                _lengths.TotalLength - Volatile.Read(ref _bytesDone)),
            options: _options.TrackerOptions, _trackerLog, _time);
        _trackers.Start();
        var reader = _trackers.Peers;
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
                {
                    _log.LogDebug("{Count} peers from {Tracker}", batch.Peers.Count, batch.TrackerUrl);
                    AddPeers(batch.Peers, explicitPeers: false);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });
    }

    /// <summary>
    /// Asks trackers (the manager respects min intervals) and the DHT for more peers when we have run out of ones to try.
    /// </summary>
    private void MaybeRequestMorePeers()
    {
        if ((_trackers is null && _dhtDiscovery is null) || _state != TorrentState.Downloading || _peers.Count >= 5)
        {
            return;
        }
        long now = _time.GetTimestamp();
        bool anyToTry = _candidates.Values.Any(c => !c.Busy && !c.Useless && (c.Explicit || c.Failures < 5) && c.NextAttempt <= now);
        if (!anyToTry && (_lastMorePeers == 0 || _time.GetElapsedTime(_lastMorePeers) > MorePeersInterval))
        {
            _lastMorePeers = now;
            _trackers?.RequestMorePeers();
            _dhtDiscovery?.Poke();
        }
    }

    private void TrackersCompleted()
    {
        if (!_completedAtStart)
        {
            _trackers?.Completed();
        }
    }

    /// <summary>Sends 'stopped' to trackers that know us (bounded by the manager's stop timeout).</summary>
    private async Task StopTrackersAsync()
    {
        if (_trackers is null)
        {
            return;
        }
        try
        {
            await _trackers.StopAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _log.LogDebug(ex, "stopping trackers");
        }
        await _trackers.DisposeAsync().ConfigureAwait(false);
    }

    private IReadOnlyList<TrackerStatus> TrackerSnapshot() => _trackers?.Snapshot() ?? _pausedTrackers ?? [];

    /// <summary>Tracker trouble in words, for the stall reason: "udp://x: connection refused; http://y: not found".</summary>
    private string? TrackerTrouble()
    {
        if (_trackers is null)
        {
            return null;
        }
        var snapshot = _trackers.Snapshot();
        var failing = snapshot.Where(t => t.State == TrackerState.NotWorking && t.LastError is not null)
            .Select(t => $"{t.Url}: {t.LastError}").ToList();
        if (failing.Count == snapshot.Count && failing.Count > 0)
        {
            return "every tracker failed (" + string.Join("; ", failing) + ")";
        }
        if (snapshot.Any(t => t.State == TrackerState.Working))
        {
            return "trackers answered but gave no peers we could use";
        }
        return snapshot.All(t => t.State is TrackerState.NotContacted or TrackerState.Updating) ? "waiting for trackers" : null;
    }

    private static IPEndPoint[] NoPeers => [];
}

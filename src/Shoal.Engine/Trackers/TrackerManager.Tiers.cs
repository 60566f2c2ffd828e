using Shoal.Protocol.Trackers;

namespace Shoal.Engine.Trackers;

public sealed partial class TrackerManager
{
    private async Task TierLoopAsync(Tier tier, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var now = _time.GetUtcNow();
                if (tier.AnnounceNow)
                {
                    // Set by Completed(): announce at once, but only once, so a failing tier still backs off.
                    tier.AnnounceNow = false;
                    tier.Next = now;
                }
                var due = tier.Next;
                if (tier.WantMore && tier.LastAnnounce is { } last)
                {
                    var early = last + tier.MinInterval;
                    due = early < due ? early : due;
                }
                if (due > now)
                {
                    await tier.WaitAsync(due - now, _time, ct).ConfigureAwait(false);
                    continue;
                }
                await AnnounceTierAsync(tier, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>BEP 12: try the tier's trackers in order until one answers; that one moves to the front.</summary>
    private async Task AnnounceTierAsync(Tier tier, CancellationToken ct)
    {
        tier.WantMore = false;
        bool completing = tier.CompletedPending;
        for (int i = 0; i < tier.Trackers.Count; i++)
        {
            var entry = tier.Trackers[i];
            if (entry.Client is null)
            {
                continue;
            }
            // A tracker that never heard "started" hears it first; "completed" then follows on the next turn.
            var ev = !entry.StartedSent ? TrackerEvent.Started : completing ? TrackerEvent.Completed : TrackerEvent.None;
            var result = await AnnounceOneAsync(entry, ev, ct).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                var response = result.Response!;
                var now = _time.GetUtcNow();
                var interval = Clamp(response.Interval, _options.DefaultInterval);
                var minInterval = Clamp(response.MinInterval, _options.MinimumInterval);
                tier.Trackers.RemoveAt(i);
                tier.Trackers.Insert(0, entry);
                tier.Failures = 0;
                tier.LastAnnounce = now;
                tier.MinInterval = minInterval;
                tier.Next = now + interval;
                if (ev == TrackerEvent.Completed)
                {
                    tier.CompletedPending = false;
                }
                else if (completing)
                {
                    // "started" went first; "completed" follows straight away.
                    tier.Next = now;
                }
                lock (_gate)
                {
                    foreach (var other in tier.Trackers)
                    {
                        other.NextAnnounce = null;
                    }
                    entry.NextAnnounce = tier.Next;
                    entry.Interval = interval;
                    entry.MinInterval = minInterval;
                }
                // Published after the status, so a reader of a batch sees the tracker's interval in Snapshot().
                if (response.Peers.Count > 0)
                {
                    _peers.Writer.TryWrite(new TrackerPeers(entry.Url, response.Peers));
                }
                return;
            }
        }
        // Every tracker of the tier failed: back off, doubling, then start over from the top of the tier.
        tier.Failures++;
        var delay = _options.RetryDelay * Math.Pow(2, Math.Min(tier.Failures - 1, 16));
        if (delay > _options.MaxRetryDelay)
        {
            delay = _options.MaxRetryDelay;
        }
        tier.LastAnnounce = _time.GetUtcNow();
        tier.Next = tier.LastAnnounce.Value + delay;
        lock (_gate)
        {
            if (tier.Trackers.Count > 0)
            {
                tier.Trackers[0].NextAnnounce = tier.Next;
            }
        }
    }

    private TimeSpan Clamp(int? seconds, TimeSpan fallback)
    {
        var value = seconds is > 0 ? TimeSpan.FromSeconds(seconds.Value) : fallback;
        if (value > _options.MaximumInterval)
        {
            value = _options.MaximumInterval;
        }
        return value < _options.MinimumInterval ? _options.MinimumInterval : value;
    }

    /// <summary>One announce to one tracker, with its status kept up to date. Peers go to the channel.</summary>
    private async Task<TrackerResult> AnnounceOneAsync(TrackerEntry entry, TrackerEvent ev, CancellationToken ct)
    {
        var stats = _stats();
        var request = new AnnounceRequest(_infoHash, _peerId, _listenPort, stats.Uploaded, stats.Downloaded, stats.Left, ev,
            ev == TrackerEvent.Stopped ? 0 : _options.NumWant, _key, entry.TrackerId);
        lock (_gate)
        {
            entry.State = TrackerState.Updating;
        }
        TrackerLog.Announcing(_logger, entry.Url, ev.ToString());
        TrackerResult result;
        try
        {
            result = await entry.Client!.AnnounceAsync(entry.Url, request, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            lock (_gate)
            {
                entry.State = entry.LastError is null && entry.LastAnnounce is not null ? TrackerState.Working : TrackerState.NotWorking;
            }
            throw;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A transport should never throw, but one that does must not end the tier's loop.
            result = TrackerResult.Fail(entry.Url, e.Message);
        }
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            entry.LastAnnounce = now;
            if (result.IsSuccess)
            {
                var r = result.Response!;
                entry.State = TrackerState.Working;
                entry.LastError = null;
                entry.Warning = r.WarningMessage;
                entry.LastPeerCount = r.Peers.Count;
                entry.Seeders = r.Seeders;
                entry.Leechers = r.Leechers;
                if (r.TrackerId is not null)
                {
                    entry.TrackerId = r.TrackerId;
                }
                if (ev is TrackerEvent.Started or TrackerEvent.Completed or TrackerEvent.None)
                {
                    entry.StartedSent = true;
                }
            }
            else
            {
                entry.State = TrackerState.NotWorking;
                entry.LastError = result.Error;
            }
        }
        if (result.IsSuccess)
        {
            var r = result.Response!;
            TrackerLog.Announced(_logger, entry.Url, r.Peers.Count, r.Seeders, r.Leechers, TimeSpan.FromSeconds(r.Interval ?? 0));
            if (r.WarningMessage is not null)
            {
                TrackerLog.Warned(_logger, entry.Url, r.WarningMessage);
            }
        }
        else
        {
            TrackerLog.Failed(_logger, entry.Url, result.Error ?? "unknown error");
        }
        return result;
    }

    /// <summary>One tracker's mutable state. Status fields are guarded by the manager's gate.</summary>
    private sealed class TrackerEntry(string url, int tier, ITrackerClient? client)
    {
        public string Url { get; } = url;
        public int TierIndex { get; } = tier;
        public ITrackerClient? Client { get; } = client;
        public TrackerState State { get; set; } = client is null ? TrackerState.NotWorking : TrackerState.NotContacted;
        public string? LastError { get; set; } = client is null ? "unsupported tracker URL scheme" : null;
        public string? Warning { get; set; }
        public int LastPeerCount { get; set; }
        public int? Seeders { get; set; }
        public int? Leechers { get; set; }
        public DateTimeOffset? LastAnnounce { get; set; }
        public DateTimeOffset? NextAnnounce { get; set; }
        public TimeSpan? Interval { get; set; }
        public TimeSpan? MinInterval { get; set; }
        public string? TrackerId { get; set; }

        /// <summary>The tracker accepted an announce from us, so it should hear <c>stopped</c> at the end.</summary>
        public bool StartedSent { get; set; }

        public TrackerStatus ToStatus() => new(Url, TierIndex, State, LastError, Warning, LastPeerCount, Seeders, Leechers,
            LastAnnounce, NextAnnounce, Interval, MinInterval);
    }

    /// <summary>One announce unit: a BEP 12 tier (or a single tracker with announce-to-all). Owned by its loop.</summary>
    private sealed class Tier(int index, List<TrackerEntry> trackers, DateTimeOffset next) : IDisposable
    {
        private readonly SemaphoreSlim _wake = new(0, 1);

        public int Index { get; } = index;
        public List<TrackerEntry> Trackers { get; } = trackers;
        public DateTimeOffset Next { get; set; } = next;
        public DateTimeOffset? LastAnnounce { get; set; }
        public TimeSpan MinInterval { get; set; }
        public int Failures { get; set; }
        public volatile bool WantMore;
        public volatile bool CompletedPending;
        public volatile bool AnnounceNow;

        public void Wake()
        {
            try
            {
                if (_wake.CurrentCount == 0)
                {
                    _wake.Release();
                }
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
            catch (ObjectDisposedException)
            {
            }
        }

        /// <summary>Waits for the delay or a wake-up, whichever is first.</summary>
        public async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken ct)
        {
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var sleep = Task.Delay(delay, time, cts.Token);
            var woken = _wake.WaitAsync(cts.Token);
            await Task.WhenAny(sleep, woken).ConfigureAwait(false);
            await cts.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(sleep, woken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            ct.ThrowIfCancellationRequested();
        }

        public void Dispose() => _wake.Dispose();
    }
}

using Microsoft.Extensions.Logging;
using Shoal.Engine.Session;

namespace Shoal.Daemon.Torrents;

/// <summary>
/// The once-a-second tick: fold the engine's counters into the records, notice completion and faults, stop seeds
/// that reached their ratio or seed-time limit, and fill free download and seed slots in queue order. Running
/// torrents are never pre-empted: lowering a queue size takes effect as torrents finish or stop.
/// </summary>
public sealed partial class TorrentRegistry
{
    private const int SaveEveryTicks = 30;
    private long _ticks;

    /// <summary>One tick; the host calls it every <see cref="DaemonOptions.TickInterval"/>.</summary>
    public async Task TickAsync(TimeSpan elapsed)
    {
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }
            _ticks++;
            long seconds = Math.Max(1, (long)elapsed.TotalSeconds);
            bool saveAll = _ticks % SaveEveryTicks == 0;
            bool anyActive = false;
            foreach (var t in _all)
            {
                if (t.Handle is not { } handle)
                {
                    continue;
                }
                anyActive = true;
                var s = handle.Status;
                FoldCounters(t, s);
                switch (s.State)
                {
                    case TorrentState.Error:
                        t.Error = s.Error ?? "the torrent failed";
                        await StopSessionAsync(t).ConfigureAwait(false);
                        continue;
                    case TorrentState.Stopped:
                        await StopSessionAsync(t).ConfigureAwait(false);
                        continue;
                    case TorrentState.Downloading:
                        t.Record.SecondsDownloading += seconds;
                        if (t.Record.Complete)
                        {
                            t.Record.Complete = false; // data went missing and the check found it
                            Save(t);
                        }
                        break;
                    case TorrentState.Seeding or TorrentState.Completed when s.WantedComplete:
                        if (!t.Record.Complete)
                        {
                            t.Record.Complete = true;
                            if (t.Record.DoneDate == 0 && t.Record.DownloadedEver > 0)
                            {
                                t.Record.DoneDate = Now;
                            }
                            Touch(t);
                            Save(t);
                        }
                        t.Record.SecondsSeeding += seconds;
                        if (SeedLimitReached(t) is { } why)
                        {
                            _log.LogInformation("{Name}: {Why}; stopping", t.Record.Name, why);
                            t.Record.Paused = true;
                            t.Record.Finished = true;
                            await StopSessionAsync(t).ConfigureAwait(false);
                        }
                        break;
                }
                if (saveAll)
                {
                    Save(t);
                }
            }
            if (anyActive)
            {
                Settings.CumulativeSecondsActive += seconds;
            }
            if (saveAll)
            {
                _store.SaveSettings(Settings);
            }
            await RunQueueAsync().ConfigureAwait(false);
        }
        finally
        {
            _ops.Release();
        }
    }

    /// <summary>Why a seeding torrent should stop now, or null.</summary>
    private string? SeedLimitReached(ManagedTorrent t)
    {
        var r = t.Record;
        double? ratio = r.SeedRatioMode switch
        {
            0 when Settings.SeedRatioLimited => Settings.SeedRatioLimit,
            1 => r.SeedRatioLimit,
            _ => null,
        };
        if (ratio is { } limit && t.Ratio >= limit)
        {
            return $"seed ratio {limit:0.##} reached";
        }
        int? minutes = r.SeedTimeMode switch
        {
            0 when Settings.SeedTimeLimited => Settings.SeedTimeLimitMinutes,
            1 => r.SeedTimeLimitMinutes,
            _ => null,
        };
        if (minutes is { } m && r.SecondsSeeding >= m * 60L)
        {
            return $"seed time of {m} minutes reached";
        }
        return null;
    }

    /// <summary>Starts waiting torrents while there are free slots (caller holds the operation lock).</summary>
    private async Task RunQueueAsync()
    {
        if (_disposed)
        {
            return;
        }
        var all = _all;
        int downloading = all.Count(t => t.Handle is not null && !t.Record.Complete);
        int seeding = all.Count(t => t.Handle is not null && t.Record.Complete);
        foreach (var t in all.OrderBy(t => t.Record.QueuePosition))
        {
            if (t.Handle is not null || t.Metainfo is null || t.Record.Paused || t.Error is not null)
            {
                t.Queued = false;
                continue;
            }
            bool seed = t.Record.Complete;
            bool full = seed
                ? Settings.SeedQueueEnabled && seeding >= Settings.SeedQueueSize
                : Settings.DownloadQueueEnabled && downloading >= Settings.DownloadQueueSize;
            if (full)
            {
                t.Queued = true;
                continue;
            }
            await StartSessionAsync(t).ConfigureAwait(false);
            if (t.Handle is not null)
            {
                _ = seed ? seeding++ : downloading++;
            }
        }
    }

    /// <summary>queue-move-*: reorders the queue and renumbers positions 0..n-1 (saved).</summary>
    public async Task MoveInQueueAsync(IReadOnlyList<ManagedTorrent> torrents, QueueMove move)
    {
        ArgumentNullException.ThrowIfNull(torrents);
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            var order = _all.OrderBy(t => t.Record.QueuePosition).ToList();
            var moving = torrents.Where(order.Contains).OrderBy(order.IndexOf).ToList();
            if (moving.Count == 0)
            {
                return;
            }
            switch (move)
            {
                case QueueMove.Top:
                    order.RemoveAll(moving.Contains);
                    order.InsertRange(0, moving);
                    break;
                case QueueMove.Bottom:
                    order.RemoveAll(moving.Contains);
                    order.AddRange(moving);
                    break;
                case QueueMove.Up:
                    foreach (var t in moving)
                    {
                        int i = order.IndexOf(t);
                        if (i > 0 && !moving.Contains(order[i - 1]))
                        {
                            (order[i - 1], order[i]) = (order[i], order[i - 1]);
                        }
                    }
                    break;
                case QueueMove.Down:
                    foreach (var t in Enumerable.Reverse(moving))
                    {
                        int i = order.IndexOf(t);
                        if (i < order.Count - 1 && !moving.Contains(order[i + 1]))
                        {
                            (order[i + 1], order[i]) = (order[i], order[i + 1]);
                        }
                    }
                    break;
            }
            for (int i = 0; i < order.Count; i++)
            {
                if (order[i].Record.QueuePosition != i)
                {
                    order[i].Record.QueuePosition = i;
                    Touch(order[i]);
                    Save(order[i]);
                }
            }
            _nextQueuePosition = order.Count;
        }
        finally
        {
            _ops.Release();
        }
    }
}

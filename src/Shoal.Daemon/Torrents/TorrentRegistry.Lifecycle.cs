using System.Net;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Session;
using Shoal.Daemon.State;
using Shoal.Engine.Storage;
using Shoal.Protocol.Metainfo;

namespace Shoal.Daemon.Torrents;

/// <summary>
/// Starting and stopping engine torrents. A paused or queued torrent has no engine session at all (200 paused
/// torrents cost a record each, not a session); starting adds it to the engine again, whose resume data (kept in
/// DATA_DIR/resume) spares the re-hash of unchanged files. Everything that talks to the engine about one torrent is
/// in this file.
/// </summary>
public sealed partial class TorrentRegistry
{
    /// <summary>torrent-start: clears a pause (and a local error); the queue decides when it runs.</summary>
    public async Task StartAsync(ManagedTorrent t, bool now = false)
    {
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            t.Record.Paused = false;
            t.Record.Finished = false;
            t.Error = null;
            Touch(t);
            Save(t);
            if (t.Record.MagnetUri is not null)
            {
                StartMetadataFetch(t);
            }
            else if (now)
            {
                // torrent-start-now: skip the queue.
                await StartSessionAsync(t).ConfigureAwait(false);
            }
            await RunQueueAsync().ConfigureAwait(false);
        }
        finally
        {
            _ops.Release();
        }
    }

    /// <summary>torrent-stop: pauses the torrent (kept across restarts).</summary>
    public async Task StopAsync(ManagedTorrent t)
    {
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            t.Record.Paused = true;
            t.MetadataFetch?.Cancel();
            t.Queued = false;
            await StopSessionAsync(t).ConfigureAwait(false);
            Touch(t);
            Save(t);
            await RunQueueAsync().ConfigureAwait(false);
        }
        finally
        {
            _ops.Release();
        }
    }

    /// <summary>
    /// torrent-verify: checks the data against the piece hashes. A running torrent is restarted (the engine checks on
    /// start); a stopped one is checked here, read-only, and stays stopped.
    /// </summary>
    public async Task VerifyAsync(ManagedTorrent t)
    {
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            if (t.Metainfo is not { } meta)
            {
                return;
            }
            Touch(t);
            if (t.Handle is { } handle)
            {
                // The engine checks in place and goes back to what it was doing; the tick sees the result.
                _ = VerifyInBackgroundAsync(t, handle);
                return;
            }
            var store = TorrentStorage.OpenForChecking(meta, t.Record.DownloadDirectory);
            await using (store.ConfigureAwait(false))
            {
                var have = await PieceVerifier.CheckExistingAsync(meta, store, null, CancellationToken.None).ConfigureAwait(false);
                t.Record.BytesDone = have.SetIndices().Sum(i => (long)meta.Lengths.PieceSize(i));
                t.Record.Complete = have.AllSet;
                t.Error = null;
                Save(t);
                // Resume data written before this check may claim pieces it found bad: the next start checks in full.
                string resume = Path.Combine(_store.ResumeDirectory, t.InfoHash + ".resume");
                if (File.Exists(resume))
                {
                    File.Delete(resume);
                }
            }
        }
        finally
        {
            _ops.Release();
        }
    }

    private async Task StartSessionAsync(ManagedTorrent t)
    {
        if (t.Handle is not null || t.Metainfo is not { } meta)
        {
            return;
        }
        t.Queued = false;
        try
        {
            Directory.CreateDirectory(t.Record.DownloadDirectory);
            var r = t.Record;
            var handle = await _engine.AddTorrentAsync(meta, new TorrentOptions
            {
                DownloadDirectory = r.DownloadDirectory,
                SeedWhenComplete = true,
                Peers = ParsePeers(r.Peers),
                ResumeDirectory = _store.ResumeDirectory,
                FilePriorities = FilePriorities(r),
                Sequential = r.Sequential,
                MaxDownloadRate = r.DownloadLimited ? r.DownloadLimit : 0,
                MaxUploadRate = r.UploadLimited ? r.UploadLimit : 0,
                AddedAt = DateTimeOffset.FromUnixTimeSeconds(r.AddedDate),
                CompletedAt = r.DoneDate > 0 ? DateTimeOffset.FromUnixTimeSeconds(r.DoneDate) : null,
            }).ConfigureAwait(false);
            t.Handle = handle;
            t.SeenDownloaded = 0;
            t.SeenUploaded = 0;
            t.Error = null;
            t.Record.ActivityDate = Now;
            _log.LogInformation("started {Name} (id {Id})", meta.Name, t.Id);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException or StorageException)
        {
            t.Error = ex.Message;
            _log.LogWarning("cannot start {Name}: {Error}", meta.Name, ex.Message);
        }
        Touch(t);
    }

    /// <summary>Stops the engine torrent (files flushed), folding its counters into the record first.</summary>
    private async Task StopSessionAsync(ManagedTorrent t)
    {
        if (t.Handle is not { } handle)
        {
            return;
        }
        FoldCounters(t, handle.Status);
        await handle.StopAsync().ConfigureAwait(false);
        t.LastStatus = handle.Status;
        t.Handle = null;
        Touch(t);
        Save(t);
    }

    /// <summary>Adds what the engine counted since the last look to the torrent's lifetime totals.</summary>
    private void FoldCounters(ManagedTorrent t, TorrentStatus s)
    {
        long down = s.Downloaded - t.SeenDownloaded;
        long up = s.Uploaded - t.SeenUploaded;
        if (down > 0 || up > 0)
        {
            t.Record.DownloadedEver += Math.Max(0, down);
            t.Record.UploadedEver += Math.Max(0, up);
            Settings.CumulativeDownloaded += Math.Max(0, down);
            Settings.CumulativeUploaded += Math.Max(0, up);
            t.Record.ActivityDate = Now;
        }
        t.SeenDownloaded = s.Downloaded;
        t.SeenUploaded = s.Uploaded;
        t.LastStatus = s;
        if (s.State != TorrentState.Checking)
        {
            t.Record.BytesDone = s.BytesDone;
        }
    }

    /// <summary>Hands a running torrent its limits, file priorities and piece order (after torrent-set).</summary>
    private void ApplyLimits(ManagedTorrent t)
    {
        if (t.Handle is not { } handle)
        {
            return; // applied when it starts
        }
        var r = t.Record;
        try
        {
            handle.SetRateLimits(r.DownloadLimited ? r.DownloadLimit : 0, r.UploadLimited ? r.UploadLimit : 0);
            if (FilePriorities(r) is { } priorities)
            {
                handle.SetFilePriorities(priorities);
            }
            handle.SetSequential(r.Sequential);
        }
        catch (ArgumentException ex)
        {
            _log.LogWarning("{Name}: settings not applied: {Error}", r.Name, ex.Message);
        }
    }

    /// <summary>The session's speed limits, as the engine's global limits (0 = none).</summary>
    private void ApplyGlobalLimits()
    {
        _engine.MaxDownloadRate = Settings.SpeedLimitDownEnabled ? Settings.SpeedLimitDown : 0;
        _engine.MaxUploadRate = Settings.SpeedLimitUpEnabled ? Settings.SpeedLimitUp : 0;
    }

    /// <summary>Transmission's wanted flags and -1/0/1 priorities as the engine's file priorities.</summary>
    private static FilePriority[]? FilePriorities(TorrentRecord r) =>
        r.Wanted.Count == 0 ? null : [.. r.Wanted.Select((wanted, i) => !wanted ? FilePriority.Skip
            : (i < r.Priorities.Count ? r.Priorities[i] : 0) switch { < 0 => FilePriority.Low, > 0 => FilePriority.High, _ => FilePriority.Normal })];

    private async Task VerifyInBackgroundAsync(ManagedTorrent t, TorrentHandle handle)
    {
        try
        {
            int valid = await handle.VerifyAsync().ConfigureAwait(false);
            _log.LogInformation("{Name}: verified, {Valid}/{Total} pieces good", t.Record.Name, valid, handle.Metainfo.PieceCount);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException or IOException)
        {
            _log.LogDebug("{Name}: verify ended early: {Error}", t.Record.Name, ex.Message);
        }
    }

    /// <summary>A magnet's metadata arrived (fetched, or a .torrent with the same hash was added).</summary>
    private void AdoptMetainfo(ManagedTorrent t, TorrentMetainfo meta)
    {
        t.Metainfo = meta;
        t.Record.MagnetUri = null;
        t.Record.Name = meta.Name;
        t.FetchingMetadata = false;
        t.MetadataFetch?.Cancel();
        EnsureFileLists(t);
        Settings.FilesAdded += meta.Files.Count;
        Touch(t);
        Save(t);
    }

    private static IPEndPoint[] ParsePeers(IEnumerable<string> peers) =>
        [.. peers.Select(p => IPEndPoint.TryParse(p, out var ep) && ep.Port != 0 ? ep : null).OfType<IPEndPoint>()];
}

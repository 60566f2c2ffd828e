using System.Net;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Session;
using Shoal.Engine.Storage;
using Shoal.Protocol.Metainfo;

namespace Shoal.Daemon.Torrents;

/// <summary>
/// Starting and stopping engine torrents. THE SEAM: until the engine has pause/resume, "stop" stops the torrent's
/// session and "start" adds it again (its data is checked on the way back in). Everything that talks to the engine
/// about one torrent is in this file, so switching to the engine's own pause, limits and file priorities changes
/// only <see cref="StartSessionAsync"/>, <see cref="StopSessionAsync"/> and <see cref="ApplyLimits"/>.
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
            if (t.Handle is not null)
            {
                await StopSessionAsync(t).ConfigureAwait(false);
                await StartSessionAsync(t).ConfigureAwait(false);
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
            var handle = await _engine.AddTorrentAsync(meta, new TorrentOptions
            {
                DownloadDirectory = t.Record.DownloadDirectory,
                SeedWhenComplete = true,
                Peers = ParsePeers(t.Record.Peers),
            }).ConfigureAwait(false);
            t.Handle = handle;
            t.SeenDownloaded = 0;
            t.SeenUploaded = 0;
            t.Error = null;
            t.Record.ActivityDate = Now;
            ApplyLimits(t);
            _log.LogInformation("started {Name} (id {Id})", meta.Name, t.Id);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or StorageException)
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

    /// <summary>
    /// Per-torrent limits, file priorities and sequential order. The engine has no API for them yet; they are saved
    /// and reported, and this is where they will be handed to the engine's handle.
    /// </summary>
    private static void ApplyLimits(ManagedTorrent t) => _ = t;

    /// <summary>Global rate limits: saved and reported; handed to the engine here once it has a limiter.</summary>
    private void ApplyGlobalLimits() => _ = Settings;

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

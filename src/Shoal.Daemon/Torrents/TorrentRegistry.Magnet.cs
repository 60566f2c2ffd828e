using System.Net;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Metadata;
using Shoal.Protocol.Extensions;
using Shoal.Protocol.Metainfo;

namespace Shoal.Daemon.Torrents;

/// <summary>
/// Magnet links: the torrent is listed (and saved, with its link) at once; its metadata is fetched in the
/// background, retrying while it is neither paused nor removed. Once verified it is saved as a .torrent and the
/// torrent joins the queue like any other.
/// </summary>
public sealed partial class TorrentRegistry
{
    private static readonly TimeSpan MetadataRetry = TimeSpan.FromSeconds(15);

    private async Task<AddResult> AddMagnetAsync(AddRequest request)
    {
        var magnet = MagnetLink.Parse(request.Magnet!);
        string hash = magnet.InfoHash.ToHex();
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (FindByHash(hash) is { } existing)
            {
                return new AddResult(existing, Duplicate: true);
            }
            var record = NewRecord(hash, magnet.DisplayName ?? hash, request);
            record.MagnetUri = request.Magnet;
            record.Peers = [.. magnet.Peers];
            var t = new ManagedTorrent(record, null);
            Register(t);
            Save(t);
            if (!record.Paused)
            {
                StartMetadataFetch(t);
            }
            _log.LogInformation("added magnet {Hash} as id {Id}", hash, t.Id);
            return new AddResult(t, Duplicate: false);
        }
        finally
        {
            _ops.Release();
        }
    }

    /// <summary>Starts the background fetch unless one is running (caller holds the operation lock).</summary>
    private void StartMetadataFetch(ManagedTorrent t)
    {
        if (t.FetchingMetadata || t.Record.MagnetUri is null)
        {
            return;
        }
        var cts = new CancellationTokenSource();
        t.MetadataFetch = cts;
        t.FetchingMetadata = true;
        _ = Task.Run(() => FetchMetadataAsync(t, MagnetLink.Parse(t.Record.MagnetUri), cts.Token));
    }

    private async Task FetchMetadataAsync(ManagedTorrent t, MagnetLink magnet, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var peers = await ResolvePeersAsync(magnet.Peers, ct).ConfigureAwait(false);
                try
                {
                    var fetched = await _engine.FetchMetadataAsync(magnet, peers, ct).ConfigureAwait(false);
                    byte[] torrent = MagnetTorrentFile.Build(fetched.RawInfo.Span, magnet.Trackers);
                    var meta = TorrentMetainfo.Parse(torrent);
                    await _ops.WaitAsync(ct).ConfigureAwait(false);
                    try
                    {
                        if (FindById(t.Id) == t && t.Metainfo is null)
                        {
                            _store.SaveTorrentFile(t.InfoHash, torrent);
                            t.Record.Peers = [.. t.Record.Peers.Union(fetched.Peers.Select(p => p.ToString()))];
                            AdoptMetainfo(t, meta);
                            _log.LogInformation("{Hash}: metadata fetched ({Name})", t.InfoHash, meta.Name);
                            await RunQueueAsync().ConfigureAwait(false);
                        }
                    }
                    finally
                    {
                        _ops.Release();
                    }
                    return;
                }
                catch (Exception ex) when (ex is MetadataFetchException or MetainfoException or IOException)
                {
                    t.Error = null;
                    _log.LogInformation("{Hash}: metadata not fetched yet ({Error}); retrying", t.InfoHash, ex.Message);
                }
                await Task.Delay(MetadataRetry, _time, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex)
        {
            t.Error = $"metadata: {ex.Message}";
            _log.LogWarning("{Hash}: metadata fetch failed: {Error}", t.InfoHash, ex.Message);
        }
        finally
        {
            t.FetchingMetadata = false;
        }
    }

    private async Task<List<IPEndPoint>> ResolvePeersAsync(IEnumerable<string> specs, CancellationToken ct)
    {
        var result = new List<IPEndPoint>();
        foreach (string spec in specs)
        {
            if (IPEndPoint.TryParse(spec, out var ep) && ep.Port != 0)
            {
                result.Add(ep);
                continue;
            }
            int colon = spec.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(spec.AsSpan(colon + 1), out int port) || port is <= 0 or > 65535)
            {
                continue;
            }
            try
            {
                foreach (var address in await Dns.GetHostAddressesAsync(spec[..colon], ct).ConfigureAwait(false))
                {
                    result.Add(new IPEndPoint(address, port));
                }
            }
            catch (System.Net.Sockets.SocketException ex)
            {
                _log.LogDebug("peer {Peer} does not resolve: {Error}", spec, ex.Message);
            }
        }
        return result;
    }
}

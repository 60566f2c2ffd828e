using System.Net;
using Microsoft.Extensions.Logging;
using Shoal.Protocol;

namespace Shoal.Engine.Dht;

/// <summary>
/// Finds peers for one info hash through a shared <see cref="DhtNode"/> and (when given a port) announces us,
/// repeating: soon and with a doubling backoff while the owner wants more peers or the announce reached nobody,
/// otherwise at the announce interval. Found peers go to a callback, which must only post them on (it runs on the
/// lookup's task). Owns nothing but its loop; the node and its bootstrap belong to the engine.
/// </summary>
internal sealed class DhtPeerDiscovery : IAsyncDisposable
{
    private readonly DhtNode _node;
    private readonly Func<CancellationToken, Task> _ensureBootstrapped;
    private readonly InfoHash _infoHash;
    private readonly Func<int>? _announcePort;
    private readonly Func<bool> _wantMorePeers;
    private readonly Action<IReadOnlyList<IPEndPoint>> _onPeers;
    private readonly EngineDhtOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private int _lookups;
    private int _peersFound;
    private int _lastAnnouncedTo;
    private TaskCompletionSource? _poke; // completed by Poke to cut the current wait short

    /// <param name="node">The engine's running DHT node.</param>
    /// <param name="ensureBootstrapped">Completes once the node has contacts (re-bootstrapping if the table emptied).</param>
    /// <param name="infoHash">The torrent.</param>
    /// <param name="announcePort">Our TCP listen port to announce, or null to only look peers up.</param>
    /// <param name="wantMorePeers">Asked after each lookup: true keeps lookups frequent.</param>
    /// <param name="onPeers">Receives each batch of peers found.</param>
    /// <param name="options">Intervals.</param>
    /// <param name="time">Clock for the waits.</param>
    /// <param name="log">Where lookups are reported (debug level).</param>
    public DhtPeerDiscovery(DhtNode node, Func<CancellationToken, Task> ensureBootstrapped, InfoHash infoHash,
        Func<int>? announcePort, Func<bool> wantMorePeers, Action<IReadOnlyList<IPEndPoint>> onPeers,
        EngineDhtOptions options, TimeProvider time, ILogger log)
    {
        _node = node;
        _ensureBootstrapped = ensureBootstrapped;
        _infoHash = infoHash;
        _announcePort = announcePort;
        _wantMorePeers = wantMorePeers;
        _onPeers = onPeers;
        _options = options;
        _time = time;
        _log = log;
    }

    /// <summary>Lookups finished so far.</summary>
    public int Lookups => Volatile.Read(ref _lookups);

    /// <summary>Peers the lookups returned (with repeats across lookups).</summary>
    public int PeersFound => Volatile.Read(ref _peersFound);

    /// <summary>Nodes that accepted our last announce_peer (0 before the first, or when only looking up).</summary>
    public int LastAnnouncedTo => Volatile.Read(ref _lastAnnouncedTo);

    public void Start() => _loop = Task.Run(() => RunAsync(_stop.Token), CancellationToken.None);

    /// <summary>Asks for a lookup now instead of at the next scheduled time (e.g. when every known peer failed).</summary>
    public void Poke() => Interlocked.Exchange(ref _poke, null)?.TrySetResult();

    private async Task RunAsync(CancellationToken ct)
    {
        var retry = _options.RetryInterval;
        while (!ct.IsCancellationRequested)
        {
            var poke = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _poke, poke);
            bool shortOfPeers;
            try
            {
                await _ensureBootstrapped(ct).ConfigureAwait(false);
                shortOfPeers = await LookupOnceAsync(ct).ConfigureAwait(false) || _wantMorePeers();
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _log.LogDebug(ex, "DHT lookup for {InfoHash} failed", _infoHash.ToHex());
                shortOfPeers = true;
            }
            var wait = shortOfPeers ? retry : _options.AnnounceInterval;
            retry = shortOfPeers ? TimeSpan.FromTicks(Math.Min(retry.Ticks * 2, _options.MaxRetryInterval.Ticks)) : _options.RetryInterval;
            try
            {
                await Task.WhenAny(Task.Delay(wait, _time, ct), poke.Task).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One lookup (and announce); true when it should be repeated soon regardless of the peer count.</summary>
    private async Task<bool> LookupOnceAsync(CancellationToken ct)
    {
        void Found(IReadOnlyList<IPEndPoint> peers)
        {
            Interlocked.Add(ref _peersFound, peers.Count);
            _onPeers(peers);
        }
        int port = _announcePort?.Invoke() ?? 0;
        DhtLookupResult lookup;
        bool again;
        if (port > 0)
        {
            var r = await _node.AnnounceAsync(_infoHash, port, impliedPort: false, Found, ct).ConfigureAwait(false);
            Volatile.Write(ref _lastAnnouncedTo, r.AnnouncedTo);
            lookup = r.Lookup;
            again = r.AnnouncedTo == 0;
        }
        else
        {
            lookup = await _node.LookupPeersAsync(_infoHash, Found, ct).ConfigureAwait(false);
            again = false;
        }
        Interlocked.Increment(ref _lookups);
        _log.LogDebug("DHT lookup for {InfoHash}: {Peers} peers, {Responses} of {Queries} nodes answered, announced to {Announced}",
            _infoHash.ToHex(), lookup.Peers.Count, lookup.Responses, lookup.QueriesSent, LastAnnouncedTo);
        return again || lookup.Responses == 0;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}

using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Protocol;
using Shoal.Protocol.Trackers;

namespace Shoal.Engine.Trackers;

/// <summary>
/// Announces one torrent to its trackers by BEP 12 tiers, every tier on its own loop so that a dead tracker in one
/// tier never delays peers from another. Peers arrive on <see cref="Peers"/>; <see cref="Snapshot"/> gives per-tracker
/// status. See README.md in this folder for the state machine.
/// </summary>
/// <remarks>
/// Threading: each tier's state is touched only by that tier's loop, except the small status fields read by
/// <see cref="Snapshot"/>, which are guarded by <c>_gate</c>. Public methods are safe from any thread.
/// </remarks>
public sealed partial class TrackerManager : IAsyncDisposable
{
    private readonly List<Tier> _tiers = [];
    private readonly List<TrackerEntry> _all = [];
    private readonly InfoHash _infoHash;
    private readonly PeerId _peerId;
    private readonly int _listenPort;
    private readonly Func<AnnounceStats> _stats;
    private readonly TrackerOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly ITrackerClient _http;
    private readonly ITrackerClient _udp;
    private readonly HttpTrackerClient? _ownedHttp;
    private readonly uint _key = (uint)RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
    private readonly Channel<TrackerPeers> _peers = Channel.CreateBounded<TrackerPeers>(
        new BoundedChannelOptions(64) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = false });
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private readonly List<Task> _loops = [];
    private int _completedSent;
    private int _stopped;

    /// <summary>Creates the manager; nothing is sent until <see cref="Start"/>.</summary>
    /// <param name="tiers">Announce URLs by tier (metainfo <c>announce-list</c>, or one tier with <c>announce</c>, or
    /// magnet <c>tr</c> each in its own tier). Duplicates are dropped; unsupported schemes show as not working.</param>
    /// <param name="infoHash">The torrent.</param>
    /// <param name="peerId">Our peer id.</param>
    /// <param name="listenPort">The port peers should connect to.</param>
    /// <param name="stats">Asked just before each announce for uploaded / downloaded / left.</param>
    /// <param name="options">Timeouts and policy; <see cref="TrackerOptions.Default"/> if null.</param>
    /// <param name="logger">Optional.</param>
    /// <param name="timeProvider">Clock for intervals; the system clock if null.</param>
    /// <param name="httpClient">HTTP transport; <see cref="HttpTrackerClient.Shared"/> (or one built from
    /// <paramref name="options"/>) if null.</param>
    /// <param name="udpClient">UDP transport; a new <see cref="UdpTrackerClient"/> if null.</param>
    public TrackerManager(IReadOnlyList<IReadOnlyList<string>> tiers, InfoHash infoHash, PeerId peerId, int listenPort,
        Func<AnnounceStats> stats, TrackerOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null,
        ITrackerClient? httpClient = null, ITrackerClient? udpClient = null)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        ArgumentNullException.ThrowIfNull(stats);
        _infoHash = infoHash;
        _peerId = peerId;
        _listenPort = listenPort;
        _stats = stats;
        _options = options ?? TrackerOptions.Default;
        _logger = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        if (httpClient is null && options is not null)
        {
            // Custom timeouts need their own handler; it is disposed with the manager.
            _ownedHttp = new HttpTrackerClient(_options);
        }
        _http = httpClient ?? _ownedHttp ?? HttpTrackerClient.Shared;
        _udp = udpClient ?? new UdpTrackerClient(_options, _time);

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int t = 0; t < tiers.Count; t++)
        {
            var entries = new List<TrackerEntry>();
            foreach (string raw in tiers[t])
            {
                string url = raw.Trim();
                if (url.Length > 0 && seen.Add(url))
                {
                    var entry = new TrackerEntry(url, t, ClientFor(url));
                    entries.Add(entry);
                    _all.Add(entry);
                }
            }
            // BEP 12: shuffle each tier once; afterwards only successes reorder it.
            var shuffled = entries.ToArray();
            Random.Shared.Shuffle(shuffled);
            if (_options.AnnounceToAllTrackers)
            {
                _tiers.AddRange(shuffled.Select(e => new Tier(t, [e], _time.GetUtcNow())));
            }
            else if (shuffled.Length > 0)
            {
                _tiers.Add(new Tier(t, [.. shuffled], _time.GetUtcNow()));
            }
        }
    }

    /// <summary>Peer batches as trackers answer. Bounded: if nobody reads, the oldest batches are dropped.</summary>
    public ChannelReader<TrackerPeers> Peers => _peers.Reader;

    /// <summary>True when there is at least one tracker with a supported scheme.</summary>
    public bool HasTrackers => _all.Any(e => e.Client is not null);

    /// <summary>Starts one announce loop per tier (or per tracker with announce-to-all). Idempotent.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_loops.Count > 0 || _stopped != 0)
            {
                return;
            }
            foreach (var tier in _tiers)
            {
                _loops.Add(Task.Run(() => TierLoopAsync(tier, _stop.Token)));
            }
        }
    }

    /// <summary>
    /// Asks every tier to announce again as soon as its min interval allows, for when the session runs low on peers.
    /// </summary>
    public void RequestMorePeers()
    {
        foreach (var tier in _tiers)
        {
            tier.WantMore = true;
            tier.Wake();
        }
    }

    /// <summary>
    /// The download finished: every tier sends <c>completed</c> once, right away. Calls after the first do nothing.
    /// Do not call for a torrent that was complete from the start.
    /// </summary>
    public void Completed()
    {
        if (Interlocked.Exchange(ref _completedSent, 1) != 0)
        {
            return;
        }
        foreach (var tier in _tiers)
        {
            tier.CompletedPending = true;
            tier.AnnounceNow = true;
            tier.Wake();
        }
    }

    /// <summary>
    /// Stops the loops and sends <c>stopped</c> (best effort, at most <see cref="TrackerOptions.StopTimeout"/>) to every
    /// tracker that was told we started. Idempotent.
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        Task[] loops;
        lock (_gate)
        {
            loops = [.. _loops];
        }
        await Task.WhenAll(loops).ConfigureAwait(false);
        _peers.Writer.TryComplete();

        var started = _all.Where(e => e.StartedSent && e.Client is not null).ToList();
        if (started.Count == 0)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(_options.StopTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var stops = started.Select(e => AnnounceOneAsync(e, TrackerEvent.Stopped, linked.Token));
        try
        {
            await Task.WhenAll(stops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Best effort: a tracker that does not take our goodbye in time forgets us after its interval anyway.
        }
    }

    /// <summary>Per-tracker status, in tier order then URL order as given.</summary>
    public IReadOnlyList<TrackerStatus> Snapshot()
    {
        lock (_gate)
        {
            return [.. _all.Select(e => e.ToStatus())];
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
        _ownedHttp?.Dispose();
        foreach (var tier in _tiers)
        {
            tier.Dispose();
        }
    }

    private ITrackerClient? ClientFor(string url)
    {
        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            return _http;
        }
        return url.StartsWith("udp://", StringComparison.OrdinalIgnoreCase) ? _udp : null;
    }
}

using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Engine.Trackers;
using Shoal.Protocol;
using Shoal.Protocol.Extensions;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Metadata;

/// <summary>Knobs for <see cref="MetadataFetcher"/>.</summary>
public sealed record MetadataFetchOptions
{
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A request unanswered this long goes to another peer.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Connections open at once.</summary>
    public int MaxPeers { get; init; } = 20;

    /// <summary>Requests outstanding per peer (libtorrent serves a few at a time).</summary>
    public int MaxRequestsPerPeer { get; init; } = 4;

    /// <summary>The port we announce in our extension handshake and to trackers.</summary>
    public int ListenPort { get; init; }

    /// <summary>
    /// Peers also arrive through <see cref="MetadataFetcher.AddPeers"/> from a source that keeps looking (the DHT),
    /// so running out of peers is not a reason to give up.
    /// </summary>
    public bool MorePeersMayCome { get; init; }
}

/// <summary>The verified info dictionary and the peers that served it (good first peers for the download).</summary>
public sealed record FetchedMetadata(ReadOnlyMemory<byte> RawInfo, IReadOnlyList<IPEndPoint> Peers);

/// <summary>Fetching gave up (no peer left to ask and no tracker to find more).</summary>
public sealed class MetadataFetchException(string message) : Exception(message);

/// <summary>
/// Downloads the info dictionary of a magnet link (BEP 9) from peers given directly and peers from the magnet's
/// trackers. One loop owns all state (the <see cref="MetadataAssembler{TPeer}"/> per claimed size, requests,
/// candidates); each connection is a <see cref="FetchPeer"/> that posts events to it.
/// </summary>
/// <remarks>
/// Trust: pieces are checked for length and size on arrival, and the whole against the info hash. After a failed
/// hash check the fetcher asks one peer at a time for the whole set, so the next failure names the liar, which is
/// dropped and never dialled again.
/// </remarks>
public sealed class MetadataFetcher
{
    private readonly InfoHash _infoHash;
    private readonly PeerId _ourId;
    private readonly MetadataFetchOptions _options;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly Channel<FetchEvent> _events = Channel.CreateBounded<FetchEvent>(256);
    private readonly Channel<IReadOnlyList<IPEndPoint>> _newPeers = Channel.CreateUnbounded<IReadOnlyList<IPEndPoint>>();
    private readonly Channel<(Socket Socket, IPEndPoint Remote)> _incoming = Channel.CreateUnbounded<(Socket, IPEndPoint)>();
    private readonly HashSet<IPEndPoint> _seen = [];
    private readonly HashSet<IPEndPoint> _banned = [];
    private readonly Queue<IPEndPoint> _candidates = new();
    private readonly List<FetchPeer> _active = [];
    private readonly List<FetchPeer> _served = [];
    private readonly Dictionary<long, MetadataAssembler<FetchPeer>> _assemblers = [];
    private FetchPeer? _singleSource;
    private bool _singleSourceMode;

    public MetadataFetcher(InfoHash infoHash, PeerId ourId, MetadataFetchOptions? options = null, ILogger? logger = null,
        TimeProvider? timeProvider = null)
    {
        _infoHash = infoHash;
        _ourId = ourId;
        _options = options ?? new MetadataFetchOptions();
        _log = logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Peers that sent a piece of a set that failed the hash check while single-sourcing.</summary>
    public IReadOnlyCollection<IPEndPoint> Banned => _banned;

    /// <summary>Adds candidate peers (any thread).</summary>
    public void AddPeers(IEnumerable<IPEndPoint> peers) => _newPeers.Writer.TryWrite([.. peers]);

    /// <summary>
    /// Hands over a connection a peer opened to us for this info hash, already past the BEP 3 handshake (any
    /// thread). False when the fetch is over or the peer cannot speak BEP 10; the caller then closes the socket.
    /// </summary>
    internal bool AddIncoming(Socket socket, IPEndPoint remote, ReservedBits theirReserved)
    {
        if (!theirReserved.SupportsExtensionProtocol)
        {
            return false;
        }
        return _incoming.Writer.TryWrite((socket, remote));
    }

    /// <summary>
    /// Fetches and verifies the metadata. Throws <see cref="MetadataFetchException"/> when no peer is left and there
    /// are no trackers; otherwise keeps trying until <paramref name="ct"/> is cancelled.
    /// </summary>
    public async Task<FetchedMetadata> FetchAsync(IEnumerable<IPEndPoint> peers, IReadOnlyList<string> trackers, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(trackers);
        AddPeers(peers);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        await using var trackerManager = trackers.Count == 0 ? null : new TrackerManager(
            [.. trackers.Select(t => (IReadOnlyList<string>)[t])], _infoHash, _ourId, _options.ListenPort,
            () => new AnnounceStats(0, 0, 1), logger: _log, timeProvider: _time);
        Task pump = Task.CompletedTask;
        if (trackerManager is not null)
        {
            trackerManager.Start();
            pump = PumpTrackerPeersAsync(trackerManager, stop.Token);
        }
        try
        {
            return await RunLoopAsync(trackerManager, stop.Token).ConfigureAwait(false);
        }
        finally
        {
            _incoming.Writer.TryComplete();
            while (_incoming.Reader.TryRead(out var late))
            {
                late.Socket.Dispose();
            }
            foreach (var peer in _active)
            {
                peer.Close();
            }
            await stop.CancelAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            if (trackerManager is not null)
            {
                await trackerManager.StopAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    private async Task PumpTrackerPeersAsync(TrackerManager trackers, CancellationToken ct)
    {
        try
        {
            await foreach (var batch in trackers.Peers.ReadAllAsync(ct).ConfigureAwait(false))
            {
                AddPeers(batch.Peers);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task<FetchedMetadata> RunLoopAsync(TrackerManager? trackers, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        Task<bool> tick = timer.WaitForNextTickAsync(ct).AsTask();
        Task<bool> newPeers = _newPeers.Reader.WaitToReadAsync(ct).AsTask();
        Task<bool> incoming = _incoming.Reader.WaitToReadAsync(ct).AsTask();
        while (true)
        {
            while (_newPeers.Reader.TryRead(out var batch))
            {
                foreach (var ep in batch)
                {
                    var normal = ep.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(ep.Address.MapToIPv4(), ep.Port) : ep;
                    if (_seen.Add(normal))
                    {
                        _candidates.Enqueue(normal);
                    }
                }
            }
            AcceptIncoming(ct);
            while (_active.Count < _options.MaxPeers && _candidates.TryDequeue(out var next))
            {
                var peer = new FetchPeer(next, ct);
                _active.Add(peer);
                _log.LogDebug("metadata: connecting to {Peer}", next);
                _ = Task.Run(() => peer.RunAsync(_infoHash, _ourId, _options, _events.Writer), CancellationToken.None);
            }
            if (_active.Count == 0 && _candidates.Count == 0)
            {
                if (trackers is null && !_options.MorePeersMayCome)
                {
                    throw new MetadataFetchException(_seen.Count == 0
                        ? "no peers to fetch the metadata from (give --peer, x.pe or a tracker)"
                        : $"none of the {_seen.Count} peers could supply the metadata");
                }
                trackers?.RequestMorePeers();
            }

            while (_events.Reader.TryRead(out var e))
            {
                if (Handle(e) is { } done)
                {
                    return done;
                }
            }
            var readEvent = _events.Reader.WaitToReadAsync(ct).AsTask();
            var finished = await Task.WhenAny(readEvent, tick, newPeers, incoming).ConfigureAwait(false);
            ct.ThrowIfCancellationRequested();
            if (finished == tick)
            {
                ExpireRequests();
                tick = timer.WaitForNextTickAsync(ct).AsTask();
            }
            else if (finished == newPeers)
            {
                newPeers = _newPeers.Reader.WaitToReadAsync(ct).AsTask();
            }
            else if (finished == incoming)
            {
                incoming = _incoming.Reader.WaitToReadAsync(ct).AsTask();
            }
        }
    }

    /// <summary>Starts a fetch connection on each socket peers opened to us (up to the connection limit).</summary>
    private void AcceptIncoming(CancellationToken ct)
    {
        while (_incoming.Reader.TryRead(out var accepted))
        {
            if (_active.Count >= _options.MaxPeers || _banned.Contains(accepted.Remote))
            {
                accepted.Socket.Dispose();
                continue;
            }
            var peer = new FetchPeer(accepted.Socket, accepted.Remote, ct);
            _active.Add(peer);
            _log.LogDebug("metadata: {Peer} connected to us", accepted.Remote);
            _ = Task.Run(() => peer.RunAsync(_infoHash, _ourId, _options, _events.Writer), CancellationToken.None);
        }
    }

    private FetchedMetadata? Handle(FetchEvent e)
    {
        var peer = e.Peer;
        switch (e)
        {
            case PeerClosed closed:
                _log.LogDebug("metadata: {Peer} closed: {Reason}", peer, closed.Reason);
                _active.Remove(peer);
                if (peer.MetadataSize is long size && _assemblers.TryGetValue(size, out var a))
                {
                    a.PeerGone(peer);
                }
                if (_singleSource == peer)
                {
                    _singleSource = null;
                }
                break;
            case PeerReady ready:
                OnReady(peer, ready.Handshake);
                break;
            case PeerMetadataMessage { Message: var m }:
                return OnMetadata(peer, m);
        }
        RequestMore();
        return null;
    }

    private void OnReady(FetchPeer peer, ExtensionHandshake hs)
    {
        _log.LogDebug("metadata: {Peer} {Handshake}", peer, hs.Describe());
        if (hs.IdOf(UtMetadata.ExtensionName) is not byte id || hs.MetadataSize is not long size)
        {
            Drop(peer, "peer cannot send metadata");
            return;
        }
        if (!_assemblers.ContainsKey(size))
        {
            if (!MetadataAssembler<FetchPeer>.TryCreate(_infoHash, size, out var assembler, out string? error))
            {
                Drop(peer, error!);
                return;
            }
            _assemblers[size] = assembler!;
        }
        peer.UtMetadataId = id;
        peer.MetadataSize = size;
        peer.ListenPort = hs.ListenPort;
        if (peer.IsIncoming && peer.DialEndPoint is { } listening)
        {
            _seen.Add(listening); // already connected: do not dial it as well
        }
    }

    private FetchedMetadata? OnMetadata(FetchPeer peer, in UtMetadataMessage m)
    {
        if (m.Type == UtMetadataType.Request)
        {
            // We have nothing to serve yet.
            if (peer.UtMetadataId != 0)
            {
                peer.SendExtended(peer.UtMetadataId, UtMetadata.EncodeReject(m.Piece));
            }
            return null;
        }
        if (peer.MetadataSize is not long size || !_assemblers.TryGetValue(size, out var assembler))
        {
            return null;
        }
        if (m.Type == UtMetadataType.Reject)
        {
            peer.Requests.Remove(m.Piece);
            assembler.Release(peer, m.Piece);
            RequestMore();
            return null;
        }
        if (m.Type != UtMetadataType.Data)
        {
            return null;
        }
        peer.Requests.Remove(m.Piece);
        var result = assembler.OnData(peer, m);
        switch (result.Outcome)
        {
            case MetadataPieceOutcome.Invalid:
                Drop(peer, result.Error!);
                break;
            case MetadataPieceOutcome.Stored or MetadataPieceOutcome.Duplicate:
                if (!_served.Contains(peer))
                {
                    _served.Add(peer);
                }
                break;
            case MetadataPieceOutcome.Complete:
                _served.Remove(peer);
                _served.Insert(0, peer);
                _log.LogInformation("metadata: {Size} bytes verified ({Peers} peers helped)", size, _served.Count);
                return new FetchedMetadata(result.Metadata, [.. _served.Select(p => p.DialEndPoint).OfType<IPEndPoint>().Distinct()]);
            case MetadataPieceOutcome.HashMismatch:
                _log.LogWarning("metadata: hash check failed (size {Size}, from {Peers})", size, string.Join(", ", result.Contributors));
                foreach (var p in _active)
                {
                    p.Requests.Clear();
                }
                if (_singleSourceMode)
                {
                    foreach (var liar in result.Contributors)
                    {
                        _banned.Add(liar.EndPoint);
                        Drop(liar, "sent metadata that failed the hash check");
                    }
                }
                _singleSourceMode = true;
                _singleSource = null;
                break;
        }
        RequestMore();
        return null;
    }

    private void RequestMore()
    {
        if (_singleSourceMode)
        {
            _singleSource ??= _active.FirstOrDefault(p => p.MetadataSize is not null && !p.IsClosed);
        }
        foreach (var peer in _active)
        {
            if (peer.MetadataSize is not long size || peer.IsClosed || (_singleSourceMode && peer != _singleSource))
            {
                continue;
            }
            var assembler = _assemblers[size];
            while (peer.Requests.Count < _options.MaxRequestsPerPeer && assembler.TryPickRequest(peer, out int piece))
            {
                peer.Requests[piece] = _time.GetTimestamp();
                peer.SendExtended(peer.UtMetadataId, UtMetadata.EncodeRequest(piece));
            }
        }
    }

    private void ExpireRequests()
    {
        foreach (var peer in _active)
        {
            if (peer.MetadataSize is not long size)
            {
                continue;
            }
            foreach (var (piece, sent) in peer.Requests.ToList())
            {
                if (_time.GetElapsedTime(sent) >= _options.RequestTimeout)
                {
                    peer.Requests.Remove(piece);
                    _assemblers[size].Release(peer, piece);
                    // A peer that sits on requests is no help; let another take its place.
                    Drop(peer, "metadata request timed out");
                    break;
                }
            }
        }
        RequestMore();
    }

    private void Drop(FetchPeer peer, string reason)
    {
        _log.LogDebug("metadata: dropping {Peer}: {Reason}", peer, reason);
        peer.Close();
    }
}

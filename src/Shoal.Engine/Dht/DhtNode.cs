using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Shoal.Protocol;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

/// <summary>
/// A mainline DHT node (BEP 5): one UDP socket with one receive loop, a routing table, a peer store for announces
/// received, and iterative lookups for get_peers / announce_peer. Shared state (table, peer store, token secrets,
/// rate limiter) is guarded by one lock and never touched while awaiting; outstanding queries live in a concurrent
/// map keyed by transaction id. Typical use:
/// <code>
///   await using var dht = new DhtNode(new DhtOptions { LocalEndPoint = new(IPAddress.Any, 6881) });
///   await dht.StartAsync(ct);
///   await dht.BootstrapAsync(ct: ct);
///   await foreach (var peer in dht.GetPeersAsync(infoHash, ct)) { ... }
///   await dht.AnnounceAsync(infoHash, listenPort, ct);
/// </code>
/// </summary>
public sealed partial class DhtNode : IAsyncDisposable
{
    private readonly DhtOptions _options;
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<IPEndPoint, byte> _verifying = new();
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private readonly List<NodeInfo> _loadedNodes = [];
    private RoutingTable _table;
    private PeerStore _peers;
    private TokenSecrets _tokens;
    private SourceRateLimiter _limiter;
    private Socket? _socket;
    private Task? _receiveLoop;
    private Task? _maintenanceLoop;
    private int _state; // 0 new, 1 started, 2 stopped

    public DhtNode(DhtOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var now = Now;
        Id = options.NodeId ?? NodeId.CreateRandom();
        _table = new RoutingTable(Id, options.BucketSize, options.NodeFreshness, options.MaxNodeFailures, now);
        _peers = new PeerStore(options.MaxPeersPerInfoHash, options.MaxStoredPeers, options.PeerLifetime);
        _tokens = new TokenSecrets(options.TokenRotation, now);
        _limiter = new SourceRateLimiter(options.QueriesPerSecondPerIp, options.QueryBurstPerIp);
        LocalEndPoint = options.LocalEndPoint;
    }

    /// <summary>Our node id (from options, else from the saved table, else random).</summary>
    public NodeId Id { get; private set; }

    /// <summary>The bound endpoint (with the real port once started, when 0 was asked for).</summary>
    public IPEndPoint LocalEndPoint { get; private set; }

    private DateTimeOffset Now => _options.TimeProvider.GetUtcNow();

    /// <summary>
    /// Loads the saved routing table (if any), binds the socket and starts the receive and maintenance loops.
    /// Does not contact anyone: call <see cref="BootstrapAsync"/> next.
    /// </summary>
    public Task StartAsync(CancellationToken ct = default)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("a DHT node starts once");
        }
        ct.ThrowIfCancellationRequested();
        if (_options.RoutingTablePath is { } path && RoutingTableFile.TryLoad(path, out var savedId, out var saved))
        {
            if (_options.NodeId is null && savedId != Id)
            {
                Id = savedId;
                _table = new RoutingTable(Id, _options.BucketSize, _options.NodeFreshness, _options.MaxNodeFailures, Now);
            }
            _loadedNodes.AddRange(saved);
        }
        var socket = new Socket(_options.LocalEndPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (socket.AddressFamily == AddressFamily.InterNetworkV6)
            {
                socket.DualMode = false; // one family per node: its replies carry nodes or nodes6, not both
            }
            socket.Bind(_options.LocalEndPoint);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(_stopping.Token), CancellationToken.None);
        _maintenanceLoop = Task.Run(() => MaintenanceLoopAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Joins the network: an iterative find_node for our own id, seeded with <paramref name="endPoints"/>, the
    /// configured bootstrap nodes, the contacts saved with the table and (unless disabled) the public routers.
    /// Returns the routing table size afterwards.
    /// </summary>
    public async Task<int> BootstrapAsync(IEnumerable<EndPoint>? endPoints = null, CancellationToken ct = default)
    {
        EnsureStarted();
        var seeds = new List<IPEndPoint>();
        var all = (endPoints ?? []).Concat(_options.BootstrapNodes)
            .Concat(_options.UseDefaultRouters ? DhtOptions.DefaultRouters : []);
        foreach (var ep in all)
        {
            seeds.AddRange(await ResolveAsync(ep, ct).ConfigureAwait(false));
        }
        List<NodeInfo> loaded;
        lock (_gate)
        {
            loaded = [.. _loadedNodes];
            _loadedNodes.Clear();
        }
        seeds.AddRange(loaded.Select(n => n.EndPoint));
        await RunLookupAsync(Id, getPeers: false, seeds, onPeers: null, ct).ConfigureAwait(false);
        lock (_gate)
        {
            return _table.Count;
        }
    }

    /// <summary>
    /// A contact learned elsewhere (the peer-wire <c>port</c> message, BEP 5): pinged, and added if it answers.
    /// Returns at once.
    /// </summary>
    public void AddNode(IPEndPoint endPoint)
    {
        EnsureStarted();
        var ep = CompactFormat.Normalize(endPoint);
        if (ep.AddressFamily != LocalEndPoint.AddressFamily || ep.Port == 0 || !_verifying.TryAdd(ep, 0))
        {
            return;
        }
        Track(VerifyAsync(ep));
    }

    /// <summary>Pings <paramref name="endPoint"/>; true when it answered (it then enters the routing table if there is room).</summary>
    public async Task<bool> PingAsync(IPEndPoint endPoint, CancellationToken ct = default)
    {
        EnsureStarted();
        return await PingCoreAsync(endPoint, ct).ConfigureAwait(false);
    }

    private async Task<bool> PingCoreAsync(IPEndPoint endPoint, CancellationToken ct)
    {
        try
        {
            return await QueryAsync(endPoint, tid => KrpcQuery.Ping(tid, Id), ct).ConfigureAwait(false) is KrpcResponse;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Streams peers for <paramref name="infoHash"/> as the get_peers lookup finds them (deduplicated).</summary>
    public async IAsyncEnumerable<IPEndPoint> GetPeersAsync(InfoHash infoHash,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        EnsureStarted();
        var channel = System.Threading.Channels.Channel.CreateUnbounded<IPEndPoint>();
        var run = Task.Run(async () =>
        {
            try
            {
                await RunLookupAsync(NodeId.FromInfoHash(infoHash), getPeers: true, [], peers =>
                {
                    foreach (var p in peers)
                    {
                        channel.Writer.TryWrite(p);
                    }
                }, ct).ConfigureAwait(false);
                channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                channel.Writer.TryComplete(e);
            }
        }, CancellationToken.None);
        await foreach (var peer in channel.Reader.ReadAllAsync(ct).ConfigureAwait(false))
        {
            yield return peer;
        }
        await run.ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a complete get_peers lookup and returns everything it found, with round counts; peers also go to
    /// <paramref name="onPeers"/> as replies bring them (on the lookup's task).
    /// </summary>
    public Task<DhtLookupResult> LookupPeersAsync(InfoHash infoHash, Action<IReadOnlyList<IPEndPoint>>? onPeers, CancellationToken ct = default)
    {
        EnsureStarted();
        return RunLookupAsync(NodeId.FromInfoHash(infoHash), getPeers: true, [], onPeers, ct);
    }

    /// <summary>Runs a complete get_peers lookup and returns everything it found, with round counts.</summary>
    public Task<DhtLookupResult> LookupPeersAsync(InfoHash infoHash, CancellationToken ct = default) =>
        LookupPeersAsync(infoHash, onPeers: null, ct);

    /// <summary>Contacts in the routing table (any state); cheap enough for a status line every second.</summary>
    public int NodeCount
    {
        get
        {
            lock (_gate)
            {
                return _table.Count;
            }
        }
    }

    /// <summary>Runs an iterative find_node for <paramref name="target"/>; returns the closest nodes that answered.</summary>
    public Task<DhtLookupResult> FindNodeAsync(NodeId target, CancellationToken ct = default)
    {
        EnsureStarted();
        return RunLookupAsync(target, getPeers: false, [], null, ct);
    }

    /// <summary>
    /// Announces that we serve <paramref name="infoHash"/> on TCP <paramref name="port"/>: a get_peers lookup, then
    /// announce_peer with each closest node's token.
    /// </summary>
    public Task<DhtAnnounceResult> AnnounceAsync(InfoHash infoHash, int port, CancellationToken ct = default) =>
        AnnounceAsync(infoHash, port, impliedPort: false, ct);

    /// <summary>
    /// As <see cref="AnnounceAsync(InfoHash, int, CancellationToken)"/>; with <paramref name="impliedPort"/> the
    /// receivers store our UDP source port instead of <paramref name="port"/> (for NATs that map TCP and UDP alike).
    /// </summary>
    public Task<DhtAnnounceResult> AnnounceAsync(InfoHash infoHash, int port, bool impliedPort, CancellationToken ct = default) =>
        AnnounceAsync(infoHash, port, impliedPort, onPeers: null, ct);

    /// <summary>
    /// As <see cref="AnnounceAsync(InfoHash, int, bool, CancellationToken)"/>, handing the peers the get_peers lookup
    /// finds to <paramref name="onPeers"/> as they arrive (on the lookup's task), before the announces go out.
    /// </summary>
    public async Task<DhtAnnounceResult> AnnounceAsync(InfoHash infoHash, int port, bool impliedPort,
        Action<IReadOnlyList<IPEndPoint>>? onPeers, CancellationToken ct = default)
    {
        EnsureStarted();
        ArgumentOutOfRangeException.ThrowIfLessThan(port, impliedPort ? 0 : 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        var target = NodeId.FromInfoHash(infoHash);
        var (result, lookup) = await RunLookupCoreAsync(target, getPeers: true, [], onPeers, ct).ConfigureAwait(false);
        var sends = lookup.ClosestResponded()
            .Where(c => c.Token is { Length: > 0 })
            .Select(c => QueryAsync(c.Node.EndPoint,
                tid => KrpcQuery.AnnouncePeer(tid, Id, target, port, c.Token!, impliedPort), ct))
            .ToList();
        var replies = await Task.WhenAll(sends).ConfigureAwait(false);
        return new DhtAnnounceResult(result, replies.Count(r => r is KrpcResponse), replies.Count(r => r is KrpcError));
    }

    /// <summary>Counts and buckets as they stand now.</summary>
    public DhtSnapshot Snapshot()
    {
        lock (_gate)
        {
            var now = Now;
            var buckets = _table.Buckets.Select((b, i) => new DhtBucketSnapshot(i, b.Nodes.Count,
                b.Nodes.Count(n => _table.StateOf(n, now) == DhtNodeState.Good),
                b.Nodes.Count(n => _table.StateOf(n, now) == DhtNodeState.Questionable),
                b.Nodes.Count(n => _table.StateOf(n, now) == DhtNodeState.Bad),
                b.Replacements.Count, b.LastChanged)).ToList();
            return new DhtSnapshot(Id, LocalEndPoint, _table.Count, buckets.Sum(b => b.Good), buckets.Sum(b => b.Questionable),
                buckets.Sum(b => b.Bad), buckets, _peers.InfoHashCount, _peers.Count, _pending.Count, Counters());
        }
    }

    /// <summary>The non-bad contacts of the routing table (for tests and diagnostics).</summary>
    public IReadOnlyList<NodeInfo> KnownNodes()
    {
        lock (_gate)
        {
            var now = Now;
            return _table.AllNodes.Where(n => _table.StateOf(n, now) != DhtNodeState.Bad).Select(n => n.Info).ToList();
        }
    }

    /// <summary>Writes the routing table to <see cref="DhtOptions.RoutingTablePath"/> (no-op without one).</summary>
    public Task SaveRoutingTableAsync(CancellationToken ct = default)
    {
        if (_options.RoutingTablePath is not { } path)
        {
            return Task.CompletedTask;
        }
        List<NodeInfo> nodes;
        var known = KnownNodes();
        lock (_gate)
        {
            nodes = [.. known, .. _loadedNodes];
        }
        return RoutingTableFile.SaveAsync(path, Id, nodes, ct);
    }

    /// <summary>Stops the loops, saves the routing table and closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
        {
            _stopping.Dispose();
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var p in _pending.Values)
        {
            p.Completion.TrySetResult(null);
        }
        try
        {
            await Task.WhenAll(_background.Keys.Append(_receiveLoop!).Append(_maintenanceLoop!)).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // loops end by cancellation
        }
        try
        {
            await SaveRoutingTableAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // a table we cannot save costs only a slower bootstrap next time
        }
        _socket?.Dispose();
        _stopping.Dispose();
    }

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _state) != 1)
        {
            throw new InvalidOperationException("the DHT node is not running (call StartAsync first)");
        }
    }

    private void Track(Task task)
    {
        _background.TryAdd(task, 0);
        _ = task.ContinueWith(t => _background.TryRemove(t, out _), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private async Task<IEnumerable<IPEndPoint>> ResolveAsync(EndPoint endPoint, CancellationToken ct)
    {
        switch (endPoint)
        {
            case IPEndPoint ip:
                return [ip];
            case DnsEndPoint dns:
                try
                {
                    var addresses = await Dns.GetHostAddressesAsync(dns.Host, LocalEndPoint.AddressFamily, ct).ConfigureAwait(false);
                    return addresses.Select(a => new IPEndPoint(a, dns.Port));
                }
                catch (SocketException)
                {
                    return []; // an unresolvable router is skipped; others may work
                }
            default:
                return [];
        }
    }
}

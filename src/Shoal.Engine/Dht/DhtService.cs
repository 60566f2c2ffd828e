using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Shoal.Protocol;

namespace Shoal.Engine.Dht;

/// <summary>
/// The engine's DHT: one <see cref="DhtNode"/> shared by every torrent and magnet fetch, its bootstrap (in the
/// background, redone when the table has emptied), and a factory for per-torrent <see cref="DhtPeerDiscovery"/>
/// loops. Thread-safe.
/// </summary>
internal sealed class DhtService : IAsyncDisposable
{
    private readonly EngineDhtOptions _options;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _gate = new();
    private Task _bootstrap = Task.CompletedTask;
    private int _bootstraps;

    private DhtService(DhtNode node, EngineDhtOptions options, TimeProvider time, ILoggerFactory loggers)
    {
        Node = node;
        _options = options;
        _time = time;
        _loggers = loggers;
        _log = loggers.CreateLogger("Shoal.Dht");
    }

    public DhtNode Node { get; }

    /// <summary>The UDP port we tell peers in the <c>port</c> message.</summary>
    public int Port => Node.LocalEndPoint.Port;

    public int NodeCount => Node.NodeCount;

    /// <summary>
    /// Binds the node on <paramref name="address"/> at the configured port (default: <paramref name="listenPort"/>,
    /// falling back to any free port when that UDP port is taken) and starts bootstrapping in the background.
    /// </summary>
    public static DhtService Start(EngineDhtOptions options, IPAddress address, int listenPort,
        TimeProvider time, ILoggerFactory loggers)
    {
        int port = options.Port ?? listenPort;
        var log = loggers.CreateLogger("Shoal.Dht");
        while (true)
        {
            var node = new DhtNode(options.Tuning with
            {
                LocalEndPoint = new IPEndPoint(address, port),
                BootstrapNodes = options.BootstrapNodes,
                UseDefaultRouters = options.UseDefaultRouters,
                RoutingTablePath = options.StatePath,
                TimeProvider = time,
            });
            try
            {
                // Binding is synchronous; the returned task is already complete.
                node.StartAsync().GetAwaiter().GetResult();
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && options.Port is null && port != 0)
            {
                node.DisposeAsync().AsTask().GetAwaiter().GetResult();
                log.LogWarning("DHT: UDP port {Port} is taken; using any free port", port);
                port = 0;
                continue;
            }
            catch
            {
                node.DisposeAsync().AsTask().GetAwaiter().GetResult();
                throw;
            }
            var service = new DhtService(node, options, time, loggers);
            log.LogInformation("DHT node {Id} on UDP {EndPoint}", node.Id, node.LocalEndPoint);
            service.Bootstrap();
            return service;
        }
    }

    /// <summary>Completes once a bootstrap has run; starts another first when the routing table is empty.</summary>
    public Task EnsureBootstrappedAsync(CancellationToken ct)
    {
        Task current;
        lock (_gate)
        {
            if (_bootstrap.IsCompleted && Node.NodeCount == 0 && !_stop.IsCancellationRequested)
            {
                Bootstrap();
            }
            current = _bootstrap;
        }
        return current.WaitAsync(ct);
    }

    private void Bootstrap()
    {
        lock (_gate)
        {
            int attempt = ++_bootstraps;
            _bootstrap = Task.Run(async () =>
            {
                try
                {
                    int nodes = await Node.BootstrapAsync(ct: _stop.Token).ConfigureAwait(false);
                    if (nodes == 0)
                    {
                        // Not an error: the routers may be unreachable or unresolvable; lookups retry later.
                        _log.LogWarning("DHT: bootstrap found no nodes yet (attempt {Attempt}: bootstrap nodes unreachable?); lookups will retry", attempt);
                    }
                    else
                    {
                        _log.LogInformation("DHT: {Nodes} nodes after bootstrap", nodes);
                    }
                }
                catch (OperationCanceledException)
                {
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException or IOException)
                {
                    _log.LogWarning("DHT: bootstrap failed: {Error}", ex.Message);
                }
            }, CancellationToken.None);
        }
    }

    /// <summary>A contact from a peer's <c>port</c> message: pinged, and added to the table if it answers.</summary>
    public void AddNode(IPEndPoint endPoint)
    {
        try
        {
            Node.AddNode(endPoint);
        }
        catch (InvalidOperationException)
        {
            // the node has stopped: the engine is shutting down
        }
    }

    /// <summary>A discovery loop for one torrent (not started).</summary>
    public DhtPeerDiscovery CreateDiscovery(InfoHash infoHash, Func<int>? announcePort, Func<bool> wantMorePeers,
        Action<IReadOnlyList<IPEndPoint>> onPeers) =>
        new(Node, EnsureBootstrappedAsync, infoHash, announcePort, wantMorePeers, onPeers, _options, _time,
            _loggers.CreateLogger("Shoal.Dht"));

    /// <summary>Stops bootstrapping, then the node (which saves its routing table).</summary>
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        Task bootstrap;
        lock (_gate)
        {
            bootstrap = _bootstrap;
        }
        // A bootstrap stuck in name resolution (the OS resolver ignores cancellation) must not hold up the exit.
        await bootstrap.WaitAsync(TimeSpan.FromSeconds(2)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await Node.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}

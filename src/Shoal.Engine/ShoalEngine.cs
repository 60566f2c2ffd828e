using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Peers;
using Shoal.Engine.Session;
using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine;

/// <summary>
/// The engine root: one peer id, one listening socket, any number of torrents. Incoming connections are handshaken
/// here and routed by info hash to their torrent's loop. Thread-safe; torrents are driven through
/// <see cref="TorrentHandle"/>s.
/// </summary>
public sealed partial class ShoalEngine : IAsyncDisposable
{
    private readonly EngineOptions _options;
    private readonly ILogger _log;
    private readonly PeerConnector _connector;
    private readonly ConcurrentDictionary<InfoHash, TorrentSession> _torrents = new();
    private readonly CancellationTokenSource _shutdown = new();
    private Socket? _listener;
    private Task? _acceptLoop;

    public ShoalEngine(EngineOptions? options = null)
    {
        _options = options ?? new EngineOptions();
        _log = _options.LoggerFactory.CreateLogger<ShoalEngine>();
        PeerId = PeerId.CreateRandom();
        _connector = new PeerConnector(PeerId, _options.TimeProvider, _options.LoggerFactory, _options.Trace,
            _options.ConnectTimeout, _options.HandshakeTimeout, dht: _options.Dht is not null);
    }

    public PeerId PeerId { get; }

    /// <summary>The bound TCP port, once <see cref="StartAsync"/> has run (0 before).</summary>
    public int ListenPort { get; private set; }

    /// <summary>Binds the listening socket and starts accepting.</summary>
    public Task StartAsync(CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_shutdown.IsCancellationRequested, this);
        if (_listener is not null)
        {
            return Task.CompletedTask;
        }
        var address = _options.ListenAddress ?? (Socket.OSSupportsIPv6 ? IPAddress.IPv6Any : IPAddress.Any);
        var listener = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }
            listener.ReceiveBufferSize = PeerConnection.SocketBufferSize;
            listener.SendBufferSize = PeerConnection.SocketBufferSize;
            listener.Bind(new IPEndPoint(address, _options.Port));
            listener.Listen(128);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        ListenPort = ((IPEndPoint)listener.LocalEndPoint!).Port;
        _log.LogInformation("listening on port {Port}", ListenPort);
        _acceptLoop = Task.Run(AcceptLoopAsync, ct);
        StartDht(address);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Adds a torrent and starts it: existing data is checked first, then peers are contacted.
    /// </summary>
    public async Task<TorrentHandle> AddTorrentAsync(TorrentMetainfo metainfo, TorrentOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(metainfo);
        ArgumentNullException.ThrowIfNull(options);
        TorrentSession.ValidateOptions(metainfo, options);
        await StartAsync(ct).ConfigureAwait(false);
        // Opening storage checks every path stays inside the folder; seeding also needs every file present.
        var store = options.SeedOnly
            ? TorrentStorage.OpenForSeeding(metainfo, options.DownloadDirectory)
            : TorrentStorage.Open(metainfo, options.DownloadDirectory);
        var session = new TorrentSession(metainfo, options with { MaxConnections = Math.Min(options.MaxConnections, _options.MaxConnectionsPerTorrent) },
            _connector, store, _options.TimeProvider, _options.LoggerFactory.CreateLogger($"Shoal.Torrent.{metainfo.Name}"), () => ListenPort)
        {
            TrackerLogger = _options.LoggerFactory.CreateLogger("Shoal.Trackers"),
            GlobalBandwidth = Bandwidth,
            Dht = DhtService,
        };
        if (!_torrents.TryAdd(metainfo.InfoHash, session))
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"torrent {metainfo.InfoHash} is already added");
        }
        await session.StartAsync().ConfigureAwait(false);
        return new TorrentHandle(session, () => _torrents.TryRemove(metainfo.InfoHash, out _));
    }

    private async Task AcceptLoopAsync()
    {
        var ct = _shutdown.Token;
        while (!ct.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener!.AcceptAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException ex)
            {
                _log.LogWarning("accept failed: {Error}", ex.Message);
                continue;
            }
            _ = Task.Run(() => HandshakeIncomingAsync(socket, ct), ct);
        }
    }

    private async Task HandshakeIncomingAsync(Socket socket, CancellationToken ct)
    {
        try
        {
            var (conn, infoHash, failure) = await _connector.AcceptAsync(socket, h => _torrents.ContainsKey(h) || _fetches.ContainsKey(h), ct).ConfigureAwait(false);
            if (conn is not null && !_torrents.ContainsKey(infoHash!.Value) && TryHandOverToFetch(conn, socket, infoHash.Value))
            {
                return;
            }
            if (conn is null || !_torrents.TryGetValue(infoHash!.Value, out var session))
            {
                _log.LogDebug("incoming connection from {Peer} refused: {Reason}", socket.RemoteEndPoint, failure);
                socket.Dispose();
                return;
            }
            session.AddIncoming(conn);
        }
        catch (Exception ex)
        {
            _log.LogDebug(ex, "incoming handshake failed");
            socket.Dispose();
        }
    }

    /// <summary>Stops every torrent (files flushed), then the listener.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }
        await _shutdown.CancelAsync().ConfigureAwait(false);
        _listener?.Dispose();
        await Task.WhenAll(_torrents.Values.Select(t => t.StopAsync())).ConfigureAwait(false);
        _torrents.Clear();
        if (_acceptLoop is not null)
        {
            await _acceptLoop.ConfigureAwait(false);
        }
        await StopDhtAsync().ConfigureAwait(false);
        _shutdown.Dispose();
    }
}

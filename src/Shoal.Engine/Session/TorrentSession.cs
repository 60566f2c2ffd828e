using System.Diagnostics;
using System.Net;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Peers;
using Shoal.Engine.Pieces;
using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.PeerWire;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Session;

/// <summary>
/// One torrent's engine. THE RULE: a single async loop (<see cref="RunLoopAsync"/>) owns every piece of torrent state
/// (picker, peer states, in-flight requests, choke state, have-set); only code running on that loop touches it.
/// Peers, disk workers, timers and the public handle talk to the loop by posting <see cref="SessionEvent"/>s to one
/// channel; disk writes, reads and hashing run on workers and post their completions back. Peer messages are
/// admitted through a budget (<see cref="_messageBudget"/>) so a slow loop slows the sockets instead of buffering.
/// See Session/README.md.
/// </summary>
internal sealed partial class TorrentSession : IPeerEventSink
{
    internal const int InitialQueueDepth = 64;
    /// <summary>Most requests we keep outstanding to one peer (also bounded by the peer's BEP 10 <c>reqq</c>).</summary>
    internal const int MaxQueueDepth = 500;
    /// <summary>The <c>reqq</c> assumed for a peer that announces none (what common clients accept).</summary>
    internal const int DefaultPeerRequestQueue = 250;
    internal const int MaxServedRequests = 2000;
    /// <summary>The <c>reqq</c> we announce: a deep pipeline hides our disk-read latency (half of what we tolerate).</summary>
    internal const int AnnouncedRequestQueue = MaxServedRequests / 2;
    internal const int BanAfterHashFailures = 2;
    /// <summary>Received bytes that may wait for the disk before we stop requesting (see DiskBehind).</summary>
    internal const long DiskBacklogLimit = 6L * 1024 * 1024;
    /// <summary>
    /// Message batches admitted but not yet handled: 32 batches of at most 32 messages, so at most 1024 blocks
    /// (16 MiB) wait for a slow loop.
    /// </summary>
    private const int MessageBudget = 1024 / MessageBatch.Capacity;

    private readonly TorrentMetainfo _meta;
    private readonly TorrentLengths _lengths;
    private readonly TorrentOptions _options;
    private readonly PeerConnector _connector;
    private readonly TorrentStorage _store;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly Func<int> _listenPort;
    private readonly Channel<SessionEvent> _events = Channel.CreateUnbounded<SessionEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly SemaphoreSlim _messageBudget = new(MessageBudget, MessageBudget);
    private readonly Channel<DiskJob> _disk = Channel.CreateUnbounded<DiskJob>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Dictionary<PeerConnection, PeerState> _peers = [];
    private readonly Random _random = new();
    private readonly BlockRequest[] _pickBuffer = new BlockRequest[MaxQueueDepth];
    private readonly Dictionary<int, PeerState> _peersById = [];
    private PiecePicker _picker; // replaced by a re-check (TorrentSession.Verify.cs)
    private int _nextPeerId;
    private TorrentState _state = TorrentState.Checking;
    private string? _error;
    private long _bytesDone;
    private bool _inLoop;
    private volatile TorrentStatus _status;

    public TorrentSession(TorrentMetainfo meta, TorrentOptions options, PeerConnector connector, TorrentStorage store,
        TimeProvider time, ILogger log, Func<int> listenPort)
    {
        _meta = meta;
        _lengths = meta.Lengths;
        _options = options;
        _connector = connector;
        _store = store;
        _time = time;
        _log = log;
        _listenPort = listenPort;
        _picker = new PiecePicker(_lengths, _random);
        foreach (var ep in options.Peers)
        {
            AddCandidate(ep, explicitPeer: true);
        }
        InitControl();
        _status = BuildStatus();
    }

    public TorrentMetainfo Metainfo => _meta;

    /// <summary>Pieces we have (verified). Loop only.</summary>
    private BitField _have => _picker.Have;

    public InfoHash InfoHash => _meta.InfoHash;

    public TorrentStatus Status => _status;

    /// <summary>Completes when every piece is verified and flushed.</summary>
    public Task Completed => _completed.Task;

    /// <summary>Completes when the loop has ended (stopped or failed).</summary>
    public Task Ended => _ended.Task;

    public event Action<TorrentStatus>? StatusChanged;

    /// <summary>Checks existing data, then runs the loop until stopped.</summary>
    public Task StartAsync()
    {
        _ = Task.Run(RunAsync);
        return Task.CompletedTask;
    }

    private async Task RunAsync()
    {
        try
        {
            int workers = Math.Max(2, Environment.ProcessorCount);
            var diskTasks = Enumerable.Range(0, workers).Select(_ => Task.Run(DiskWorkerAsync)).ToArray();
            var checkedHave = await LoadHaveAsync().ConfigureAwait(false);
            _picker.SetHave(checkedHave);
            RestorePartialPieces();
            _bytesDone = Enumerable.Range(0, _lengths.PieceCount).Where(i => _have[i]).Sum(i => (long)_lengths.PieceSize(i));
            _state = _have.AllSet || _options.SeedOnly ? (_options.SeedOnly || _options.SeedWhenComplete ? TorrentState.Seeding : TorrentState.Completed) : TorrentState.Downloading;
            ApplyStartState(); // file selection may make it complete already; StartPaused parks it
            _log.LogInformation("{Name}: {Have}/{Total} pieces already on disk", _meta.Name, _have.CountSet, _have.Length);
            Publish();
            if (_have.AllSet)
            {
                _completed.TrySetResult();
            }
            StartTrackers();
            StartDhtDiscovery();
            _ = Task.Run(TimerLoopAsync);
            // Dial known peers now rather than on the first tick.
            Post(new SessionEvent(SessionEventKind.AddPeers, Payload: NoPeers));
            await RunLoopAsync().ConfigureAwait(false);
            var stopTrackers = StopTrackersAsync();
            _disk.Writer.TryComplete();
            await Task.WhenAll(diskTasks).ConfigureAwait(false);
            await _store.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            await stopTrackers.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            _log.LogDebug(ex, "{Name}: torrent failed", _meta.Name);
            Fail(ex.Message);
        }
        finally
        {
            // The loop has ended (normally or by a fault), so this code is the only owner left.
            _inLoop = true;
            StopPeers();
            _inLoop = false;
            await StopDhtDiscoveryAsync().ConfigureAwait(false);
            _events.Writer.TryComplete();
            _disk.Writer.TryComplete();
            await SaveResumeOnStopAsync().ConfigureAwait(false);
            await _store.DisposeAsync().ConfigureAwait(false);
            if (_state != TorrentState.Error)
            {
                _state = TorrentState.Stopped;
            }
            Publish();
            _completed.TrySetException(new InvalidOperationException(_error ?? "the torrent stopped before it completed"));
            _ended.TrySetResult();
        }
    }

    private async Task RunLoopAsync()
    {
        var reader = _events.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var ev))
            {
                _inLoop = true;
                try
                {
                    if (!Handle(ev))
                    {
                        return;
                    }
                }
                finally
                {
                    _inLoop = false;
                }
            }
        }
    }

    /// <summary>Dispatches one event; false ends the loop.</summary>
    private bool Handle(in SessionEvent ev)
    {
        switch (ev.Kind)
        {
            case SessionEventKind.PeerMessages:
                _messageBudget.Release();
                var batch = (MessageBatch)ev.Payload!;
                foreach (ref readonly ReceivedMessage m in batch.Messages)
                {
                    OnPeerMessage(ev.Peer!, m); // a message after a drop only gives its buffer back
                }
                batch.Recycle();
                break;
            case SessionEventKind.PeerConnected:
                OnPeerConnected(ev.Peer!);
                break;
            case SessionEventKind.PeerClosed:
                OnPeerClosed(ev.Peer!, ev.Disconnect);
                break;
            case SessionEventKind.ConnectFailed:
                OnConnectFailed(ev.EndPoint!, ev.Disconnect);
                break;
            case SessionEventKind.BlockWritten:
                OnBlockWritten(ev.Piece);
                break;
            case SessionEventKind.PieceChecked:
                OnPieceChecked(ev.Piece, ev.Ok);
                break;
            case SessionEventKind.DiskFailed:
                if (ev.Ok)
                {
                    OnWriteFailed(ev.Piece);
                }
                OnDiskFailed((Exception)ev.Payload!);
                break;
            case SessionEventKind.Tick:
                OnTick();
                break;
            case SessionEventKind.AddPeers:
                AddDiscoveredPeers((IEnumerable<IPEndPoint>)ev.Payload!, ev.Ok);
                ConnectMore();
                break;
            case SessionEventKind.Control:
                OnControl(ev.Payload!);
                break;
            case SessionEventKind.Stop:
                StopPeers();
                return false;
        }
        return true;
    }

    /// <summary>Posts from any thread (peers, workers, handle). Never blocks: the channel is unbounded, callers bound themselves.</summary>
    internal void Post(in SessionEvent ev)
    {
        if (!_events.Writer.TryWrite(ev))
        {
            // The loop has ended; give back pooled buffers.
            if (ev.Kind == SessionEventKind.PeerMessages && ev.Payload is MessageBatch batch)
            {
                batch.Discard();
            }
            if (ev.Kind == SessionEventKind.PeerConnected)
            {
                ev.Peer!.Close(new PeerDisconnect(DisconnectReason.Shutdown, "torrent stopped"));
            }
        }
    }

    async ValueTask IPeerEventSink.OnMessagesAsync(PeerConnection peer, MessageBatch batch)
    {
        try
        {
            await _messageBudget.WaitAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            batch.Discard();
            throw;
        }
        Post(new SessionEvent(SessionEventKind.PeerMessages, peer, Payload: batch));
    }

    void IPeerEventSink.OnClosed(PeerConnection peer, PeerDisconnect reason) =>
        Post(new SessionEvent(SessionEventKind.PeerClosed, peer, Disconnect: reason));

    /// <summary>Hands over a connection accepted by the engine (handshake done).</summary>
    public void AddIncoming(PeerConnection connection) => Post(new SessionEvent(SessionEventKind.PeerConnected, connection));

    public void AddPeers(IEnumerable<IPEndPoint> peers, bool explicitPeers) =>
        Post(new SessionEvent(SessionEventKind.AddPeers, Ok: explicitPeers, Payload: peers.ToArray()));

    /// <summary>Stops peers and the loop; flushes and closes files. Completes when the loop has ended.</summary>
    public async Task StopAsync()
    {
        Post(new SessionEvent(SessionEventKind.Stop));
        _events.Writer.TryComplete();
        if (_state == TorrentState.Checking)
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }
        await _ended.Task.ConfigureAwait(false);
    }

    private async Task TimerLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
            {
                Post(new SessionEvent(SessionEventKind.Tick));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Fail(string error)
    {
        _error = error;
        _state = TorrentState.Error;
        // Not an error line: the fault is reported through the status and Completion (the CLI prints it once).
        _log.LogInformation("{Name}: torrent failed: {Error}", _meta.Name, error);
        Publish();
        _completed.TrySetException(new IOException(error));
    }

    [Conditional("DEBUG")]
    private void AssertOnLoop() => Debug.Assert(_inLoop, "torrent state touched off the torrent loop");
}

using Shoal.Engine.Peers;
using Shoal.Protocol;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Session;

internal sealed partial class TorrentSession
{
    private static readonly TimeSpan IdleTimeout = TimeSpan.FromMinutes(3);
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);
    private readonly RateMeter _down = new();
    private readonly RateMeter _up = new();
    private long _downTotalSeen;
    private long _upTotalSeen;

    private void OnTick()
    {
        _ticks++;
        long now = _time.GetTimestamp();
        foreach (var p in _peers.Values.ToArray())
        {
            var c = p.Connection;
            c.Download.Tick();
            c.Upload.Tick();
            // Bandwidth-delay sizing: keep about a second of the peer's rate in flight.
            p.QueueDepth = (int)Math.Clamp(InitialQueueDepth / 2 + c.Download.BytesPerSecond / TorrentLengths.BlockSize, InitialQueueDepth / 2, MaxQueueDepth);
            if (c.SinceLastReceive > IdleTimeout)
            {
                Drop(p, DisconnectReason.IdleTimeout, $"nothing received for {IdleTimeout.TotalMinutes:0} minutes");
                continue;
            }
            if (c.SinceLastSend > KeepAliveInterval)
            {
                c.Send(new OutgoingMessage(MessageId.KeepAlive));
            }
            if (p.Outstanding.Count > 0 && _time.GetElapsedTime(p.LastBlockTimestamp) > RequestTimeout)
            {
                // Snubbed: hand its blocks to others; it gets a fresh chance on the next block it sends.
                ReleaseAll(p);
                p.QueueDepth = 1;
                p.LastBlockTimestamp = now;
            }
            RequestMore(p);
        }
        TickTotals();
        TickExtensions();
        TickResume();
        if (_ticks % 10 == 0)
        {
            RunChoker(rotateOptimistic: _ticks % 30 == 0);
        }
        ConnectMore();
        MaybeRequestMorePeers();
        Publish();
    }

    private void TickTotals()
    {
        long down = 0, up = 0;
        foreach (var p in _peers.Values)
        {
            down += p.Connection.Download.Total;
            up += p.Connection.Upload.Total;
        }
        // Totals of peers that left are folded in when they go; here only the deltas of live peers count.
        _down.Add(Math.Max(0, down - _downTotalSeen));
        _up.Add(Math.Max(0, up - _upTotalSeen));
        _downTotalSeen = down;
        _upTotalSeen = up;
        _down.Tick();
        _up.Tick();
    }

    private void Publish()
    {
        var status = BuildStatus();
        _status = status;
        StatusChanged?.Invoke(status);
    }

    private TorrentStatus BuildStatus() => new()
    {
        Name = _meta.Name,
        InfoHash = _meta.InfoHash.ToHex(),
        State = _state,
        PiecesHave = _have.CountSet,
        PiecesTotal = _lengths.PieceCount,
        BytesDone = _bytesDone,
        TotalBytes = _lengths.TotalLength,
        DownloadRate = _down.BytesPerSecond,
        UploadRate = _up.BytesPerSecond,
        Downloaded = _downloaded + _options.DownloadedBefore,
        Uploaded = Interlocked.Read(ref _uploaded) + _options.UploadedBefore,
        PeersConnected = _peers.Count,
        PeersUnchokingUs = _peers.Values.Count(p => !p.PeerChoking),
        PeersKnown = _candidates.Count,
        ListenPort = _listenPort(),
        Stalled = StallReason(),
        Trackers = TrackerSnapshot(),
        DhtNodes = DhtNodeCount,
        Error = _error,
        Disconnects = new Dictionary<string, int>(_disconnects),
        // TorrentStatus.Control.cs
        Peers = PeerSnapshot(),
        Files = FileSnapshot(),
        WantedBytes = _wantedBytes,
        WantedBytesDone = _wantedDone,
        AddedAt = _addedAt,
        CompletedAt = _completedAt,
        Sequential = _picker.Sequential,
        DownloadLimit = _bandwidth.Download.Rate,
        UploadLimit = _bandwidth.Upload.Rate,
        VerifyProgress = VerifyProgress,
    };

    /// <summary>Why a downloading torrent is not moving, in words people can act on.</summary>
    private string? StallReason()
    {
        if (_state != TorrentState.Downloading || _down.BytesPerSecond > 0)
        {
            return null;
        }
        if (_peers.Count == 0)
        {
            if (_candidates.Count == 0)
            {
                string? trackers = TrackerTrouble();
                string? dht = DhtTrouble();
                return (trackers, dht) switch
                {
                    (null, null) => _meta.IsPrivate && Dht is not null
                        ? "no peers: the private torrent has no usable tracker (the DHT is not used for private torrents) and none were given with --peer"
                        : "no peers: the torrent has no usable tracker, the DHT is off, and none were given with --peer",
                    (null, _) => $"no peers: {dht}",
                    (_, null) => $"no peers: {trackers}",
                    _ => $"no peers: {trackers}; {dht}",
                };
            }
            return _lastConnectError is null
                ? $"connecting to {_candidates.Count} known peers"
                : $"cannot connect to any of {_candidates.Count} known peers (last: {_lastConnectError})";
        }
        if (_peers.Values.Any(p => !p.SeenFirstMessage))
        {
            return null; // Still learning what they have.
        }
        if (_peers.Values.All(p => p.Interesting == 0))
        {
            return $"none of the {_peers.Count} connected peers has the missing pieces";
        }
        if (_peers.Values.Where(p => p.Interesting > 0).All(p => p.PeerChoking))
        {
            return $"all {_peers.Values.Count(p => p.Interesting > 0)} peers with pieces we need are choking us";
        }
        return null;
    }
}

using System.Net;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Peers;
using Shoal.Protocol;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Session;

internal sealed partial class TorrentSession
{
    private readonly Dictionary<IPEndPoint, Candidate> _candidates = [];
    private readonly Dictionary<string, int> _disconnects = [];
    private readonly HashSet<IPAddress> _banned = [];
    private int _connecting;
    private string? _lastConnectError;

    /// <summary>A peer address we may dial.</summary>
    private sealed class Candidate(IPEndPoint endPoint, bool explicitPeer)
    {
        public IPEndPoint EndPoint { get; } = endPoint;
        public bool Explicit { get; set; } = explicitPeer;
        public int Failures { get; set; }
        public long NextAttempt { get; set; }
        public bool Busy { get; set; } // connecting or connected
        public bool Useless { get; set; }
        /// <summary>Who answered last time: skip dialling while that peer is connected some other way.</summary>
        public Shoal.Protocol.PeerId? PeerId { get; set; }
    }

    private void AddCandidate(IPEndPoint ep, bool explicitPeer)
    {
        ep = PeerConnector.Normalize(ep);
        if (_candidates.TryGetValue(ep, out var c))
        {
            c.Explicit |= explicitPeer;
            return;
        }
        if (!explicitPeer && !HasRoomForCandidate())
        {
            return;
        }
        _candidates[ep] = new Candidate(ep, explicitPeer);
    }

    private bool WantConnections => _state is TorrentState.Downloading || (_state == TorrentState.Seeding);

    private void ConnectMore()
    {
        if (!WantConnections)
        {
            return;
        }
        long now = _time.GetTimestamp();
        // Untried candidates first: a flood of dead addresses (a lying tracker) must not starve a good peer that
        // arrived after it while the dead ones keep coming back from their backoff.
        foreach (var c in _candidates.Values.Where(c => c.Failures == 0).Concat(_candidates.Values.Where(c => c.Failures > 0)))
        {
            if (_peers.Count + _connecting >= _options.MaxConnections)
            {
                return;
            }
            if (c.Busy || c.Useless || c.NextAttempt > now || _banned.Contains(c.EndPoint.Address))
            {
                continue;
            }
            if (c.PeerId is { } known && _peers.Keys.Any(p => p.RemotePeerId == known))
            {
                continue;
            }
            if (!c.Explicit && c.Failures >= 5)
            {
                continue;
            }
            c.Busy = true;
            _connecting++;
            var ep = c.EndPoint;
            _ = Task.Run(async () =>
            {
                try
                {
                    var (conn, failure) = await _connector.ConnectAsync(ep, _meta.InfoHash, _stop.Token).ConfigureAwait(false);
                    Post(conn is not null
                        ? new SessionEvent(SessionEventKind.PeerConnected, conn, EndPoint: ep)
                        : new SessionEvent(SessionEventKind.ConnectFailed, EndPoint: ep, Disconnect: failure));
                }
                catch (OperationCanceledException)
                {
                }
            });
        }
    }

    private void OnConnectFailed(IPEndPoint ep, PeerDisconnect failure)
    {
        _connecting--;
        Count(failure);
        _lastConnectError = $"{ep}: {failure}";
        if (_candidates.TryGetValue(ep, out var c))
        {
            c.Busy = false;
            c.Failures++;
            c.Useless |= failure.Reason == DisconnectReason.SelfOrDuplicate;
            // Back off: 2, 4, 8 ... up to 30 seconds.
            long delay = Math.Min(30, 1L << Math.Min(c.Failures, 5));
            c.NextAttempt = _time.GetTimestamp() + delay * _time.TimestampFrequency;
        }
        _log.LogDebug("connect to {Peer} failed: {Reason}", ep, failure);
        ConnectMore(); // the slot is free now; waiting for the next tick would try at most 50 addresses a second
    }

    private void OnPeerConnected(PeerConnection conn)
    {
        AssertOnLoop();
        if (conn.IsOutgoing)
        {
            _connecting--;
        }
        var ep = conn.RemoteEndPoint;
        string? refuse = null;
        var reason = DisconnectReason.SelfOrDuplicate;
        if (_state is not (TorrentState.Downloading or TorrentState.Seeding or TorrentState.Completed))
        {
            (refuse, reason) = ("torrent is not running", DisconnectReason.Shutdown);
        }
        else if (_banned.Contains(ep.Address))
        {
            (refuse, reason) = ("address is banned", DisconnectReason.Banned);
        }
        else if (_peers.Values.FirstOrDefault(p => p.Connection.RemotePeerId == conn.RemotePeerId) is { } existing)
        {
            // Two peers that dial each other at once end up with two connections. Both sides keep the one opened
            // by the peer with the lower peer id, so they agree without talking (refusing "the newer one" on both
            // sides could close both).
            if (KeepNewer(existing.Connection, conn))
            {
                Drop(existing, DisconnectReason.SelfOrDuplicate, "replaced by a simultaneous connection from the same peer");
            }
            else
            {
                refuse = "already connected to this peer id";
            }
        }
        else if (_peers.Count >= _options.MaxConnections)
        {
            (refuse, reason) = ($"already {_peers.Count} peers", DisconnectReason.TooManyPeers);
        }
        if (conn.IsOutgoing && _candidates.TryGetValue(ep, out var dialled))
        {
            dialled.PeerId = conn.RemotePeerId;
        }
        if (refuse is not null)
        {
            MarkCandidateIdle(ep, conn.IsOutgoing);
            Count(new PeerDisconnect(reason, refuse));
            conn.Close(new PeerDisconnect(reason, refuse));
            return;
        }
        if (_candidates.TryGetValue(ep, out var c))
        {
            c.Busy = true;
            c.Failures = 0;
        }
        var state = new PeerState(_nextPeerId++, conn, _lengths.PieceCount) { LastBlockTimestamp = _time.GetTimestamp() };
        _peers.Add(conn, state);
        _peersById.Add(state.Id, state);
        SendGreeting(state);
        conn.Bandwidth = _bandwidth;
        SendDhtPort(state);
        conn.Start(this, _lengths);
        _log.LogInformation("peer {Peer} connected ({Direction}, {Id})", ep, conn.IsOutgoing ? "outgoing" : "incoming", conn.RemotePeerId);
        Publish();
    }

    /// <summary>True when <paramref name="newer"/> is the connection both sides keep (see OnPeerConnected).</summary>
    private bool KeepNewer(PeerConnection existing, PeerConnection newer)
    {
        if (existing.IsOutgoing == newer.IsOutgoing)
        {
            return false;
        }
        // The initiator of a connection: us for outgoing, them for incoming.
        bool weAreLower = _connector.OurId.Span.SequenceCompareTo(newer.RemotePeerId.Span) < 0;
        bool keepOurs = weAreLower; // keep the connection we initiated when our id is the lower one
        return newer.IsOutgoing == keepOurs;
    }

    private void MarkCandidateIdle(IPEndPoint ep, bool outgoing)
    {
        if (outgoing && _candidates.TryGetValue(ep, out var c))
        {
            c.Busy = false;
            c.NextAttempt = _time.GetTimestamp() + 5 * _time.TimestampFrequency;
        }
    }

    private void OnPeerClosed(PeerConnection conn, PeerDisconnect reason)
    {
        AssertOnLoop();
        if (!_peers.Remove(conn, out var p))
        {
            return;
        }
        Count(reason);
        _peersById.Remove(p.Id);
        _picker.OnPeerGone(p.Id, p.Has);
        p.Outstanding.Clear();
        if (_candidates.TryGetValue(conn.RemoteEndPoint, out var c))
        {
            c.Busy = false;
            c.Useless |= reason.Reason is DisconnectReason.NotUseful or DisconnectReason.Banned
                || (reason.Reason == DisconnectReason.SelfOrDuplicate && conn.RemotePeerId == _connector.OurId);
            c.NextAttempt = _time.GetTimestamp() + 5 * _time.TimestampFrequency;
        }
        var level = reason.Reason is DisconnectReason.Shutdown or DisconnectReason.NotUseful ? LogLevel.Debug : LogLevel.Information;
        _log.Log(level, "peer {Peer} disconnected: {Reason}", conn.RemoteEndPoint, reason);
        // Others may now take the blocks this peer held.
        foreach (var other in _peers.Values)
        {
            RequestMore(other);
        }
        Publish();
    }

    private void Count(PeerDisconnect reason)
    {
        string key = reason.Reason.ToString();
        _disconnects[key] = _disconnects.GetValueOrDefault(key) + 1;
    }

    private void Drop(PeerState p, DisconnectReason reason, string detail)
    {
        _log.LogInformation("dropping {Peer}: {Reason}: {Detail}", p, reason, detail);
        p.Connection.Close(new PeerDisconnect(reason, detail));
    }

    private void StopPeers()
    {
        _stop.Cancel();
        foreach (var p in _peers.Values.ToArray())
        {
            p.Connection.Close(new PeerDisconnect(DisconnectReason.Shutdown, "torrent stopped"));
            _picker.OnPeerGone(p.Id, p.Has);
        }
        _peers.Clear();
        _peersById.Clear();
    }

    private void OnPeerMessage(PeerConnection conn, in ReceivedMessage m)
    {
        AssertOnLoop();
        if (!_peers.TryGetValue(conn, out var p) || conn.Disconnect is not null)
        {
            if (m.Id == MessageId.Piece && m.Payload is not null)
            {
                BlockBuffers.Return(m.Payload);
            }
            return;
        }
        if (TryHandleExtension(p, m))
        {
            return;
        }
        p.SeenFirstMessage = true;
        // A bitfield may follow keep-alives or extension messages (aria2 sends its BEP 10 handshake first), but never
        // a have or another bitfield: that would make the peer's piece set ambiguous.
        bool first = !p.SeenAvailability;
        switch (m.Id)
        {
            case MessageId.Bitfield:
                p.SeenAvailability = true;
                OnBitfield(p, m, first);
                break;
            case MessageId.Have:
                p.SeenAvailability = true;
                OnHave(p, m.Piece);
                break;
            case MessageId.Choke:
                OnChokedByPeer(p);
                break;
            case MessageId.Unchoke:
                p.PeerChoking = false;
                RequestMore(p);
                break;
            case MessageId.Interested:
                p.PeerInterested = true;
                UnchokeIfSlotFree(p);
                break;
            case MessageId.NotInterested:
                p.PeerInterested = false;
                break;
            case MessageId.Request:
                OnRequest(p, m.Piece, m.Begin, m.Length);
                break;
            case MessageId.Cancel:
                if (p.Serving.Remove(PeerState.Key(m.Piece, m.Begin)))
                {
                    RejectRequest(p, m.Piece, m.Begin, m.Length); // BEP 6: a cancelled request still gets one answer
                }
                break;
            case MessageId.Piece:
                OnBlock(p, m);
                break;
            case MessageId.Port:
                OnDhtPort(p, m.Piece);
                break;
        }
    }

    private void OnBitfield(PeerState p, in ReceivedMessage m, bool first)
    {
        if (!first)
        {
            // aria2 re-sends its whole bitfield where others send have. Read a later bitfield as a batch of haves;
            // pieces missing from it are ignored, since a peer cannot lose a piece it announced.
            var later = m.Bitfield!;
            for (int i = 0; i < later.Length && p.Connection.Disconnect is null; i++)
            {
                if (later[i] && !p.Has[i])
                {
                    OnHave(p, i);
                }
            }
            return;
        }
        var bits = m.Bitfield!; // validated by the receive loop
        p.Has = bits;
        _picker.AddPeerBitfield(bits);
        int interesting = 0;
        for (int i = 0; i < bits.Length; i++)
        {
            if (bits[i] && !_have[i] && IsWantedPiece(i))
            {
                interesting++;
            }
        }
        p.Interesting = interesting;
        if (bits.AllSet && (_have.AllSet || _options.SeedOnly))
        {
            Drop(p, DisconnectReason.NotUseful, "both sides are seeds");
            return;
        }
        UpdateInterest(p);
    }

    private void OnHave(PeerState p, int piece)
    {
        if (!_lengths.IsValidPiece(piece))
        {
            Drop(p, DisconnectReason.ProtocolViolation, $"have for piece {piece} of {_lengths.PieceCount}");
            return;
        }
        if (p.Has[piece])
        {
            return;
        }
        p.Has[piece] = true;
        _picker.OnPeerHave(piece);
        if (!_have[piece] && IsWantedPiece(piece))
        {
            p.Interesting++;
            UpdateInterest(p);
        }
        if (p.IsSeed && _have.AllSet)
        {
            Drop(p, DisconnectReason.NotUseful, "both sides are seeds");
        }
    }

    private void UpdateInterest(PeerState p)
    {
        bool want = p.Interesting > 0 && !_options.SeedOnly && !_have.AllSet;
        if (want != p.AmInterested)
        {
            p.AmInterested = want;
            p.Connection.Send(new OutgoingMessage(want ? MessageId.Interested : MessageId.NotInterested));
        }
        if (want)
        {
            RequestMore(p);
        }
    }
}

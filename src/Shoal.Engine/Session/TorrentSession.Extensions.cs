using System.Buffers;
using System.Net;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Peers;
using Shoal.Protocol;
using Shoal.Protocol.Extensions;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Session;

/// <summary>
/// BEP 6 (fast), BEP 9 (serving metadata), BEP 10 (extension handshake) and BEP 11 (PEX) on the torrent loop.
/// The byte formats and per-peer bookkeeping live in Shoal.Protocol.Extensions; this file only decides.
/// </summary>
internal sealed partial class TorrentSession
{
    /// <summary>PEX candidates we keep at most; more from PEX are ignored (trackers and --peer still add).</summary>
    private const int MaxCandidatesFromPex = 500;

    private MetadataServer? _metadataServer;

    private MetadataServer Metadata => _metadataServer ??= new MetadataServer(_meta.RawInfo, _meta.IsPrivate);

    /// <summary>PEX is off for private torrents (BEP 27: peers come only from the tracker).</summary>
    private bool PexAllowed => !_meta.IsPrivate;

    /// <summary>
    /// The first messages to a new peer: what we have (have-all / have-none with BEP 6, else a bitfield, or nothing
    /// when empty), then our extension handshake, then the allowed-fast set.
    /// </summary>
    private void SendGreeting(PeerState p)
    {
        var conn = p.Connection;
        var ext = p.Extensions;
        switch (FastExtension.InitialHaveMessage(_have, conn.FastEnabled))
        {
            case { Id: MessageId.HaveAll }:
                conn.Send(new OutgoingMessage(MessageId.HaveAll));
                break;
            case { Id: MessageId.HaveNone }:
                conn.Send(new OutgoingMessage(MessageId.HaveNone));
                break;
            case { Id: MessageId.Bitfield }:
                conn.Send(new OutgoingMessage(MessageId.Bitfield, Length: _have.Bytes.Length, Payload: _have.Bytes.ToArray()));
                break;
        }
        if (conn.ExtensionsEnabled)
        {
            var hs = LocalExtensions.CreateHandshake(_meta.IsPrivate, Metadata.MetadataSize, _listenPort(), conn.RemoteEndPoint.Address,
                AnnouncedRequestQueue);
            SendExtended(p, ExtensionHandshake.MessageId, hs.Encode());
        }
        if (conn.FastEnabled)
        {
            ext.AllowedSetForPeer = ComputeAllowedSet(conn);
            foreach (int piece in ext.AllowedSetForPeer)
            {
                if (_have[piece])
                {
                    ext.AllowedForPeer.Add(piece);
                    conn.Send(new OutgoingMessage(MessageId.AllowedFast, piece));
                }
            }
        }
    }

    private static void SendExtended(PeerState p, byte extendedId, byte[] payload) =>
        p.Connection.Send(new OutgoingMessage(MessageId.Extended, extendedId, Length: payload.Length, Payload: payload));

    /// <summary>Handles fast and extended messages; false for everything else (the caller's switch takes those).</summary>
    private bool TryHandleExtension(PeerState p, in ReceivedMessage m)
    {
        switch (m.Id)
        {
            case MessageId.HaveAll:
            {
                p.SeenFirstMessage = true;
                var all = new BitField(_lengths.PieceCount);
                all.SetAll();
                if (p.SeenAvailability)
                {
                    // aria2 sends have-all again once it completes: read it as haves for what is missing.
                    AddLateHaves(p, all);
                    return true;
                }
                p.SeenAvailability = true;
                OnBitfield(p, new ReceivedMessage(MessageId.Bitfield, Bitfield: all), first: true);
                return true;
            }
            case MessageId.HaveNone:
                p.SeenFirstMessage = true;
                if (p.SeenAvailability)
                {
                    Drop(p, DisconnectReason.ProtocolViolation, "have-none after a have or a bitfield");
                }
                p.SeenAvailability = true;
                return true;
            case MessageId.Reject:
                OnReject(p, m.Piece, m.Begin);
                return true;
            case MessageId.AllowedFast:
                OnAllowedFast(p, m.Piece);
                return true;
            case MessageId.Suggest:
                return true; // Advisory; rarest-first already decides well.
            case MessageId.Extended:
                OnExtended(p, m.Piece, m.Payload.AsMemory(0, m.Length));
                return true;
            default:
                return false;
        }
    }

    private void AddLateHaves(PeerState p, BitField bits)
    {
        foreach (int piece in bits.SetIndices())
        {
            if (!p.Has[piece] && p.Connection.Disconnect is null)
            {
                OnHave(p, piece);
            }
        }
    }

    private void OnExtended(PeerState p, int extendedId, ReadOnlyMemory<byte> payload)
    {
        var seq = new ReadOnlySequence<byte>(payload);
        if (extendedId == ExtensionHandshake.MessageId)
        {
            if (!ExtensionHandshake.TryParse(seq, out var hs, out string? error))
            {
                Drop(p, DisconnectReason.ProtocolViolation, error!);
                return;
            }
            var ext = p.Extensions;
            ext.UtMetadataId = hs!.IdOf(UtMetadata.ExtensionName);
            ext.UtPexId = hs.IdOf(UtPex.ExtensionName);
            ext.ListenPort = hs.ListenPort ?? ext.ListenPort;
            ext.Client = hs.Client ?? ext.Client;
            ext.RequestQueue = hs.RequestQueueSize ?? ext.RequestQueue;
            if (ext.UtPexId is not null && PexAllowed)
            {
                ext.Pex ??= new PexState();
            }
            _log.LogDebug("peer {Peer}: {Handshake}", p, hs.Describe());
            return;
        }
        if (extendedId == LocalExtensions.UtMetadataId)
        {
            if (!UtMetadata.TryDecode(seq, out var message, out string? error))
            {
                Drop(p, DisconnectReason.ProtocolViolation, error!);
                return;
            }
            // We asked for nothing (we have the metadata), so only requests need an answer; a peer without
            // ut_metadata in its handshake has nowhere to receive one.
            if (p.Extensions.UtMetadataId is byte id && Metadata.Respond(message) is { } answer)
            {
                SendExtended(p, id, answer);
            }
            return;
        }
        if (extendedId == LocalExtensions.UtPexId && PexAllowed)
        {
            OnPex(p, seq);
        }
    }

    private void OnPex(PeerState p, ReadOnlySequence<byte> payload)
    {
        long now = _time.GetTimestamp();
        var ext = p.Extensions;
        // BEP 11 allows one message a minute; a flood is ignored rather than parsed.
        if (ext.LastPexReceived != 0 && _time.GetElapsedTime(ext.LastPexReceived, now) < TimeSpan.FromSeconds(45))
        {
            return;
        }
        ext.LastPexReceived = now;
        if (!UtPex.TryDecode(payload, out var message, out string? error))
        {
            Drop(p, DisconnectReason.ProtocolViolation, error!);
            return;
        }
        int added = 0;
        foreach (var peer in message!.Added)
        {
            if (_candidates.Count >= MaxCandidatesFromPex)
            {
                break;
            }
            if (peer.EndPoint.Port != 0 && !_banned.Contains(peer.EndPoint.Address))
            {
                AddCandidate(peer.EndPoint, explicitPeer: false);
                added++;
            }
        }
        _log.LogDebug("peer {Peer}: {Pex} ({Added} new candidates)", p, message.Describe(), added);
        if (added > 0)
        {
            ConnectMore();
        }
    }

    /// <summary>Once a second from the tick: PEX to every peer that is due (each at most once a minute).</summary>
    private void TickExtensions()
    {
        if (!PexAllowed)
        {
            return;
        }
        var now = _time.GetUtcNow();
        List<PexPeer>? connected = null;
        foreach (var p in _peers.Values)
        {
            var ext = p.Extensions;
            if (ext.Pex is null || ext.UtPexId is not byte id || !ext.Pex.IsDue(now))
            {
                continue;
            }
            connected ??= [.. _peers.Values.Select(Reachable).OfType<PexPeer>()];
            var self = Reachable(p)?.EndPoint;
            var message = ext.Pex.Next(connected.Where(c => !c.EndPoint.Equals(self)), now);
            if (message is not null)
            {
                SendExtended(p, id, UtPex.Encode(message));
            }
        }
    }

    /// <summary>Where others can reach a connected peer: its address for outgoing, its announced port for incoming.</summary>
    private static PexPeer? Reachable(PeerState p)
    {
        var conn = p.Connection;
        var flags = p.IsSeed ? PexFlags.SeedOrUploadOnly : PexFlags.None;
        if (conn.IsOutgoing)
        {
            return new PexPeer(conn.RemoteEndPoint, flags | PexFlags.Reachable);
        }
        return p.Extensions.ListenPort is int port ? new PexPeer(new IPEndPoint(conn.RemoteEndPoint.Address, port), flags) : null;
    }

    /// <summary>BEP 6: a request from a choked peer is served only for a piece in the set we granted it.</summary>
    private static bool AllowedWhileChoked(PeerState p, int piece) =>
        p.Connection.FastEnabled && p.Extensions.AllowedForPeer.Contains(piece);

    /// <summary>With BEP 6 every request gets exactly one answer: tell the peer we will not serve this one.</summary>
    private static void RejectRequest(PeerState p, int piece, int begin, int length)
    {
        if (p.Connection.FastEnabled)
        {
            p.Connection.Send(new OutgoingMessage(MessageId.Reject, piece, begin, length));
        }
    }

    /// <summary>
    /// Serving keys hold piece and offset only; a reject must repeat the request's length, so the rare request that
    /// is not a whole block (16 KiB, or the piece's tail) has its length noted. Fast peers only.
    /// </summary>
    private void RememberRequestLength(PeerState p, int piece, int begin, int length)
    {
        if (!p.Connection.FastEnabled || length == Math.Min(TorrentLengths.BlockSize, _lengths.PieceSize(piece) - begin))
        {
            return;
        }
        var odd = p.Extensions.OddRequestLengths;
        if (odd.Count >= MaxServedRequests)
        {
            odd.Clear(); // stale entries of served requests; at worst a reject carries a whole-block length
        }
        odd[PeerState.Key(piece, begin)] = length;
    }

    /// <summary>On choke, rejects every request still pending for a fast peer (except allowed-fast pieces).</summary>
    private void RejectPendingOnChoke(PeerState p)
    {
        if (!p.Connection.FastEnabled)
        {
            return;
        }
        foreach (long key in p.Serving.ToArray())
        {
            int piece = (int)(key >> 32);
            int begin = (int)(uint)key;
            // A worker may have sent the block meanwhile; only a request still pending gets a reject.
            if (!AllowedWhileChoked(p, piece) && p.Serving.Remove(key))
            {
                if (!p.Extensions.OddRequestLengths.Remove(key, out int length))
                {
                    length = Math.Min(TorrentLengths.BlockSize, _lengths.PieceSize(piece) - begin);
                }
                RejectRequest(p, piece, begin, length);
            }
        }
    }
}

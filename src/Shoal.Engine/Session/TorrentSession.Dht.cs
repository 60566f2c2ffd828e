using System.Net;
using Microsoft.Extensions.Logging;
using Shoal.Engine.Dht;
using Shoal.Engine.Peers;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Session;

internal sealed partial class TorrentSession
{
    /// <summary>Below this many connected peers, DHT lookups stay frequent.</summary>
    private const int FewPeers = 5;

    private DhtPeerDiscovery? _dhtDiscovery;

    /// <summary>The engine's DHT, or null when it runs none.</summary>
    internal DhtService? Dht { get; init; }

    /// <summary>Whether this torrent uses the DHT: the engine runs one, the options allow it, and the torrent is not private (BEP 27).</summary>
    private bool UsesDht => Dht is not null && _options.UseDht && !_meta.IsPrivate;

    /// <summary>
    /// Starts the DHT lookups (get_peers, then announce_peer with our listen port) once the check has run. Found peers
    /// reach the loop as AddPeers events; the discovery loop never touches torrent state.
    /// </summary>
    private void StartDhtDiscovery()
    {
        if (!UsesDht || _state == TorrentState.Paused)
        {
            return; // a paused torrent starts its lookups on resume (TorrentSession.Control.cs)
        }
        _dhtDiscovery = Dht!.CreateDiscovery(_meta.InfoHash, _listenPort,
            wantMorePeers: () => _state == TorrentState.Downloading && _status.PeersConnected < FewPeers,
            onPeers: peers =>
            {
                _log.LogDebug("{Count} peers from the DHT", peers.Count);
                AddPeers(peers, explicitPeers: false);
            });
        _dhtDiscovery.Start();
    }

    private async Task StopDhtDiscoveryAsync()
    {
        if (_dhtDiscovery is { } d)
        {
            await d.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>BEP 5: a peer that sets the DHT bit learns our DHT port.</summary>
    private void SendDhtPort(PeerState p)
    {
        if (Dht is { } dht && p.Connection.RemoteReserved.SupportsDht && !_meta.IsPrivate)
        {
            p.Connection.Send(new OutgoingMessage(MessageId.Port, dht.Port));
        }
    }

    /// <summary>BEP 5: a peer's <c>port</c> message names its DHT node; ping it, and it joins our table if it answers.</summary>
    private void OnDhtPort(PeerState p, int port)
    {
        if (Dht is { } dht && !_meta.IsPrivate && port is > 0 and <= ushort.MaxValue)
        {
            dht.AddNode(new IPEndPoint(p.Connection.RemoteEndPoint.Address, port));
        }
    }

    /// <summary>DHT facts for the status snapshot and the stall reason.</summary>
    private int DhtNodeCount => UsesDht ? Dht!.NodeCount : 0;

    private string? DhtTrouble()
    {
        if (!UsesDht)
        {
            return null;
        }
        int nodes = DhtNodeCount;
        return nodes == 0 ? "the DHT has no nodes yet"
            : _dhtDiscovery is { Lookups: 0 } ? $"searching the DHT ({nodes} nodes)"
            : $"the DHT ({nodes} nodes) has no peers for this torrent yet";
    }
}

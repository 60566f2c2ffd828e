using System.Net;
using System.Net.Sockets;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

/// <summary>
/// Peers announced to us with announce_peer, kept for a lifetime (BEP 5 suggests 30 minutes) and bounded per info
/// hash and in total so that announcers cannot grow our memory. Not thread-safe; the node's lock guards it.
/// </summary>
internal sealed class PeerStore(int maxPerInfoHash, int maxTotal, TimeSpan lifetime)
{
    private readonly Dictionary<NodeId, Dictionary<IPEndPoint, DateTimeOffset>> _byHash = [];

    public int Count { get; private set; }

    public int InfoHashCount => _byHash.Count;

    /// <summary>Adds or refreshes a peer. When the info hash is full its oldest peer makes room; when the store is full, false.</summary>
    public bool Add(NodeId infoHash, IPEndPoint peer, DateTimeOffset now)
    {
        var expires = now + lifetime;
        if (_byHash.TryGetValue(infoHash, out var peers) && peers.ContainsKey(peer))
        {
            peers[peer] = expires;
            return true;
        }
        if (Count >= maxTotal)
        {
            Expire(now);
            if (Count >= maxTotal)
            {
                return false;
            }
        }
        if (peers is null)
        {
            peers = [];
            _byHash[infoHash] = peers;
        }
        if (peers.Count >= maxPerInfoHash)
        {
            var oldest = peers.MinBy(p => p.Value).Key;
            peers.Remove(oldest);
            Count--;
        }
        peers[peer] = expires;
        Count++;
        return true;
    }

    /// <summary>Up to <paramref name="max"/> live peers of one address family, in random order.</summary>
    public List<IPEndPoint> Get(NodeId infoHash, int max, AddressFamily family, DateTimeOffset now)
    {
        if (!_byHash.TryGetValue(infoHash, out var peers))
        {
            return [];
        }
        var live = peers.Where(p => p.Value > now && p.Key.AddressFamily == family).Select(p => p.Key).ToArray();
        Random.Shared.Shuffle(live);
        return live.Take(max).ToList();
    }

    public void Expire(DateTimeOffset now)
    {
        foreach (var (hash, peers) in _byHash.ToList())
        {
            foreach (var (peer, expires) in peers.ToList())
            {
                if (expires <= now)
                {
                    peers.Remove(peer);
                    Count--;
                }
            }
            if (peers.Count == 0)
            {
                _byHash.Remove(hash);
            }
        }
    }
}

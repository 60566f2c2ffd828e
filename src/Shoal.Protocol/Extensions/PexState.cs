using System.Net;

namespace Shoal.Protocol.Extensions;

/// <summary>
/// What we have told one peer through PEX, so each message carries only the change since the last one (BEP 11).
/// </summary>
/// <remarks>
/// Pure: the caller passes the time. Owned by the torrent loop (one per connection that negotiated ut_pex).
/// The first message lists current peers as added; later messages add newly connected peers (or ones whose flags
/// changed) and drop peers that went away. Whatever does not fit in the 50/50 caps stays pending and goes out in a
/// later message, because only what was actually sent is remembered.
/// </remarks>
public sealed class PexState
{
    /// <summary>BEP 11: do not send PEX more often than once a minute.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<IPEndPoint, PexFlags> _sent = [];
    private DateTimeOffset? _lastSentAt;

    public PexState(TimeSpan? interval = null) => Interval = interval ?? DefaultInterval;

    public TimeSpan Interval { get; }

    /// <summary>Peers this peer currently knows from us.</summary>
    public int AdvertisedCount => _sent.Count;

    /// <summary>True if enough time has passed since the last message.</summary>
    public bool IsDue(DateTimeOffset now) => _lastSentAt is not { } last || now - last >= Interval;

    /// <summary>
    /// Builds the next message from the peers we are connected to now (the receiving peer itself must not be in
    /// <paramref name="connected"/>). Returns null when it is too early or nothing changed; otherwise records the
    /// message as sent at <paramref name="now"/>.
    /// </summary>
    public UtPexMessage? Next(IEnumerable<PexPeer> connected, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(connected);
        if (!IsDue(now))
        {
            return null;
        }
        var current = new Dictionary<IPEndPoint, PexFlags>();
        foreach (var peer in connected)
        {
            current.TryAdd(UtPex.Normalize(peer.EndPoint), peer.Flags);
        }

        var added = new List<PexPeer>();
        foreach (var (endPoint, flags) in current)
        {
            if (added.Count >= UtPex.MaxAddedPerMessage)
            {
                break;
            }
            if (!_sent.TryGetValue(endPoint, out var sentFlags) || sentFlags != flags)
            {
                added.Add(new PexPeer(endPoint, flags));
            }
        }
        var dropped = new List<IPEndPoint>();
        foreach (var endPoint in _sent.Keys)
        {
            if (dropped.Count >= UtPex.MaxDroppedPerMessage)
            {
                break;
            }
            if (!current.ContainsKey(endPoint))
            {
                dropped.Add(endPoint);
            }
        }
        if (added.Count == 0 && dropped.Count == 0)
        {
            return null;
        }

        foreach (var peer in added)
        {
            _sent[peer.EndPoint] = peer.Flags;
        }
        foreach (var endPoint in dropped)
        {
            _sent.Remove(endPoint);
        }
        _lastSentAt = now;
        return new UtPexMessage(added, dropped);
    }
}

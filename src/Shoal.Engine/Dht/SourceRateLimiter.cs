using System.Net;

namespace Shoal.Engine.Dht;

/// <summary>
/// A token bucket per source IP for incoming queries, so that no single address can make us send unbounded replies
/// (amplification) or hog the node. Malformed datagrams cost more than a query. The table of addresses is itself
/// bounded: idle entries are dropped when it grows. Not thread-safe; the node's lock guards it.
/// </summary>
internal sealed class SourceRateLimiter(double perSecond, double burst)
{
    private const int MaxTracked = 8192;
    private readonly Dictionary<IPAddress, (double Tokens, DateTimeOffset At)> _buckets = [];

    public bool TryTake(IPAddress address, double cost, DateTimeOffset now)
    {
        double tokens = burst;
        if (_buckets.TryGetValue(address, out var b))
        {
            tokens = Math.Min(burst, b.Tokens + (Math.Max(0, (now - b.At).TotalSeconds) * perSecond));
        }
        else if (_buckets.Count >= MaxTracked)
        {
            Prune(now);
        }
        bool allowed = tokens >= cost;
        _buckets[address] = (allowed ? tokens - cost : Math.Max(0, tokens - cost), now);
        return allowed;
    }

    private void Prune(DateTimeOffset now)
    {
        // An entry that has refilled completely carries no information: drop those first, then everything.
        double refill = burst / Math.Max(perSecond, 1e-9);
        foreach (var (address, b) in _buckets.ToList())
        {
            if ((now - b.At).TotalSeconds >= refill)
            {
                _buckets.Remove(address);
            }
        }
        if (_buckets.Count >= MaxTracked)
        {
            _buckets.Clear();
        }
    }
}

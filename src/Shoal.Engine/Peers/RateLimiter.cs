namespace Shoal.Engine.Peers;

/// <summary>
/// A token bucket for one direction of traffic, in bytes per second (0 = unlimited). Callers take what they just
/// used or are about to use and may go into debt; the answer is how long to wait until the debt is paid, so a
/// batch of blocks costs one lock and at most one timer, never one per block. Thread-safe.
/// </summary>
internal sealed class TokenBucket
{
    /// <summary>The shortest burst allowed, so small limits still pass whole blocks smoothly.</summary>
    private const long MinCapacity = 32 * 1024;

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private long _rate;
    private double _tokens;
    private long _last;

    public TokenBucket(TimeProvider time, long rate = 0)
    {
        _time = time;
        _last = time.GetTimestamp();
        Rate = rate;
    }

    /// <summary>Bytes per second; 0 = unlimited. Changing it takes effect at once.</summary>
    public long Rate
    {
        get => Volatile.Read(ref _rate);
        set
        {
            lock (_gate)
            {
                long old = _rate;
                Refill();
                Volatile.Write(ref _rate, Math.Max(0, value));
                // A new limit starts with a full burst; a lower one cuts saved-up tokens (not debt) to its burst.
                _tokens = old == 0 ? Capacity : Math.Min(_tokens, Capacity);
            }
        }
    }

    /// <summary>Burst size: a quarter second of the rate, at least 32 KiB.</summary>
    private double Capacity => Math.Max(MinCapacity, _rate / 4.0);

    /// <summary>Takes <paramref name="bytes"/> from the bucket; returns how long to wait before using them (zero if none).</summary>
    public TimeSpan Take(long bytes)
    {
        if (Volatile.Read(ref _rate) == 0 || bytes <= 0)
        {
            return TimeSpan.Zero;
        }
        lock (_gate)
        {
            if (_rate == 0)
            {
                return TimeSpan.Zero;
            }
            Refill();
            _tokens -= bytes;
            return _tokens >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_tokens / _rate);
        }
    }

    private void Refill()
    {
        long now = _time.GetTimestamp();
        double elapsed = (double)(now - _last) / _time.TimestampFrequency;
        _last = now;
        if (_rate > 0 && elapsed > 0)
        {
            _tokens = Math.Min(Capacity, _tokens + elapsed * _rate);
        }
    }
}

/// <summary>
/// Download and upload buckets for one scope (the engine, or one torrent whose <see cref="Parent"/> is the engine's).
/// Peer connections charge piece payload to their torrent's group, which charges every ancestor; the wait is the
/// longest any of them asks for.
/// </summary>
internal sealed class BandwidthGroup(TimeProvider time, BandwidthGroup? parent = null)
{
    public TokenBucket Download { get; } = new(time);

    public TokenBucket Upload { get; } = new(time);

    public BandwidthGroup? Parent { get; } = parent;

    /// <summary>Charges <paramref name="bytes"/> and waits as long as the strictest limit says. Allocates only when it must wait.</summary>
    public ValueTask ThrottleAsync(bool download, long bytes, CancellationToken ct)
    {
        TimeSpan wait = TimeSpan.Zero;
        for (var g = this; g is not null; g = g.Parent)
        {
            var w = (download ? g.Download : g.Upload).Take(bytes);
            if (w > wait)
            {
                wait = w;
            }
        }
        return wait <= TimeSpan.Zero ? default : new ValueTask(Task.Delay(wait, time, ct));
    }
}

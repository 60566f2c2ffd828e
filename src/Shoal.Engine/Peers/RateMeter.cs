namespace Shoal.Engine.Peers;

/// <summary>
/// Bytes per second over a short sliding window of one-second buckets. Not thread-safe: the receive loop counts with
/// <see cref="Add"/> via an interlocked counter, and the torrent loop calls <see cref="Tick"/> once a second.
/// </summary>
public sealed class RateMeter
{
    private readonly long[] _buckets;
    private long _pending;
    private int _next;
    private int _filled;

    public RateMeter(int windowSeconds = 5)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowSeconds);
        _buckets = new long[windowSeconds];
    }

    /// <summary>Total bytes ever counted (including not yet ticked).</summary>
    public long Total => Interlocked.Read(ref _total) ;

    private long _total;

    /// <summary>Bytes per second averaged over the filled part of the window.</summary>
    public long BytesPerSecond { get; private set; }

    /// <summary>Safe from any thread.</summary>
    public void Add(long bytes)
    {
        Interlocked.Add(ref _pending, bytes);
        Interlocked.Add(ref _total, bytes);
    }

    /// <summary>Closes the current one-second bucket. Call once per second from one thread.</summary>
    public void Tick()
    {
        long bytes = Interlocked.Exchange(ref _pending, 0);
        _buckets[_next] = bytes;
        _next = (_next + 1) % _buckets.Length;
        if (_filled < _buckets.Length)
        {
            _filled++;
        }
        long sum = 0;
        foreach (long b in _buckets)
        {
            sum += b;
        }
        BytesPerSecond = sum / _filled;
    }
}

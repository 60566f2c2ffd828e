namespace Shoal.Engine.Trackers;

/// <summary>Timeouts, limits and announce policy for tracker communication. Defaults suit real trackers.</summary>
public sealed record TrackerOptions
{
    public static readonly TrackerOptions Default = new();

    /// <summary>TCP (and TLS) connect timeout of HTTP trackers.</summary>
    public TimeSpan HttpConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whole HTTP request, body included.</summary>
    public TimeSpan HttpTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Redirects followed at most; a loop ends as an error.</summary>
    public int HttpMaxRedirects { get; init; } = 5;

    /// <summary>A larger body is refused without being read further.</summary>
    public int MaxResponseBytes { get; init; } = 2 * 1024 * 1024;

    /// <summary>First UDP retransmission timeout; BEP 15 doubles it on each retry (15 s, 30 s, ...).</summary>
    public TimeSpan UdpBaseTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Sends of each UDP request before "tracker not answering". BEP 15 allows 9 (over an hour); 2 gives up after
    /// 15 + 30 = 45 s, which a user waiting at a terminal accepts.
    /// </summary>
    public int UdpMaxAttempts { get; init; } = 2;

    /// <summary>A UDP connection id is reused for this long (BEP 15: one minute).</summary>
    public TimeSpan UdpConnectionIdLifetime { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Peers asked for per announce.</summary>
    public int NumWant { get; init; } = 50;

    /// <summary>Peers kept per response at most.</summary>
    public int MaxPeersPerResponse { get; init; } = 2000;

    /// <summary>Announce to every tracker of every tier instead of one per tier (BEP 12 "announce to all").</summary>
    public bool AnnounceToAllTrackers { get; init; }

    /// <summary>Used when a tracker gives no interval.</summary>
    public TimeSpan DefaultInterval { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Floor under any tracker interval, so a tracker saying "interval 0" is not hammered.</summary>
    public TimeSpan MinimumInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Ceiling over any tracker interval: a broken tracker saying "2³¹ s" must not silence it for decades.</summary>
    public TimeSpan MaximumInterval { get; init; } = TimeSpan.FromHours(4);

    /// <summary>Wait after a whole tier failed; doubled per consecutive failure up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The best-effort <c>stopped</c> announce on shutdown gives up after this.</summary>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Sent as User-Agent to HTTP trackers.</summary>
    public string UserAgent { get; init; } = "Shoal/0.1";
}

using Shoal.Engine.Peers;

namespace Shoal.Engine.Tests.Peers;

/// <summary>A clock whose timestamps move only when told (ticks of 1 µs).</summary>
internal sealed class SteppedClock : TimeProvider
{
    private long _ticks;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += (long)(by.TotalSeconds * TimestampFrequency);
}

public class TokenBucketTests
{
    private const long MiB = 1024 * 1024;

    [Fact]
    public void Unlimited_bucket_never_asks_to_wait()
    {
        var bucket = new TokenBucket(new SteppedClock());
        Assert.Equal(TimeSpan.Zero, bucket.Take(100 * MiB));
    }

    [Fact]
    public void Burst_passes_then_debt_is_paid_at_the_rate()
    {
        var clock = new SteppedClock();
        var bucket = new TokenBucket(clock, MiB);
        // The burst is a quarter second of the rate.
        Assert.Equal(TimeSpan.Zero, bucket.Take(MiB / 4));
        // Another half MiB is half a second of debt.
        Assert.Equal(0.5, bucket.Take(MiB / 2).TotalSeconds, 3);
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Equal(TimeSpan.Zero, bucket.Take(0));
        Assert.Equal(0.25, bucket.Take(MiB / 4).TotalSeconds, 3);
    }

    [Fact]
    public void Sustained_use_follows_the_rate_in_virtual_time()
    {
        var clock = new SteppedClock();
        var bucket = new TokenBucket(clock, MiB);
        long sent = 0;
        var elapsed = TimeSpan.Zero;
        // A sender that takes 256 KiB batches and sleeps as told, for 20 virtual seconds.
        while (elapsed < TimeSpan.FromSeconds(20))
        {
            var wait = bucket.Take(256 * 1024);
            sent += 256 * 1024;
            clock.Advance(wait);
            elapsed += wait;
        }
        double rate = sent / elapsed.TotalSeconds;
        Assert.InRange(rate, 0.95 * MiB, 1.1 * MiB);
    }

    [Fact]
    public void Idle_time_saves_no_more_than_the_burst()
    {
        var clock = new SteppedClock();
        var bucket = new TokenBucket(clock, MiB);
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.Equal(TimeSpan.Zero, bucket.Take(MiB / 4));
        Assert.True(bucket.Take(MiB / 4) > TimeSpan.Zero);
    }

    [Fact]
    public void Lifting_the_limit_ends_waiting_at_once()
    {
        var bucket = new TokenBucket(new SteppedClock(), 100_000);
        Assert.True(bucket.Take(MiB) > TimeSpan.Zero);
        bucket.Rate = 0;
        Assert.Equal(TimeSpan.Zero, bucket.Take(MiB));
    }

    [Fact]
    public async Task Group_waits_for_the_strictest_of_itself_and_its_parent()
    {
        var clock = new SteppedClock();
        var global = new BandwidthGroup(clock);
        var torrent = new BandwidthGroup(clock, global);
        // Nothing limited: completes synchronously.
        Assert.True(torrent.ThrottleAsync(download: true, MiB, CancellationToken.None).IsCompletedSuccessfully);
        global.Download.Rate = 64 * 1024;
        torrent.Download.Rate = 10 * MiB;
        using var cts = new CancellationTokenSource();
        var pending = torrent.ThrottleAsync(download: true, MiB, cts.Token);
        Assert.False(pending.IsCompleted); // the global limit makes it wait (the stepped clock never fires timers)
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        // The other direction is separate.
        Assert.True(torrent.ThrottleAsync(download: false, MiB, CancellationToken.None).IsCompletedSuccessfully);
    }
}

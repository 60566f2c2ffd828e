using System.Diagnostics;
using System.Net;
using System.Text;
using Shoal.Bencoding;
using Shoal.Engine.Trackers;
using Shoal.Protocol;
using Shoal.Protocol.Trackers;

namespace Shoal.Engine.Tests.Trackers;

public sealed class TrackerManagerTests
{
    private static readonly InfoHash Hash = InfoHash.FromHex("0123456789abcdef0123456789abcdef01234567");
    private static readonly PeerId Me = new(Encoding.ASCII.GetBytes("-SH0001-abcdefghijkl"));

    private static readonly TrackerOptions Options = new()
    {
        HttpTimeout = TimeSpan.FromSeconds(60),
        UdpBaseTimeout = TimeSpan.FromSeconds(60),
        MinimumInterval = TimeSpan.FromMilliseconds(50),
        RetryDelay = TimeSpan.FromSeconds(60),
        StopTimeout = TimeSpan.FromSeconds(5),
    };

    private static byte[] Body(string peer, int interval = 3600, string? trackerId = null, int? minInterval = null)
    {
        var d = new BDictionary
        {
            ["interval"] = new BInteger(interval),
            ["complete"] = new BInteger(1),
            ["incomplete"] = new BInteger(0),
            ["peers"] = new BString(CompactPeers.Encode([IPEndPoint.Parse(peer)])),
        };
        if (trackerId is not null)
        {
            d["tracker id"] = new BString(trackerId);
        }
        if (minInterval is not null)
        {
            d["min interval"] = new BInteger(minInterval.Value);
        }
        return BencodeWriter.Encode(d);
    }

    private static TrackerManager Manager(TrackerOptions options, params string[][] tiers) =>
        new(tiers, Hash, Me, 6881, () => new AnnounceStats(1, 2, 3), options);

    private static async Task<TrackerPeers> NextPeersAsync(TrackerManager m, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        return await m.Peers.ReadAsync(cts.Token);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30), $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }

    private static string? EventOf(string target)
    {
        int i = target.IndexOf("&event=", StringComparison.Ordinal);
        return i < 0 ? null : target[(i + 7)..].Split('&')[0];
    }

    [Fact]
    public async Task Failing_tracker_in_a_tier_falls_through_to_the_next_and_the_answering_one_moves_first()
    {
        await using var dead = new LoopbackHttpTracker(_ => HttpReply.Body("d14:failure reason9:go away!!e"));
        await using var live = new LoopbackHttpTracker(_ => HttpReply.Body(Body("10.0.0.1:1")));
        await using var m = Manager(Options, [dead.AnnounceUrl, live.AnnounceUrl]);
        m.Start();
        var batch = await NextPeersAsync(m);
        Assert.Equal(live.AnnounceUrl, batch.TrackerUrl);
        Assert.Equal([IPEndPoint.Parse("10.0.0.1:1")], batch.Peers);
        int deadBefore = dead.Requests.Count;

        m.RequestMorePeers();
        await NextPeersAsync(m);
        Assert.Equal(2, live.Requests.Count);
        Assert.Equal(deadBefore, dead.Requests.Count); // the live tracker is now first in its tier

        var status = m.Snapshot();
        Assert.Equal(TrackerState.Working, status.Single(s => s.Url == live.AnnounceUrl).State);
        if (deadBefore > 0)
        {
            var d = status.Single(s => s.Url == dead.AnnounceUrl);
            Assert.Equal(TrackerState.NotWorking, d.State);
            Assert.Equal("go away!!", d.LastError);
        }
    }

    [Fact]
    public async Task Dead_tiers_do_not_delay_a_live_tier()
    {
        await using var hangs = new LoopbackHttpTracker(_ => HttpReply.Hang);
        await using var silent = new FakeUdpTracker((_, _) => []);
        await using var live = new LoopbackHttpTracker(_ => HttpReply.Body(Body("10.0.0.3:3")));
        await using var m = Manager(Options, [silent.AnnounceUrl], [hangs.AnnounceUrl], [live.AnnounceUrl]);
        var sw = Stopwatch.StartNew();
        m.Start();
        // The dead tiers would take 60 s each to time out; peers arriving first shows the tiers run in parallel.
        var batch = await NextPeersAsync(m, TimeSpan.FromSeconds(30));
        Assert.Equal(live.AnnounceUrl, batch.TrackerUrl);
        var states = m.Snapshot().ToDictionary(s => s.Url, s => s.State);
        // Still waiting on their first answer (or, on a busy machine, not even started yet).
        Assert.Contains(states[hangs.AnnounceUrl], new[] { TrackerState.Updating, TrackerState.NotContacted });
        Assert.Contains(states[silent.AnnounceUrl], new[] { TrackerState.Updating, TrackerState.NotContacted });
        Console.WriteLine($"first peer after {sw.ElapsedMilliseconds} ms with dead tiers 1 and 2");
    }

    [Fact]
    public async Task Started_completed_once_then_stopped()
    {
        await using var live = new LoopbackHttpTracker(_ => HttpReply.Body(Body("10.0.0.1:1")));
        var m = Manager(Options, [live.AnnounceUrl]);
        m.Start();
        await NextPeersAsync(m);
        m.Completed();
        m.Completed();
        await WaitUntilAsync(() => live.Requests.Any(r => EventOf(r) == "completed"), "completed");
        await m.StopAsync();
        await m.DisposeAsync();
        var events = live.Requests.Select(EventOf).ToList();
        Assert.Equal(["started", "completed", "stopped"], events);
        Assert.Contains("&left=3", live.Requests[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completed_before_the_first_announce_sends_started_first()
    {
        await using var live = new LoopbackHttpTracker(_ => HttpReply.Body(Body("10.0.0.1:1")));
        await using var m = Manager(Options, [live.AnnounceUrl]);
        m.Completed();
        m.Start();
        await WaitUntilAsync(() => live.Requests.Count >= 2, "two announces");
        Assert.Equal(["started", "completed"], live.Requests.Take(2).Select(EventOf));
    }

    [Fact]
    public async Task Tracker_id_is_echoed()
    {
        await using var live = new LoopbackHttpTracker(_ => HttpReply.Body(Body("10.0.0.1:1", trackerId: "T 42")));
        await using var m = Manager(Options, [live.AnnounceUrl]);
        m.Start();
        await NextPeersAsync(m);
        m.RequestMorePeers();
        await NextPeersAsync(m);
        Assert.DoesNotContain("trackerid", live.Requests[0], StringComparison.Ordinal);
        Assert.Contains("&trackerid=T%2042", live.Requests[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Announce_to_all_reaches_every_tracker_of_a_tier()
    {
        await using var a = new LoopbackHttpTracker(_ => HttpReply.Body(Body("10.0.0.1:1")));
        await using var b = new LoopbackHttpTracker(_ => HttpReply.Body(Body("10.0.0.2:2")));
        await using var m = Manager(Options with { AnnounceToAllTrackers = true }, [a.AnnounceUrl, b.AnnounceUrl]);
        m.Start();
        var urls = new HashSet<string> { (await NextPeersAsync(m)).TrackerUrl, (await NextPeersAsync(m)).TrackerUrl };
        Assert.Equal(new HashSet<string> { a.AnnounceUrl, b.AnnounceUrl }, urls);
    }

    [Fact]
    public async Task One_tracker_per_tier_by_default()
    {
        await using var a = new LoopbackHttpTracker(_ => HttpReply.Body(Body("10.0.0.1:1")));
        await using var b = new LoopbackHttpTracker(_ => HttpReply.Body(Body("10.0.0.2:2")));
        await using var m = Manager(Options, [a.AnnounceUrl, b.AnnounceUrl]);
        m.Start();
        await NextPeersAsync(m);
        await m.StopAsync();
        // One got started + stopped, the other nothing.
        Assert.Equal(2, a.Requests.Count + b.Requests.Count);
        Assert.True(a.Requests.Count == 0 || b.Requests.Count == 0);
    }

    [Fact]
    public async Task Snapshot_reports_counts_intervals_and_unsupported_schemes()
    {
        await using var live = new LoopbackHttpTracker(_ => HttpReply.Body(Body("10.0.0.1:1", interval: 1234, minInterval: 99)));
        await using var m = Manager(Options, [live.AnnounceUrl], ["wss://tracker.example/announce"]);
        m.Start();
        await NextPeersAsync(m);
        var status = m.Snapshot();
        var ok = status.Single(s => s.Url == live.AnnounceUrl);
        Assert.Equal(0, ok.Tier);
        Assert.Equal(1, ok.LastPeerCount);
        Assert.Equal(1, ok.Seeders);
        Assert.Equal(0, ok.Leechers);
        Assert.Equal(TimeSpan.FromSeconds(1234), ok.Interval);
        Assert.Equal(TimeSpan.FromSeconds(99), ok.MinInterval);
        Assert.NotNull(ok.NextAnnounce);
        var wss = status.Single(s => s.Tier == 1);
        Assert.Equal(TrackerState.NotWorking, wss.State);
        Assert.Equal("unsupported tracker URL scheme", wss.LastError);
    }

    [Fact]
    public async Task Stop_is_bounded_when_trackers_hang()
    {
        int calls = 0;
        await using var t = new LoopbackHttpTracker(_ => Interlocked.Increment(ref calls) == 1 ? HttpReply.Body(Body("10.0.0.1:1")) : HttpReply.Hang);
        var m = Manager(Options with { StopTimeout = TimeSpan.FromMilliseconds(300) }, [t.AnnounceUrl]);
        m.Start();
        await NextPeersAsync(m);
        await m.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await m.DisposeAsync();
        await WaitUntilAsync(() => t.Requests.Count == 2, "the stopped announce");
        Assert.Equal("stopped", EventOf(t.Requests[1]));
    }

    [Fact]
    public async Task Absurd_intervals_are_capped()
    {
        await using var live = new LoopbackHttpTracker(_ => HttpReply.Body(Body("10.0.0.1:1", interval: int.MaxValue, minInterval: int.MaxValue)));
        await using var m = Manager(Options, [live.AnnounceUrl]);
        m.Start();
        await NextPeersAsync(m);
        var s = Assert.Single(m.Snapshot());
        Assert.Equal(TimeSpan.FromHours(4), s.Interval);
        Assert.Equal(TimeSpan.FromHours(4), s.MinInterval);
    }
}

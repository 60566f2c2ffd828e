using System.Net;
using Shoal.Protocol.Extensions;

namespace Shoal.Protocol.Tests.Extensions;

public class PexStateTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static PexPeer P(int i, PexFlags flags = PexFlags.None) => new(new IPEndPoint(IPAddress.Parse($"10.0.{i / 250}.{i % 250}"), 6881), flags);

    [Fact]
    public void First_message_adds_everyone_then_only_changes_are_sent()
    {
        var state = new PexState();
        var first = state.Next([P(1), P(2)], T0)!;
        Assert.Equal([P(1), P(2)], first.Added);
        Assert.Empty(first.Dropped);

        var second = state.Next([P(2), P(3), P(2)], T0.AddMinutes(1))!;
        Assert.Equal([P(3)], second.Added);
        Assert.Equal([P(1).EndPoint], second.Dropped);
        Assert.Equal(2, state.AdvertisedCount);
    }

    [Fact]
    public void Sends_at_most_once_a_minute()
    {
        var state = new PexState();
        Assert.NotNull(state.Next([P(1)], T0));
        Assert.False(state.IsDue(T0.AddSeconds(59)));
        Assert.Null(state.Next([P(2)], T0.AddSeconds(59)));
        Assert.NotNull(state.Next([P(2)], T0.AddSeconds(60)));
    }

    [Fact]
    public void Nothing_changed_means_no_message_and_no_wait()
    {
        var state = new PexState();
        Assert.NotNull(state.Next([P(1)], T0));
        Assert.Null(state.Next([P(1)], T0.AddMinutes(1)));
        Assert.NotNull(state.Next([P(1), P(2)], T0.AddMinutes(1).AddSeconds(1))); // the empty round did not reset the clock
    }

    [Fact]
    public void Flag_changes_are_re_announced()
    {
        var state = new PexState();
        state.Next([P(1)], T0);
        var message = state.Next([P(1, PexFlags.SeedOrUploadOnly)], T0.AddMinutes(1))!;
        Assert.Equal([P(1, PexFlags.SeedOrUploadOnly)], message.Added);
    }

    [Fact]
    public void What_does_not_fit_goes_out_later()
    {
        var state = new PexState();
        var peers = Enumerable.Range(1, 120).Select(i => P(i)).ToList();
        var sent = new HashSet<PexPeer>();
        for (int round = 0; round < 3; round++)
        {
            var message = state.Next(peers, T0.AddMinutes(round))!;
            Assert.True(message.Added.Count <= UtPex.MaxAddedPerMessage);
            sent.UnionWith(message.Added);
        }
        Assert.Equal(peers.ToHashSet(), sent);
        Assert.Null(state.Next(peers, T0.AddMinutes(3)));

        var gone = state.Next([], T0.AddMinutes(4))!;
        Assert.Equal(UtPex.MaxDroppedPerMessage, gone.Dropped.Count);
        Assert.Equal(70, state.AdvertisedCount);
    }
}

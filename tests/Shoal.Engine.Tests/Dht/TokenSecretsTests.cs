using System.Net;
using Shoal.Engine.Dht;

namespace Shoal.Engine.Tests.Dht;

public class TokenSecretsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly IPAddress Ip = IPAddress.Parse("198.51.100.4");

    [Fact]
    public void Token_survives_one_rotation_but_not_two()
    {
        var s = new TokenSecrets(TimeSpan.FromMinutes(5), T0);
        var token = s.Issue(Ip, T0);
        Assert.True(s.Validate(token, Ip, T0.AddMinutes(4)));
        Assert.True(s.Validate(token, Ip, T0.AddMinutes(6)));   // previous secret
        Assert.False(s.Validate(token, Ip, T0.AddMinutes(11))); // two rotations later
    }

    [Fact]
    public void Long_silence_invalidates_old_tokens()
    {
        var s = new TokenSecrets(TimeSpan.FromMinutes(5), T0);
        var token = s.Issue(Ip, T0);
        Assert.False(s.Validate(token, Ip, T0.AddMinutes(30)));
    }

    [Fact]
    public void Token_is_bound_to_the_address()
    {
        var s = new TokenSecrets(TimeSpan.FromMinutes(5), T0);
        Assert.False(s.Validate(s.Issue(Ip, T0), IPAddress.Parse("198.51.100.5"), T0));
        Assert.False(s.Validate([1, 2, 3], Ip, T0));
    }
}

public class SourceRateLimiterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Burst_then_refill_per_address()
    {
        var l = new SourceRateLimiter(perSecond: 2, burst: 3);
        var a = IPAddress.Parse("192.0.2.1");
        Assert.True(l.TryTake(a, 1, T0));
        Assert.True(l.TryTake(a, 1, T0));
        Assert.True(l.TryTake(a, 1, T0));
        Assert.False(l.TryTake(a, 1, T0));
        Assert.True(l.TryTake(IPAddress.Parse("192.0.2.2"), 1, T0)); // others unaffected
        Assert.True(l.TryTake(a, 1, T0.AddSeconds(1)));
    }

    [Fact]
    public void Malformed_penalty_drains_the_allowance()
    {
        var l = new SourceRateLimiter(perSecond: 1, burst: 10);
        var a = IPAddress.Parse("192.0.2.1");
        Assert.True(l.TryTake(a, 10, T0));
        Assert.False(l.TryTake(a, 1, T0));
    }
}

using Shoal.Engine.Peers;

namespace Shoal.Engine.Tests.Peers;

public sealed class RateMeterTests
{
    [Fact]
    public void Averages_over_the_filled_window()
    {
        var m = new RateMeter(windowSeconds: 4);
        m.Add(1000);
        m.Tick();
        Assert.Equal(1000, m.BytesPerSecond);
        m.Add(3000);
        m.Tick();
        Assert.Equal(2000, m.BytesPerSecond);
        Assert.Equal(4000, m.Total);
    }

    [Fact]
    public void Old_seconds_fall_out_of_the_window()
    {
        var m = new RateMeter(windowSeconds: 2);
        m.Add(10_000);
        m.Tick();
        m.Tick();
        m.Tick();
        Assert.Equal(0, m.BytesPerSecond);
    }
}

using Shoal.Engine.Creation;

namespace Shoal.Engine.Tests.Creation;

public class PieceSizingTests
{
    [Theory]
    [InlineData(1L, 16 * 1024)]
    [InlineData(100_000L, 16 * 1024)]
    [InlineData(2000L * 16 * 1024, 16 * 1024)]
    [InlineData(2000L * 16 * 1024 + 1, 32 * 1024)]
    [InlineData(700L * 1024 * 1024, 512 * 1024)]
    [InlineData(1024L * 1024 * 1024, 1024 * 1024)]
    [InlineData(100L * 1024 * 1024 * 1024, 16 * 1024 * 1024)]
    public void Chooses_the_smallest_power_of_two_giving_at_most_2000_pieces(long total, int expected)
    {
        Assert.Equal(expected, PieceSizing.Choose(total));
    }

    [Fact]
    public void Mid_sized_inputs_land_between_1000_and_2000_pieces()
    {
        for (long total = 64L * 1024 * 1024; total <= 16L * 1024 * 1024 * 1024; total = total * 3 / 2)
        {
            int length = PieceSizing.Choose(total);
            long pieces = (total + length - 1) / length;
            Assert.True(pieces is > 1000 and <= 2000, $"{total} bytes -> {length} -> {pieces} pieces");
            Assert.True(PieceSizing.IsAcceptable(length));
        }
    }

    [Theory]
    [InlineData(16 * 1024, true)]
    [InlineData(16 * 1024 * 1024, true)]
    [InlineData(256 * 1024, true)]
    [InlineData(8 * 1024, false)]
    [InlineData(32 * 1024 * 1024, false)]
    [InlineData(3 * 16 * 1024, false)]
    [InlineData(0, false)]
    public void Accepts_only_powers_of_two_from_16KiB_to_16MiB(long length, bool ok)
    {
        Assert.Equal(ok, PieceSizing.IsAcceptable(length));
    }
}

using System.Text;

namespace Shoal.Bencoding.Tests.Regressions;

/// <summary>Hostile inputs from the fuzzing work: each must be refused quickly and cheaply, never crash.</summary>
public class HostileBencodeTests
{
    private const long Budget = 4 * 1024 * 1024;

    private static (DecodeStatus Status, BencodeError? Error, long Allocated) Decode(byte[] input, BencodeOptions? options = null)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var status = BencodeReader.TryDecode(input, out _, out _, out var error, options);
        return (status, error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Theory]
    [InlineData('l')]
    [InlineData('d')]
    public void Nesting_bomb_of_100k_levels_is_refused_without_recursing_or_allocating(char open)
    {
        // A dictionary bomb needs keys: "d1:a" repeated; a list bomb is just "l".
        string unit = open == 'd' ? "d1:a" : "l";
        var input = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat(unit, 100_000)) + new string('e', 100_000));

        var (status, error, allocated) = Decode(input);

        Assert.Equal(DecodeStatus.Invalid, status);
        Assert.Contains("nesting", error!.Message, StringComparison.Ordinal);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Unclosed_nesting_bomb_is_refused_not_awaited()
    {
        // 100k opens and no closes: more input cannot help past the depth limit, so it is Invalid, not NeedMore.
        var input = Encoding.ASCII.GetBytes(new string('l', 100_000));
        var (status, _, allocated) = Decode(input, new BencodeOptions { AllowTrailingBytes = true });
        Assert.Equal(DecodeStatus.Invalid, status);
        Assert.True(allocated < Budget, $"allocated {allocated} bytes");
    }

    [Theory]
    [InlineData("4611686018427387904:abc")]          // 2^62
    [InlineData("9223372036854775807:abc")]          // long.MaxValue
    [InlineData("99999999999999999999999999:abc")]   // past 64 bits
    [InlineData("2147483648:abc")]                   // int.MaxValue + 1
    [InlineData("2147483647:abc")]                   // int.MaxValue: fits the type, not the input
    [InlineData("l4611686018427387904:abce")]
    [InlineData("d3:key4611686018427387904:e")]
    [InlineData("d4611686018427387904:ke")]
    public void Huge_string_lengths_are_refused_before_allocating(string text)
    {
        var (status, error, allocated) = Decode(Encoding.ASCII.GetBytes(text));
        Assert.NotEqual(DecodeStatus.Done, status);
        Assert.NotNull(error);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Many_empty_strings_in_a_list_cost_memory_in_proportion_to_the_input()
    {
        // 500k two-byte values: the decoder builds objects per value, so the cost must stay linear.
        var input = Encoding.ASCII.GetBytes("l" + string.Concat(Enumerable.Repeat("0:", 500_000)) + "e");
        var (status, _, allocated) = Decode(input);
        Assert.Equal(DecodeStatus.Done, status);
        Assert.True(allocated < 200L * input.Length, $"allocated {allocated} bytes for {input.Length}");
    }

    [Fact]
    public void Dictionary_with_many_out_of_order_duplicate_keys_decodes_in_linear_time_and_memory()
    {
        // Keys descending force the duplicate check for every key; it must stay a hash set, not a quadratic scan.
        var sb = new StringBuilder("d");
        for (int i = 99_999; i >= 0; i--)
        {
            sb.Append(Encoding.ASCII.GetByteCount(i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)))
              .Append(':').Append(i.ToString("D6", System.Globalization.CultureInfo.InvariantCulture)).Append("i0e");
        }
        sb.Append("6:000000i1ee");
        var (status, _, allocated) = Decode(Encoding.ASCII.GetBytes(sb.ToString()));
        Assert.Equal(DecodeStatus.Done, status);
        Assert.True(allocated < 100L * sb.Length, $"allocated {allocated} bytes for {sb.Length}");
    }
}

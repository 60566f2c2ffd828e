using System.Diagnostics;
using System.Text;
using Shoal.Bencoding;

namespace Shoal.Bencoding.Tests;

public class BencodeReaderTests
{
    private static byte[] B(string s) => Encoding.Latin1.GetBytes(s);

    private static BencodeError Refused(string input, BencodeOptions? options = null)
    {
        var status = BencodeReader.TryDecode(B(input), out var value, out _, out var error, options);
        Assert.NotEqual(DecodeStatus.Done, status);
        Assert.Null(value);
        return Assert.IsType<BencodeError>(error);
    }

    [Theory]
    [InlineData("i0e", 0L)]
    [InlineData("i42e", 42L)]
    [InlineData("i-7e", -7L)]
    [InlineData("i9223372036854775807e", long.MaxValue)]
    [InlineData("i-9223372036854775808e", long.MinValue)]
    public void Integers_decode(string input, long expected) =>
        Assert.Equal(expected, Assert.IsType<BInteger>(BencodeReader.Decode(B(input))).Value);

    [Theory]
    [InlineData("i03e", "leading zero", 1)]
    [InlineData("i-03e", "leading zero", 2)]
    [InlineData("i00e", "leading zero", 1)]
    [InlineData("i-0e", "negative zero", 1)]
    [InlineData("ie", "expected a digit", 1)]
    [InlineData("i-e", "expected a digit", 2)]
    [InlineData("i12x", "expected 'e' to end the integer but found 'x'", 3)]
    [InlineData("i9223372036854775808e", "overflows", 1)]
    [InlineData("i-9223372036854775809e", "overflows", 1)]
    [InlineData("i99999999999999999999999e", "overflows", 1)]
    [InlineData("03:abc", "leading zero", 0)]
    [InlineData("3x", "expected ':' after string length but found 'x'", 1)]
    [InlineData("x", "expected 'i', 'l', 'd' or a string length but found 'x'", 0)]
    [InlineData("di1e1:ae", "expected a string key in the dictionary but found 'i'", 1)]
    public void Invalid_input_is_refused_with_offset_and_expectation(string input, string message, int offset)
    {
        var error = Refused(input);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal(offset, error.Offset);
        Assert.EndsWith($" at offset {offset}", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(DecodeStatus.Invalid, BencodeReader.TryDecode(B(input), out _, out _, out _));
    }

    [Theory]
    [InlineData("i12")]
    [InlineData("l")]
    [InlineData("li1e")]
    [InlineData("d1:a")]
    [InlineData("5:ab")]
    [InlineData("12")]
    [InlineData("")]
    public void Truncated_input_needs_more(string input)
    {
        Assert.Equal(DecodeStatus.NeedMore, BencodeReader.TryDecode(B(input), out _, out _, out var error));
        Assert.NotNull(error);
        Assert.Throws<BencodeException>(() => BencodeReader.Decode(B(input)));
    }

    [Fact]
    public void Missing_e_reports_what_was_expected()
    {
        Assert.Contains("expected 'e' to end the list", Refused("li1e").Message, StringComparison.Ordinal);
        Assert.Contains("expected 'e' to end the dictionary", Refused("d1:ai1e").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void String_lengths_past_the_input_are_refused_before_allocating()
    {
        var huge = Refused("99999999999:abc");
        Assert.Contains("string length exceeds the input", huge.Message, StringComparison.Ordinal);
        Assert.Equal(DecodeStatus.Invalid, BencodeReader.TryDecode(B("99999999999:abc"), out _, out _, out _));

        var pow62 = Refused($"{1L << 62}:x");
        Assert.Contains("exceeds the input", pow62.Message, StringComparison.Ordinal);

        var longer = Refused("2000000000:x");
        Assert.Contains("runs past the end of the input", longer.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trailing_bytes_are_refused_unless_allowed()
    {
        var error = Refused("i1eX");
        Assert.Equal(3, error.Offset);
        Assert.Contains("trailing", error.Message, StringComparison.Ordinal);

        var status = BencodeReader.TryDecode(B("i1e\n"), out var value, out int consumed, out _,
            new BencodeOptions { AllowTrailingBytes = true });
        Assert.Equal(DecodeStatus.Done, status);
        Assert.Equal(3, consumed);
        Assert.Equal(1, ((BInteger)value!).Value);

        Assert.Equal(DecodeStatus.Done, BencodeReader.TryDecodePrefix(B("4:spamXYZ"), out _, out consumed, out _));
        Assert.Equal(6, consumed);
    }

    [Fact]
    public void Depth_is_limited_and_a_nesting_bomb_fails_fast()
    {
        string ok = new string('l', 256) + new string('e', 256);
        Assert.IsType<BList>(BencodeReader.Decode(B(ok)));
        Assert.Contains("nesting deeper than 256", Refused(new string('l', 257) + new string('e', 257)).Message,
            StringComparison.Ordinal);

        byte[] bomb = B(new string('l', 100_000));
        var sw = Stopwatch.StartNew();
        var status = BencodeReader.TryDecode(bomb, out _, out _, out var error);
        Assert.Equal(DecodeStatus.Invalid, status);
        Assert.Equal(256, error!.Offset);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(30)); // only guards against a hang; the real check is the offset

        Assert.Equal(DecodeStatus.Invalid,
            BencodeReader.TryDecode(B(new string('d', 100_000)), out _, out _, out _));
        Assert.Contains("nesting deeper than 3",
            Refused("llllee" + "ee", new BencodeOptions { MaxDepth = 3 }).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unsorted_and_duplicate_keys_are_accepted_and_flagged()
    {
        var sorted = BencodeReader.DecodeDictionary(B("d1:ai1e1:bi2ee"));
        Assert.False(sorted.KeysUnsorted);
        Assert.False(sorted.HasDuplicateKeys);

        var unsorted = BencodeReader.DecodeDictionary(B("d1:bi2e1:ai1ee"));
        Assert.True(unsorted.KeysUnsorted);
        Assert.False(unsorted.HasDuplicateKeys);
        Assert.Equal(["b", "a"], unsorted.Entries.Select(e => e.Key.ToString()));

        var dup = BencodeReader.DecodeDictionary(B("d1:ai1e1:bi2e1:ai3ee"));
        Assert.True(dup.HasDuplicateKeys);
        Assert.Equal(1, dup.Get<BInteger>("a")!.Value); // first one wins
        Assert.Equal(3, dup.Count);

        var adjacentDup = BencodeReader.DecodeDictionary(B("d1:ai1e1:ai2ee"));
        Assert.True(adjacentDup.HasDuplicateKeys);
        Assert.False(adjacentDup.KeysUnsorted);
    }

    [Fact]
    public void Raw_is_the_exact_input_slice_even_for_non_canonical_nested_dicts()
    {
        string inner = "d1:zi1e1:al3:xyzee";
        byte[] input = B("d4:infol" + inner + "e5:other0:e");
        var root = BencodeReader.DecodeDictionary(input);
        var dict = (BDictionary)((BList)root.Get("info")!)[0];
        Assert.Equal(inner, Encoding.Latin1.GetString(dict.Raw.Span));
        Assert.Equal(8, dict.Offset);
        Assert.Equal(input, root.Raw.ToArray());
        Assert.Equal("3:xyz", Encoding.Latin1.GetString(((BList)dict.Get("a")!)[0].Raw.Span));
        Assert.NotEqual(inner, Encoding.Latin1.GetString(BencodeWriter.Encode(dict))); // re-encoding sorts keys
    }

    [Fact]
    public void Strings_are_bytes_and_invalid_utf8_is_replaced_for_display()
    {
        var s = (BString)BencodeReader.Decode(new byte[] { (byte)'2', (byte)':', 0xff, (byte)'a' });
        Assert.Equal(new byte[] { 0xff, (byte)'a' }, s.Bytes.ToArray());
        Assert.Equal("\uFFFDa", s.ToUtf8String());
    }

    [Fact]
    public void Dictionary_lookup_works_for_small_and_large_dictionaries()
    {
        var sb = new StringBuilder("d");
        for (int i = 0; i < 40; i++)
        {
            sb.Append($"3:k{i:00}i{i}e");
        }
        var d = BencodeReader.DecodeDictionary(B(sb.Append('e').ToString()));
        Assert.Equal(39, d.Get<BInteger>("k39")!.Value);
        Assert.Null(d.Get("nope"));
        d["k05"] = "x";
        Assert.Equal("x", d.Get<BString>("k05")!.ToString());
    }

    [Fact]
    public void Writer_refuses_duplicate_keys()
    {
        var dup = BencodeReader.DecodeDictionary(B("d1:ai1e1:ai2ee"));
        Assert.Throws<InvalidOperationException>(() => BencodeWriter.Encode(dup));
    }
}

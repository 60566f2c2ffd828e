using CsCheck;
using Shoal.Bencoding;

namespace Shoal.Bencoding.Tests;

public class BencodePropertyTests
{
    private static readonly Gen<BValue> Leaf = Gen.OneOf<BValue>(
        Gen.Long.Select(v => (BValue)new BInteger(v)),
        Gen.Byte.Array[0, 24].Select(b => (BValue)new BString(b)));

    private static Gen<BValue> Value(int depth) => depth == 0
        ? Leaf
        : Gen.Frequency(
            (4, Leaf),
            (1, Value(depth - 1).Array[0, 5].Select(items => (BValue)new BList(items))),
            (1, Gen.Select(Gen.Byte.Array[0, 8], Value(depth - 1)).Array[0, 5].Select(entries =>
            {
                var d = new BDictionary();
                foreach (var (k, v) in entries)
                {
                    d.Set(new BString(k), v); // Set replaces, so keys stay unique
                }
                return (BValue)d;
            })));

    [Fact]
    public void Decode_of_encode_is_identity() =>
        Value(4).Sample(v =>
        {
            byte[] encoded = BencodeWriter.Encode(v);
            var decoded = BencodeReader.Decode(encoded);
            Assert.True(Same(v, decoded), "decode(encode(x)) differs from x");
            Assert.Equal(encoded, decoded.Raw.ToArray());
        }, iter: 2000);

    [Fact]
    public void Encode_of_decode_is_identity_for_canonical_input() =>
        Value(4).Select(BencodeWriter.Encode).Sample(bytes =>
        {
            var decoded = BencodeReader.Decode(bytes);
            Assert.Equal(bytes, BencodeWriter.Encode(decoded));
        }, iter: 2000);

    [Fact]
    public void Random_bytes_never_throw_from_try_decode() =>
        Gen.Byte.Array[0, 64].Sample(bytes =>
        {
            var status = BencodeReader.TryDecode(bytes, out var value, out _, out var error);
            Assert.Equal(status == DecodeStatus.Done, value is not null);
            Assert.Equal(status != DecodeStatus.Done, error is not null);
        }, iter: 5000);

    /// <summary>Every strict prefix of a valid encoding needs more input (or is itself a complete value).</summary>
    [Fact]
    public void Prefixes_of_valid_input_are_never_invalid() =>
        Value(3).Select(BencodeWriter.Encode).Sample(bytes =>
        {
            for (int n = 0; n < bytes.Length; n++)
            {
                var status = BencodeReader.TryDecodePrefix(bytes.AsMemory(0, n), out _, out _, out _);
                Assert.NotEqual(DecodeStatus.Invalid, status);
            }
        }, iter: 300);

    private static bool Same(BValue a, BValue b) => (a, b) switch
    {
        (BInteger x, BInteger y) => x.Value == y.Value,
        (BString x, BString y) => x.Equals(y),
        (BList x, BList y) => x.Count == y.Count && x.Items.Zip(y.Items).All(p => Same(p.First, p.Second)),
        (BDictionary x, BDictionary y) => x.Count == y.Count && x.Entries.All(e =>
            y.TryGetValue(e.Key.Span, out var other) && Same(e.Value, other)),
        _ => false,
    };
}

using Shoal.Bencoding;

namespace Shoal.Fuzz.Targets;

/// <summary>
/// Bencode decoder: strict and trailing-bytes modes agree, decoded values re-encode and decode to themselves, canonical
/// input re-encodes byte for byte, every proper prefix of a valid value asks for more rather than failing.
/// </summary>
internal static class BencodeTarget
{
    private static readonly BencodeOptions Trailing = new() { AllowTrailingBytes = true };

    public static void Run(ReadOnlySpan<byte> data)
    {
        var input = data.ToArray();
        var strict = Oracle.WithinBudget(input.Length, 256,
            () => (Status: BencodeReader.TryDecode(input, out var v, out int c, out var e), Value: v, Consumed: c, Error: e),
            "strict decode");
        var loose = BencodeReader.TryDecode(input, out var looseValue, out int looseConsumed, out var looseError, Trailing);

        CheckOutcome(strict.Status, strict.Value, strict.Error, input.Length);
        CheckOutcome(loose, looseValue, looseError, input.Length);
        Oracle.Check((strict.Status == DecodeStatus.Done) == (loose == DecodeStatus.Done && looseConsumed == input.Length),
            $"strict said {strict.Status}, trailing-bytes mode said {loose} after {looseConsumed} of {input.Length} bytes");
        if (loose == DecodeStatus.Done)
        {
            Oracle.Check(looseConsumed > 0 && looseConsumed <= input.Length, $"consumed {looseConsumed} of {input.Length}");
            Oracle.Check(looseValue!.Raw.Span.SequenceEqual(input.AsSpan(0, looseConsumed)), "Raw is not the consumed input");
            RoundTrip(looseValue, input.AsSpan(0, looseConsumed));
            PrefixesNeedMore(input.AsMemory(0, looseConsumed));
        }
    }

    private static void CheckOutcome(DecodeStatus status, BValue? value, BencodeError? error, int length)
    {
        Oracle.Check(Enum.IsDefined(status), $"undefined status {status}");
        Oracle.Check((status == DecodeStatus.Done) == (value is not null), $"{status} with value {(value is null ? "null" : "set")}");
        if (status != DecodeStatus.Done)
        {
            Oracle.Check(error is not null, $"{status} without an error");
            Oracle.Check(error!.Offset >= 0 && error.Offset <= length, $"error offset {error.Offset} outside 0..{length}");
            Oracle.Check(!string.IsNullOrWhiteSpace(error.Message), "empty error message");
        }
    }

    private static void RoundTrip(BValue value, ReadOnlySpan<byte> original)
    {
        if (HasDuplicates(value))
        {
            // The writer refuses these by design; that refusal must be the documented one.
            try
            {
                BencodeWriter.Encode(value);
                throw new OracleException("writer encoded a dictionary with duplicate keys");
            }
            catch (InvalidOperationException)
            {
            }
            return;
        }
        var encoded = BencodeWriter.Encode(value);
        var status = BencodeReader.TryDecode(encoded, out var again, out _, out var error);
        Oracle.Check(status == DecodeStatus.Done, $"re-encoded value does not decode: {error}");
        Oracle.Check(SameValue(value, again!), "decode(encode(v)) differs from v");
        if (!HasUnsortedKeys(value))
        {
            Oracle.Check(encoded.AsSpan().SequenceEqual(original), "canonical input did not re-encode byte for byte");
        }
    }

    private static void PrefixesNeedMore(ReadOnlyMemory<byte> value)
    {
        foreach (int cut in new[] { 0, 1, value.Length / 2, value.Length - 1 })
        {
            if (cut < value.Length)
            {
                var status = BencodeReader.TryDecode(value[..cut], out _, out _, out var error);
                Oracle.Check(status == DecodeStatus.NeedMore, $"prefix of {cut}/{value.Length} bytes of a valid value gave {status}: {error}");
            }
        }
    }

    private static bool HasDuplicates(BValue v) => v switch
    {
        BDictionary d => d.HasDuplicateKeys || d.Entries.Any(e => HasDuplicates(e.Value)),
        BList l => l.Items.Any(HasDuplicates),
        _ => false,
    };

    private static bool HasUnsortedKeys(BValue v) => v switch
    {
        BDictionary d => d.KeysUnsorted || d.Entries.Any(e => HasUnsortedKeys(e.Value)),
        BList l => l.Items.Any(HasUnsortedKeys),
        _ => false,
    };

    internal static bool SameValue(BValue a, BValue b) => (a, b) switch
    {
        (BString x, BString y) => x.Equals(y),
        (BInteger x, BInteger y) => x.Value == y.Value,
        (BList x, BList y) => x.Count == y.Count && x.Items.Zip(y.Items).All(p => SameValue(p.First, p.Second)),
        (BDictionary x, BDictionary y) => x.Count == y.Count
            && x.Entries.All(e => y.TryGetValue(e.Key.Span, out var other) && SameValue(e.Value, other)),
        _ => false,
    };
}

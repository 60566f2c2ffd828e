using System.Buffers;
using System.Runtime.CompilerServices;

namespace Shoal.Bencoding;

/// <summary>
/// Strict bencode decoder. Byte strings stay bytes and every value keeps a slice of the input as its
/// <see cref="BValue.Raw"/>. Refuses leading zeros, <c>-0</c>, overflowing integers, string lengths past the end of the
/// input (before allocating anything) and nesting deeper than <see cref="BencodeOptions.MaxDepth"/>.
/// Recursion is bounded by that depth.
/// </summary>
public static class BencodeReader
{
    /// <summary>Decodes exactly one value; throws <see cref="BencodeException"/> on invalid or truncated input.</summary>
    public static BValue Decode(ReadOnlyMemory<byte> input, BencodeOptions? options = null)
    {
        var status = TryDecode(input, out var value, out _, out var error, options);
        return status == DecodeStatus.Done ? value! : throw new BencodeException(error!);
    }

    /// <summary>Decodes exactly one value from a (possibly segmented) sequence.</summary>
    public static BValue Decode(ReadOnlySequence<byte> input, BencodeOptions? options = null) =>
        Decode(input.IsSingleSegment ? input.First : input.ToArray(), options);

    /// <summary>Decodes one value whose type must be a dictionary.</summary>
    public static BDictionary DecodeDictionary(ReadOnlyMemory<byte> input, BencodeOptions? options = null) =>
        Decode(input, options) as BDictionary
        ?? throw new BencodeException(new BencodeError(0, "expected a dictionary ('d') at the top level"));

    /// <summary>
    /// Decodes the first value in <paramref name="input"/>. <paramref name="consumed"/> is its encoded length. Trailing
    /// bytes are an error unless <see cref="BencodeOptions.AllowTrailingBytes"/> is set; a value followed by other data
    /// (as in BEP 9 metadata messages) is read with <see cref="TryDecodePrefix"/>.
    /// </summary>
    public static DecodeStatus TryDecode(ReadOnlyMemory<byte> input, out BValue? value, out int consumed,
        out BencodeError? error, BencodeOptions? options = null)
    {
        options ??= BencodeOptions.Strict;
        var status = TryDecodePrefix(input, out value, out consumed, out error, options);
        if (status == DecodeStatus.Done && consumed != input.Length && !options.AllowTrailingBytes)
        {
            value = null;
            error = new BencodeError(consumed, $"expected end of input after the value ({input.Length - consumed} trailing byte(s))");
            return DecodeStatus.Invalid;
        }
        return status;
    }

    /// <summary>Decodes the first value and reports how many bytes it used; bytes after it are left alone.</summary>
    public static DecodeStatus TryDecodePrefix(ReadOnlyMemory<byte> input, out BValue? value, out int consumed,
        out BencodeError? error, BencodeOptions? options = null)
    {
        var parser = new Parser(input, options ?? BencodeOptions.Strict);
        value = parser.ParseValue(0);
        if (parser.Error is not null)
        {
            value = null;
            consumed = 0;
            error = parser.Error;
            return parser.Truncated ? DecodeStatus.NeedMore : DecodeStatus.Invalid;
        }
        consumed = parser.Position;
        error = null;
        return DecodeStatus.Done;
    }

    private ref struct Parser(ReadOnlyMemory<byte> memory, BencodeOptions options)
    {
        private readonly ReadOnlyMemory<byte> _memory = memory;
        private readonly ReadOnlySpan<byte> _span = memory.Span;
        private readonly int _maxDepth = options.MaxDepth;
        public int Position;
        public BencodeError? Error;
        public bool Truncated;

        private BValue? Fail(string message, int offset, bool truncated = false)
        {
            Error ??= new BencodeError(offset, message);
            Truncated = truncated;
            return null;
        }

        // Decoding is often one-shot (the CLI); skip tier-0 code for the hot loop.
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public BValue? ParseValue(int depth)
        {
            if (Position >= _span.Length)
            {
                return Fail("expected a value but the input ended", Position, truncated: true);
            }
            int start = Position;
            byte b = _span[Position];
            BValue? result = b switch
            {
                (byte)'i' => ParseInteger(),
                (byte)'l' => ParseList(depth),
                (byte)'d' => ParseDictionary(depth),
                >= (byte)'0' and <= (byte)'9' => ParseString(),
                _ => Fail($"expected 'i', 'l', 'd' or a string length but found {Describe(b)}", Position),
            };
            if (result is not null)
            {
                result.Offset = start;
                result.Raw = _memory[start..Position];
            }
            return result;
        }

        private static string Describe(byte b) =>
            b is >= 0x21 and < 0x7f ? $"'{(char)b}'" : $"byte 0x{b:x2}";

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private BValue? ParseInteger()
        {
            Position++; // 'i'
            int start = Position;
            bool negative = false;
            if (Position < _span.Length && _span[Position] == (byte)'-')
            {
                negative = true;
                Position++;
            }
            int digitsStart = Position;
            ulong magnitude = 0;
            while (Position < _span.Length && _span[Position] is >= (byte)'0' and <= (byte)'9')
            {
                ulong digit = (ulong)(_span[Position] - '0');
                if (magnitude > (ulong.MaxValue - digit) / 10)
                {
                    return Fail("integer overflows 64 bits", start);
                }
                magnitude = magnitude * 10 + digit;
                Position++;
            }
            if (Position >= _span.Length)
            {
                return Fail("expected 'e' to end the integer but the input ended", Position, truncated: true);
            }
            int digits = Position - digitsStart;
            if (digits == 0)
            {
                return Fail($"expected a digit in the integer but found {Describe(_span[Position])}", Position);
            }
            if (_span[Position] != (byte)'e')
            {
                return Fail($"expected 'e' to end the integer but found {Describe(_span[Position])}", Position);
            }
            if (digits > 1 && _span[digitsStart] == (byte)'0')
            {
                return Fail("integer has a leading zero", digitsStart);
            }
            if (negative && magnitude == 0)
            {
                return Fail("integer is negative zero", start);
            }
            Position++; // 'e'
            if (negative)
            {
                if (magnitude > (ulong)long.MaxValue + 1)
                {
                    return Fail("integer overflows 64 bits", start);
                }
                return new BInteger(magnitude == (ulong)long.MaxValue + 1 ? long.MinValue : -(long)magnitude);
            }
            if (magnitude > long.MaxValue)
            {
                return Fail("integer overflows 64 bits", start);
            }
            return new BInteger((long)magnitude);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private BString? ParseString()
        {
            int start = Position;
            long length = 0;
            while (Position < _span.Length && _span[Position] is >= (byte)'0' and <= (byte)'9')
            {
                length = length * 10 + (_span[Position] - '0');
                if (length > int.MaxValue)
                {
                    Fail("string length exceeds the input", start);
                    return null;
                }
                Position++;
            }
            if (Position - start > 1 && _span[start] == (byte)'0')
            {
                Fail("string length has a leading zero", start);
                return null;
            }
            if (Position >= _span.Length)
            {
                Fail("expected ':' after string length but the input ended", Position, truncated: true);
                return null;
            }
            if (_span[Position] != (byte)':')
            {
                Fail($"expected ':' after string length but found {Describe(_span[Position])}", Position);
                return null;
            }
            Position++;
            if (length > _span.Length - Position)
            {
                Fail($"string of {length} bytes runs past the end of the input ({_span.Length - Position} left)", start, truncated: true);
                return null;
            }
            var s = new BString(_memory.Slice(Position, (int)length));
            Position += (int)length;
            return s;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private BValue? ParseList(int depth)
        {
            if (depth >= _maxDepth)
            {
                return Fail($"nesting deeper than {_maxDepth} levels", Position);
            }
            Position++; // 'l'
            var list = new BList();
            while (true)
            {
                if (Position >= _span.Length)
                {
                    return Fail("expected 'e' to end the list but the input ended", Position, truncated: true);
                }
                if (_span[Position] == (byte)'e')
                {
                    Position++;
                    return list;
                }
                var item = ParseValue(depth + 1);
                if (item is null)
                {
                    return null;
                }
                list.Add(item);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private BValue? ParseDictionary(int depth)
        {
            if (depth >= _maxDepth)
            {
                return Fail($"nesting deeper than {_maxDepth} levels", Position);
            }
            Position++; // 'd'
            var dict = new BDictionary();
            BString? previous = null;
            HashSet<BString>? seen = null;
            while (true)
            {
                if (Position >= _span.Length)
                {
                    return Fail("expected 'e' to end the dictionary but the input ended", Position, truncated: true);
                }
                byte b = _span[Position];
                if (b == (byte)'e')
                {
                    Position++;
                    return dict;
                }
                if (b is < (byte)'0' or > (byte)'9')
                {
                    return Fail($"expected a string key in the dictionary but found {Describe(b)}", Position);
                }
                int keyStart = Position;
                var key = ParseString();
                if (key is null)
                {
                    return null;
                }
                key.Offset = keyStart;
                key.Raw = _memory[keyStart..Position];
                if (previous is not null)
                {
                    int order = key.Span.SequenceCompareTo(previous.Span);
                    if (order < 0)
                    {
                        dict.KeysUnsorted = true;
                    }
                    if (order <= 0 || seen is not null)
                    {
                        // Only out-of-order input can hide a duplicate, so the set is built lazily.
                        seen ??= [.. dict.Entries.Select(e => e.Key)];
                        if (!seen.Add(key))
                        {
                            dict.HasDuplicateKeys = true;
                        }
                    }
                }
                var value = ParseValue(depth + 1);
                if (value is null)
                {
                    if (Error is null)
                    {
                        Fail("expected a value after the dictionary key", Position);
                    }
                    return null;
                }
                dict.Append(key, value);
                previous = key;
            }
        }
    }
}

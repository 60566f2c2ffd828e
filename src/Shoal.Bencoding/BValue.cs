using System.Text;

namespace Shoal.Bencoding;

/// <summary>
/// A decoded bencode value. Values produced by <see cref="BencodeReader"/> remember the exact bytes they were
/// decoded from in <see cref="Raw"/>, so that a dictionary such as a torrent's <c>info</c> can be hashed exactly as
/// it stands in the file, without re-encoding.
/// </summary>
public abstract class BValue
{
    /// <summary>The raw encoded bytes of this value as they appeared in the input; empty for values built in code.</summary>
    public ReadOnlyMemory<byte> Raw { get; internal set; }

    /// <summary>Offset of <see cref="Raw"/> inside the decoded input (0 for values built in code).</summary>
    public int Offset { get; internal set; }

    /// <summary>Lets code build values tersely: <c>dict["name"] = "x"</c>.</summary>
    public static implicit operator BValue(string utf8) => new BString(utf8);

    /// <summary>Lets code build values tersely: <c>dict["length"] = 5</c>.</summary>
    public static implicit operator BValue(long value) => new BInteger(value);
}

/// <summary>A bencode byte string. Bytes, never text: use <see cref="ToUtf8String"/> only for display.</summary>
public sealed class BString : BValue, IEquatable<BString>
{
    public BString(ReadOnlyMemory<byte> bytes) => Bytes = bytes;

    public BString(string utf8) => Bytes = Encoding.UTF8.GetBytes(utf8);

    public ReadOnlyMemory<byte> Bytes { get; }

    public ReadOnlySpan<byte> Span => Bytes.Span;

    public int Length => Bytes.Length;

    /// <summary>Decodes as UTF-8, replacing invalid sequences with U+FFFD. For display and paths only.</summary>
    public string ToUtf8String() => Encoding.UTF8.GetString(Bytes.Span);

    public bool Equals(BString? other) => other is not null && Bytes.Span.SequenceEqual(other.Bytes.Span);

    public override bool Equals(object? obj) => Equals(obj as BString);

    public override int GetHashCode()
    {
        var h = new HashCode();
        h.AddBytes(Bytes.Span);
        return h.ToHashCode();
    }

    public override string ToString() => ToUtf8String();

    public static implicit operator BString(string s) => new(s);
}

/// <summary>A bencode integer, limited to the range of <see cref="long"/>.</summary>
public sealed class BInteger(long value) : BValue, IEquatable<BInteger>
{
    public long Value { get; } = value;

    public bool Equals(BInteger? other) => other is not null && other.Value == Value;

    public override bool Equals(object? obj) => Equals(obj as BInteger);

    public override int GetHashCode() => Value.GetHashCode();

    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static implicit operator BInteger(long v) => new(v);
}

/// <summary>A bencode list.</summary>
public sealed class BList : BValue
{
    private readonly List<BValue> _items;

    public BList() => _items = [];

    public BList(IEnumerable<BValue> items) => _items = [.. items];

    public IReadOnlyList<BValue> Items => _items;

    public int Count => _items.Count;

    public BValue this[int index] => _items[index];

    public void Add(BValue value) => _items.Add(value);
}

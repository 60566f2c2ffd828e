using System.Buffers.Binary;
using System.Numerics;
using System.Security.Cryptography;

namespace Shoal.Protocol.Dht;

/// <summary>
/// A 160-bit DHT node id (BEP 5). Held as three big-endian words so that XOR distance, comparison and prefix length
/// cost no allocation. The ordering of <see cref="CompareTo"/> is the unsigned big-endian order of the 20 bytes, so
/// comparing two XOR distances compares closeness.
/// </summary>
public readonly struct NodeId : IEquatable<NodeId>, IComparable<NodeId>
{
    public const int Length = 20;
    public const int Bits = 160;

    private readonly ulong _hi;
    private readonly ulong _mid;
    private readonly uint _lo;

    private NodeId(ulong hi, ulong mid, uint lo)
    {
        _hi = hi;
        _mid = mid;
        _lo = lo;
    }

    /// <summary>Reads exactly 20 bytes.</summary>
    public NodeId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"a node id is {Length} bytes, not {bytes.Length}", nameof(bytes));
        }
        _hi = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        _mid = BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]);
        _lo = BinaryPrimitives.ReadUInt32BigEndian(bytes[16..]);
    }

    public static NodeId Zero => default;

    public static NodeId MaxValue => new(ulong.MaxValue, ulong.MaxValue, uint.MaxValue);

    /// <summary>Reads a node id when <paramref name="bytes"/> has exactly 20 bytes.</summary>
    public static bool TryRead(ReadOnlySpan<byte> bytes, out NodeId id)
    {
        if (bytes.Length != Length)
        {
            id = default;
            return false;
        }
        id = new NodeId(bytes);
        return true;
    }

    /// <summary>The DHT key space is shared with info hashes: a lookup for a torrent targets its info hash.</summary>
    public static NodeId FromInfoHash(InfoHash infoHash) => new(infoHash.Span);

    public static NodeId FromHex(string hex) => new(Convert.FromHexString(hex));

    /// <summary>A uniformly random id from the system's cryptographic generator.</summary>
    public static NodeId CreateRandom()
    {
        Span<byte> b = stackalloc byte[Length];
        RandomNumberGenerator.Fill(b);
        return new NodeId(b);
    }

    /// <summary>
    /// A random id whose first <paramref name="prefixBits"/> bits equal those of <paramref name="prefix"/>: a target
    /// that falls inside one routing-table bucket, used to refresh it.
    /// </summary>
    public static NodeId RandomWithPrefix(NodeId prefix, int prefixBits, Random? random = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixBits);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixBits, Bits);
        Span<byte> r = stackalloc byte[Length];
        if (random is null)
        {
            RandomNumberGenerator.Fill(r);
        }
        else
        {
            random.NextBytes(r);
        }
        Span<byte> p = stackalloc byte[Length];
        prefix.CopyTo(p);
        for (int i = 0; i < Length; i++)
        {
            int bitsInByte = Math.Clamp(prefixBits - (i * 8), 0, 8);
            byte mask = (byte)(0xFF << (8 - bitsInByte));
            r[i] = (byte)((p[i] & mask) | (r[i] & ~mask));
        }
        return new NodeId(r);
    }

    public static NodeId operator ^(NodeId a, NodeId b) => new(a._hi ^ b._hi, a._mid ^ b._mid, a._lo ^ b._lo);

    /// <summary>XOR distance to <paramref name="other"/>, itself a 160-bit number.</summary>
    public NodeId DistanceTo(NodeId other) => this ^ other;

    /// <summary>Number of leading bits shared with <paramref name="other"/> (160 when equal).</summary>
    public int CommonPrefixLength(NodeId other)
    {
        var d = this ^ other;
        if (d._hi != 0)
        {
            return BitOperations.LeadingZeroCount(d._hi);
        }
        if (d._mid != 0)
        {
            return 64 + BitOperations.LeadingZeroCount(d._mid);
        }
        return d._lo != 0 ? 128 + BitOperations.LeadingZeroCount(d._lo) : Bits;
    }

    /// <summary>Negative when <paramref name="a"/> is closer to <paramref name="target"/> than <paramref name="b"/>.</summary>
    public static int CompareDistance(NodeId target, NodeId a, NodeId b) => (a ^ target).CompareTo(b ^ target);

    /// <summary>Bit <paramref name="index"/> counted from the most significant bit (0) of byte 0.</summary>
    public bool GetBit(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Bits);
        return index switch
        {
            < 64 => ((_hi >> (63 - index)) & 1) != 0,
            < 128 => ((_mid >> (127 - index)) & 1) != 0,
            _ => ((_lo >> (159 - index)) & 1) != 0,
        };
    }

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, _hi);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], _mid);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], _lo);
    }

    public byte[] ToArray()
    {
        var b = new byte[Length];
        CopyTo(b);
        return b;
    }

    public string ToHex() => Convert.ToHexStringLower(ToArray());

    public int CompareTo(NodeId other)
    {
        int c = _hi.CompareTo(other._hi);
        if (c != 0)
        {
            return c;
        }
        c = _mid.CompareTo(other._mid);
        return c != 0 ? c : _lo.CompareTo(other._lo);
    }

    public bool Equals(NodeId other) => _hi == other._hi && _mid == other._mid && _lo == other._lo;

    public override bool Equals(object? obj) => obj is NodeId other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(_hi, _mid, _lo);

    public override string ToString() => ToHex();

    public static bool operator ==(NodeId left, NodeId right) => left.Equals(right);

    public static bool operator !=(NodeId left, NodeId right) => !left.Equals(right);

    public static bool operator <(NodeId left, NodeId right) => left.CompareTo(right) < 0;

    public static bool operator >(NodeId left, NodeId right) => left.CompareTo(right) > 0;

    public static bool operator <=(NodeId left, NodeId right) => left.CompareTo(right) <= 0;

    public static bool operator >=(NodeId left, NodeId right) => left.CompareTo(right) >= 0;
}

using System.Security.Cryptography;

namespace Shoal.Protocol;

/// <summary>A v1 info hash: SHA-1 of the raw bencoded <c>info</c> dictionary, 20 bytes.</summary>
public readonly struct InfoHash : IEquatable<InfoHash>
{
    public const int Length = 20;
    private readonly byte[] _bytes;

    public InfoHash(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"an info hash is {Length} bytes, not {bytes.Length}", nameof(bytes));
        }
        _bytes = bytes.ToArray();
    }

    public ReadOnlySpan<byte> Span => _bytes;

    public ReadOnlyMemory<byte> Memory => _bytes;

    /// <summary>Hashes the exact bytes of an info dictionary as they stand in the file.</summary>
    public static InfoHash Compute(ReadOnlySpan<byte> rawInfo)
    {
        Span<byte> hash = stackalloc byte[Length];
        SHA1.HashData(rawInfo, hash);
        return new InfoHash(hash);
    }

    public static InfoHash FromHex(string hex) => new(Convert.FromHexString(hex));

    /// <summary>Lower-case hex, as most clients print it.</summary>
    public string ToHex() => Convert.ToHexStringLower(_bytes);

    public bool Equals(InfoHash other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is InfoHash other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 0);

    public override string ToString() => ToHex();

    public static bool operator ==(InfoHash left, InfoHash right) => left.Equals(right);

    public static bool operator !=(InfoHash left, InfoHash right) => !left.Equals(right);
}

using System.Security.Cryptography;
using System.Text;

namespace Shoal.Protocol;

/// <summary>A 20-byte peer id. Ours is <c>-SH0001-</c> followed by 12 random bytes, new per session.</summary>
public readonly struct PeerId : IEquatable<PeerId>
{
    public const int Length = 20;
    public const string ClientPrefix = "-SH0001-";
    private readonly byte[] _bytes;

    public PeerId(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != Length)
        {
            throw new ArgumentException($"a peer id is {Length} bytes, not {bytes.Length}", nameof(bytes));
        }
        _bytes = bytes.ToArray();
    }

    public ReadOnlySpan<byte> Span => _bytes;

    public static PeerId CreateRandom()
    {
        Span<byte> id = stackalloc byte[Length];
        Encoding.ASCII.GetBytes(ClientPrefix, id);
        // Printable random tail: some trackers and clients log peer ids as text.
        const string alphabet = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
        for (int i = ClientPrefix.Length; i < Length; i++)
        {
            id[i] = (byte)alphabet[RandomNumberGenerator.GetInt32(alphabet.Length)];
        }
        return new PeerId(id);
    }

    public bool Equals(PeerId other) => Span.SequenceEqual(other.Span);

    public override bool Equals(object? obj) => obj is PeerId other && Equals(other);

    public override int GetHashCode() => BitConverter.ToInt32(_bytes, 12);

    /// <summary>Printable form: ASCII where printable, else %XX.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(Length);
        foreach (byte b in _bytes)
        {
            sb.Append(b is >= 0x20 and < 0x7f ? (char)b : $"%{b:X2}");
        }
        return sb.ToString();
    }

    public static bool operator ==(PeerId left, PeerId right) => left.Equals(right);

    public static bool operator !=(PeerId left, PeerId right) => !left.Equals(right);
}

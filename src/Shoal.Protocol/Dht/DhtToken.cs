using System.Net;
using System.Security.Cryptography;

namespace Shoal.Protocol.Dht;

/// <summary>
/// The announce token of BEP 5: SHA-1 over a node-local secret followed by the requester's IP address, truncated.
/// It proves that an announcer received a <c>get_peers</c> reply at the address it announces from. The owner
/// rotates secrets (the engine keeps the current and the previous one).
/// </summary>
public static class DhtToken
{
    /// <summary>Bytes of the digest sent on the wire; 8 is plenty against guessing within a 10-minute window.</summary>
    public const int Length = 8;

    public const int SecretLength = 16;

    public static byte[] Compute(ReadOnlySpan<byte> secret, IPAddress address)
    {
        var ip = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        Span<byte> input = stackalloc byte[secret.Length + 16];
        secret.CopyTo(input);
        ip.TryWriteBytes(input[secret.Length..], out int written);
        Span<byte> digest = stackalloc byte[SHA1.HashSizeInBytes];
        SHA1.HashData(input[..(secret.Length + written)], digest);
        return digest[..Length].ToArray();
    }

    /// <summary>Constant-time check of <paramref name="token"/> against the token for this secret and address.</summary>
    public static bool Matches(ReadOnlySpan<byte> token, ReadOnlySpan<byte> secret, IPAddress address) =>
        token.Length == Length && CryptographicOperations.FixedTimeEquals(token, Compute(secret, address));
}

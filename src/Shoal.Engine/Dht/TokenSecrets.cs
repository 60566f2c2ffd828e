using System.Net;
using System.Security.Cryptography;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

/// <summary>
/// The secrets behind announce tokens: a new one every <c>rotation</c> (5 minutes), the previous one still honoured,
/// so a token stays valid for 5 to 10 minutes. Rotation is checked lazily on every use, so correctness does not
/// depend on a timer. Not thread-safe; the node's lock guards it.
/// </summary>
internal sealed class TokenSecrets(TimeSpan rotation, DateTimeOffset now)
{
    private byte[] _current = NewSecret();
    private byte[] _previous = NewSecret();
    private DateTimeOffset _rotatedAt = now;

    public byte[] Issue(IPAddress address, DateTimeOffset now)
    {
        Rotate(now);
        return DhtToken.Compute(_current, address);
    }

    public bool Validate(ReadOnlySpan<byte> token, IPAddress address, DateTimeOffset now)
    {
        Rotate(now);
        return DhtToken.Matches(token, _current, address) || DhtToken.Matches(token, _previous, address);
    }

    private void Rotate(DateTimeOffset now)
    {
        if (now - _rotatedAt < rotation)
        {
            return;
        }
        // After two or more periods of silence both old secrets are stale.
        _previous = now - _rotatedAt >= 2 * rotation ? NewSecret() : _current;
        _current = NewSecret();
        _rotatedAt = now;
    }

    private static byte[] NewSecret() => RandomNumberGenerator.GetBytes(DhtToken.SecretLength);
}

using System.Net.Sockets;
using System.Text;
using Shoal.Protocol;

namespace Shoal.Engine.Peers;

/// <summary>
/// The BEP 3 handshake over a stream: <c>\x13BitTorrent protocol</c>, 8 reserved bytes, info hash, peer id (68 bytes).
/// Split in two halves so an accepting engine can route by info hash before it answers.
/// </summary>
internal static class PeerHandshake
{
    public const int Length = 68;
    public const int PrefixLength = 48; // pstrlen + pstr + reserved + info hash
    private static readonly byte[] Protocol = Encoding.ASCII.GetBytes("BitTorrent protocol");

    /// <summary>Our reserved bits: none yet (no extension protocol, no fast extension, no DHT).</summary>
    public static ReadOnlySpan<byte> OurReserved => [0, 0, 0, 0, 0, 0, 0, 0];

    public static byte[] Build(InfoHash infoHash, PeerId ourId)
    {
        var hs = new byte[Length];
        hs[0] = 19;
        Protocol.CopyTo(hs, 1);
        OurReserved.CopyTo(hs.AsSpan(20));
        infoHash.Span.CopyTo(hs.AsSpan(28));
        ourId.Span.CopyTo(hs.AsSpan(48));
        return hs;
    }

    /// <summary>Reads the first 48 bytes; returns the info hash and reserved bytes, or an error text.</summary>
    public static async ValueTask<(InfoHash? InfoHash, byte[] Reserved, string? Error)> ReadPrefixAsync(Stream stream, CancellationToken ct)
    {
        var buf = new byte[PrefixLength];
        int n = await stream.ReadAtLeastAsync(buf, buf.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        if (n < buf.Length)
        {
            return (null, [], $"connection closed during handshake after {n} bytes");
        }
        if (buf[0] != 19 || !buf.AsSpan(1, 19).SequenceEqual(Protocol))
        {
            return (null, [], "not a BitTorrent handshake");
        }
        return (new InfoHash(buf.AsSpan(28, 20)), buf.AsSpan(20, 8).ToArray(), null);
    }

    public static async ValueTask<PeerId?> ReadPeerIdAsync(Stream stream, CancellationToken ct)
    {
        var buf = new byte[PeerId.Length];
        int n = await stream.ReadAtLeastAsync(buf, buf.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        return n < buf.Length ? null : new PeerId(buf);
    }
}

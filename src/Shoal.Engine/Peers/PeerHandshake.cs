using System.Buffers;
using Shoal.Protocol;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Peers;

/// <summary>
/// The BEP 3 handshake over a stream, in two halves (48-byte header, then the 20-byte peer id) so an accepting
/// engine can route by info hash before it answers. Bytes are decoded by <see cref="Handshake"/>.
/// </summary>
internal static class PeerHandshake
{
    /// <summary>Our reserved bits: extension protocol (BEP 10) and fast extension (BEP 6).</summary>
    public static ReservedBits OurReserved => ReservedBits.Shoal;

    /// <summary>Our reserved bits with the DHT bit (BEP 5) set when we run a DHT node.</summary>
    public static ReservedBits Reserved(bool dht) => OurReserved.WithDht(dht);

    public static byte[] Build(InfoHash infoHash, PeerId ourId, ReservedBits reserved)
    {
        var hs = new byte[Handshake.Length];
        new Handshake(reserved, infoHash, ourId).Write(hs);
        return hs;
    }

    /// <summary>Reads the first 48 bytes; returns the info hash and reserved bits, or an error text.</summary>
    public static async ValueTask<(InfoHash? InfoHash, ReservedBits Reserved, string? Error)> ReadPrefixAsync(Stream stream, CancellationToken ct)
    {
        var buf = new byte[Handshake.PrefixLength];
        int n = await stream.ReadAtLeastAsync(buf, buf.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        var status = Handshake.TryReadHeader(new ReadOnlySequence<byte>(buf, 0, n), out var reserved, out var infoHash, out var error);
        return status switch
        {
            FrameStatus.Done => (infoHash, reserved, null),
            FrameStatus.Invalid => (null, default, error.Reason),
            _ => (null, default, $"connection closed during the handshake after {n} bytes"),
        };
    }

    public static async ValueTask<PeerId?> ReadPeerIdAsync(Stream stream, CancellationToken ct)
    {
        var buf = new byte[PeerId.Length];
        int n = await stream.ReadAtLeastAsync(buf, buf.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        return n < buf.Length ? null : new PeerId(buf);
    }
}

using System.Net;
using Shoal.Protocol.PeerWire;

namespace Shoal.Protocol.Extensions;

/// <summary>
/// The extensions Shoal offers and the ids under which it wants to receive them (the <c>m</c> dictionary of our
/// BEP 10 handshake). Peers send us <c>ut_metadata</c> as extended id <see cref="UtMetadataId"/>; we send to them
/// under whatever ids their own handshake names.
/// </summary>
public static class LocalExtensions
{
    /// <summary>Extended id we receive ut_pex under.</summary>
    public const byte UtPexId = 1;

    /// <summary>Extended id we receive ut_metadata under.</summary>
    public const byte UtMetadataId = 2;

    /// <summary>The <c>v</c> we send.</summary>
    public const string ClientName = "Shoal 0.1";

    /// <summary>The <c>reqq</c> we announce: how many block requests we queue per peer.</summary>
    public const int DefaultRequestQueue = 250;

    /// <summary>
    /// Builds our handshake. A private torrent offers neither ut_pex nor ut_metadata (BEP 27: peers come only from
    /// its tracker, and its metadata is not handed to strangers); <c>metadata_size</c> goes out only when we can
    /// serve the metadata.
    /// </summary>
    public static ExtensionHandshake CreateHandshake(bool isPrivate, long? metadataSize, int? listenPort,
        IPAddress? peerAddress = null, int requestQueue = DefaultRequestQueue)
    {
        var messages = new Dictionary<string, byte>(StringComparer.Ordinal);
        if (!isPrivate)
        {
            messages[UtMetadata.ExtensionName] = UtMetadataId;
            messages[UtPex.ExtensionName] = UtPexId;
        }
        return new ExtensionHandshake
        {
            Messages = messages,
            Client = ClientName,
            ListenPort = listenPort is >= 1 and <= ushort.MaxValue ? listenPort : null,
            RequestQueueSize = requestQueue,
            YourIp = peerAddress,
            MetadataSize = isPrivate ? null : metadataSize,
        };
    }
}

/// <summary>BEP 6 choices the connection makes that do not need its state.</summary>
public static class FastExtension
{
    /// <summary>Both ends set the fast bit: only then may the BEP 6 messages be used.</summary>
    public static bool IsActive(ReservedBits ours, ReservedBits theirs) => ours.SupportsFast && theirs.SupportsFast;

    /// <summary>
    /// The message announcing what we have after the handshake. With the fast extension: have-all for a seed,
    /// have-none for nothing; otherwise a bitfield. Without it: a bitfield, or nothing at all when we have no pieces
    /// (BEP 3 lets an empty bitfield be omitted).
    /// </summary>
    public static PeerMessage? InitialHaveMessage(BitField have, bool fastActive)
    {
        ArgumentNullException.ThrowIfNull(have);
        if (fastActive && have.Length > 0 && have.AllSet)
        {
            return PeerMessage.HaveAll;
        }
        if (have.NoneSet)
        {
            return fastActive ? PeerMessage.HaveNone : null;
        }
        return PeerMessage.Bitfield(have.Bytes.ToArray());
    }
}

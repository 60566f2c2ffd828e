using System.Buffers;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Peers;

public sealed partial class PeerConnection
{
    /// <summary>Both ends set the BEP 6 bit: have-all/none, reject and allowed-fast may be used.</summary>
    public bool FastEnabled => PeerHandshake.OurReserved.SupportsFast && RemoteReserved.SupportsFast;

    /// <summary>Both ends set the BEP 10 bit: extended messages may be used.</summary>
    public bool ExtensionsEnabled => PeerHandshake.OurReserved.SupportsExtensionProtocol && RemoteReserved.SupportsExtensionProtocol;

    /// <summary>
    /// Fast-extension and extended messages for the torrent loop. Fast messages from a peer that did not negotiate
    /// BEP 6 are a protocol violation there, so they are dropped here rather than acted on; extended payloads are
    /// copied out of the pipe (they are small: the receive limit is 256 KiB) with the extended id in
    /// <see cref="ReceivedMessage.Piece"/>.
    /// </summary>
    private ReceivedMessage? ConvertExtension(in PeerMessage m)
    {
        switch (m.Id)
        {
            case MessageId.HaveAll or MessageId.HaveNone when FastEnabled:
                return new ReceivedMessage(m.Id);
            case MessageId.Suggest or MessageId.AllowedFast when FastEnabled:
                return new ReceivedMessage(m.Id, m.Index);
            case MessageId.Reject when FastEnabled:
                return new ReceivedMessage(m.Id, m.Index, m.Begin, m.Length);
            case MessageId.Port:
                return new ReceivedMessage(m.Id, m.DhtPort); // BEP 5: the peer's DHT node; accepted whatever bits it set
            case MessageId.Extended when ExtensionsEnabled:
                return new ReceivedMessage(m.Id, m.ExtendedId, Length: (int)m.Payload.Length, Payload: m.Payload.ToArray());
            default:
                return null;
        }
    }
}

/// <summary>Trace text for extended messages we send.</summary>
internal static class PeerExtensions
{
    public static string DescribeExtended(byte extendedId, ReadOnlyMemory<byte> payload)
    {
        if (extendedId == ExtensionHandshake.MessageId &&
            ExtensionHandshake.TryParse(new ReadOnlySequence<byte>(payload), out var hs, out _))
        {
            return hs!.Describe();
        }
        return PeerMessage.Extended(extendedId, payload).Describe();
    }
}

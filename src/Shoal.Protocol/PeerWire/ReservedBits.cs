using System.Buffers.Binary;
using System.Text;

namespace Shoal.Protocol.PeerWire;

/// <summary>
/// The 8 reserved handshake bytes, held as a big-endian 64-bit value so byte 0 of the wire is the high byte.
/// </summary>
public readonly record struct ReservedBits(ulong Value)
{
    public const int Length = 8;

    private const ulong ExtensionProtocolBit = 0x10UL << 16; // byte 5 & 0x10 (BEP 10)
    private const ulong FastBit = 0x04UL;                    // byte 7 & 0x04 (BEP 6)
    private const ulong DhtBit = 0x01UL;                     // byte 7 & 0x01 (BEP 5)

    /// <summary>What Shoal advertises: extension protocol and fast extension.</summary>
    public static ReservedBits Shoal => new(ExtensionProtocolBit | FastBit);

    public bool SupportsExtensionProtocol => (Value & ExtensionProtocolBit) != 0;

    public bool SupportsFast => (Value & FastBit) != 0;

    public bool SupportsDht => (Value & DhtBit) != 0;

    public ReservedBits WithExtensionProtocol(bool on = true) => Set(ExtensionProtocolBit, on);

    public ReservedBits WithFast(bool on = true) => Set(FastBit, on);

    public ReservedBits WithDht(bool on = true) => Set(DhtBit, on);

    public static ReservedBits Read(ReadOnlySpan<byte> eightBytes) => new(BinaryPrimitives.ReadUInt64BigEndian(eightBytes));

    public void Write(Span<byte> eightBytes) => BinaryPrimitives.WriteUInt64BigEndian(eightBytes, Value);

    /// <summary>Names the known bits, then any other set bits as hex, e.g. <c>ext,fast,dht+0000000000100000</c>.</summary>
    public string Describe()
    {
        var sb = new StringBuilder();
        if (SupportsExtensionProtocol)
        {
            sb.Append("ext");
        }
        if (SupportsFast)
        {
            sb.Append(sb.Length > 0 ? ",fast" : "fast");
        }
        if (SupportsDht)
        {
            sb.Append(sb.Length > 0 ? ",dht" : "dht");
        }
        ulong other = Value & ~(ExtensionProtocolBit | FastBit | DhtBit);
        if (other != 0)
        {
            sb.Append(sb.Length > 0 ? "+" : "other=").Append(other.ToString("x16", System.Globalization.CultureInfo.InvariantCulture));
        }
        return sb.Length == 0 ? "none" : sb.ToString();
    }

    private ReservedBits Set(ulong bit, bool on) => new(on ? Value | bit : Value & ~bit);
}

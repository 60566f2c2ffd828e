namespace Shoal.Protocol.PeerWire;

/// <summary>
/// Upper bounds on frame lengths. A length prefix is checked against these before any of its body is awaited,
/// so a peer cannot make us buffer more than the bound (a 4 GiB prefix fails on its first 5 bytes).
/// </summary>
public sealed record PeerWireLimits
{
    /// <summary>The defaults: 16 KiB blocks, 1 MiB bitfields (8M pieces), extended and unknown messages.</summary>
    public static PeerWireLimits Default { get; } = new();

    /// <summary>Largest block a piece message may carry. We only request 16 KiB blocks.</summary>
    public int MaxBlockLength { get; init; } = TorrentLengths.BlockSize;

    /// <summary>Largest bitfield payload in bytes.</summary>
    public int MaxBitfieldLength { get; init; } = 1024 * 1024;

    /// <summary>Largest extended payload (after the id byte and the extended id byte), e.g. a ut_metadata piece.</summary>
    public int MaxExtendedLength { get; init; } = 1024 * 1024;

    /// <summary>Largest body of a message with an id we do not know; such messages are skipped.</summary>
    public int MaxUnknownLength { get; init; } = 1024 * 1024;

    /// <summary>The largest length prefix any id may have, checked before the id byte is seen.</summary>
    public long MaxFrameLength =>
        Math.Max(Math.Max(9L + MaxBlockLength, 1L + MaxBitfieldLength), Math.Max(2L + MaxExtendedLength, 1L + MaxUnknownLength));
}

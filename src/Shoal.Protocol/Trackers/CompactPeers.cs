using System.Buffers.Binary;
using System.Net;

namespace Shoal.Protocol.Trackers;

/// <summary>Compact peer lists: 6 bytes per IPv4 peer (BEP 23), 18 bytes per IPv6 peer (BEP 7), port big-endian.</summary>
public static class CompactPeers
{
    /// <summary>Bytes of one IPv4 entry.</summary>
    public const int IPv4EntryLength = 6;

    /// <summary>Bytes of one IPv6 entry.</summary>
    public const int IPv6EntryLength = 18;

    /// <summary>
    /// Appends the peers in <paramref name="data"/> to <paramref name="into"/> until it holds <paramref name="max"/>.
    /// Returns the number of entries skipped (over the cap, port 0, or a trailing partial entry).
    /// </summary>
    public static int Parse(ReadOnlySpan<byte> data, int entryLength, List<IPEndPoint> into, int max)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (entryLength is not (IPv4EntryLength or IPv6EntryLength))
        {
            throw new ArgumentOutOfRangeException(nameof(entryLength));
        }
        int entries = data.Length / entryLength;
        int skipped = data.Length % entryLength == 0 ? 0 : 1;
        int addressLength = entryLength - 2;
        for (int i = 0; i < entries; i++)
        {
            if (into.Count >= max)
            {
                return skipped + (entries - i);
            }
            var entry = data.Slice(i * entryLength, entryLength);
            int port = BinaryPrimitives.ReadUInt16BigEndian(entry[addressLength..]);
            if (port == 0)
            {
                skipped++;
                continue;
            }
            into.Add(new IPEndPoint(new IPAddress(entry[..addressLength]), port));
        }
        return skipped;
    }

    /// <summary>Parses a whole compact list (no cap beyond <paramref name="max"/>).</summary>
    public static IReadOnlyList<IPEndPoint> Parse(ReadOnlySpan<byte> data, int entryLength, int max = AnnounceResponse.DefaultMaxPeers)
    {
        var list = new List<IPEndPoint>(Math.Min(max, data.Length / entryLength));
        Parse(data, entryLength, list, max);
        return list;
    }

    /// <summary>Writes one compact entry (IPv4 or IPv6 by the address family).</summary>
    public static byte[] Encode(IEnumerable<IPEndPoint> peers)
    {
        ArgumentNullException.ThrowIfNull(peers);
        var bytes = new List<byte>();
        Span<byte> port = stackalloc byte[2];
        foreach (var p in peers)
        {
            bytes.AddRange(p.Address.GetAddressBytes());
            BinaryPrimitives.WriteUInt16BigEndian(port, (ushort)p.Port);
            bytes.AddRange(port.ToArray());
        }
        return [.. bytes];
    }
}

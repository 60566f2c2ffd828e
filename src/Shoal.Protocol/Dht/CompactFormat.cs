using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Shoal.Protocol.Dht;

/// <summary>A DHT contact: a node id and the UDP endpoint it answers on.</summary>
public readonly record struct NodeInfo(NodeId Id, IPEndPoint EndPoint);

/// <summary>
/// The compact encodings of BEP 5 and BEP 32: a peer is 4+2 (IPv4) or 16+2 (IPv6) bytes, address then big-endian
/// port; a node is its 20-byte id followed by its compact peer form (26 or 38 bytes).
/// </summary>
public static class CompactFormat
{
    public const int PeerV4Length = 6;
    public const int PeerV6Length = 18;
    public const int NodeV4Length = NodeId.Length + PeerV4Length;
    public const int NodeV6Length = NodeId.Length + PeerV6Length;

    /// <summary>The compact length of an endpoint of this family (IPv4-mapped IPv6 counts as IPv4).</summary>
    public static int PeerLength(IPEndPoint endPoint) => Normalize(endPoint).AddressFamily == AddressFamily.InterNetwork ? PeerV4Length : PeerV6Length;

    /// <summary>Maps IPv4-mapped IPv6 addresses back to IPv4 so each address has one compact form.</summary>
    public static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    /// <summary>Reads a 6- or 18-byte compact peer; other lengths and port 0 are refused.</summary>
    public static bool TryReadPeer(ReadOnlySpan<byte> data, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (data.Length != PeerV4Length && data.Length != PeerV6Length)
        {
            return false;
        }
        int addressLength = data.Length - 2;
        int port = BinaryPrimitives.ReadUInt16BigEndian(data[addressLength..]);
        if (port == 0)
        {
            return false;
        }
        endPoint = new IPEndPoint(new IPAddress(data[..addressLength]), port);
        return true;
    }

    /// <summary>Writes the compact form; returns the number of bytes written (6 or 18).</summary>
    public static int WritePeer(IPEndPoint endPoint, Span<byte> destination)
    {
        var ep = Normalize(endPoint);
        if (!ep.Address.TryWriteBytes(destination, out int written))
        {
            throw new ArgumentException("destination too small for the compact peer", nameof(destination));
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination[written..], (ushort)ep.Port);
        return written + 2;
    }

    public static byte[] EncodePeer(IPEndPoint endPoint)
    {
        var b = new byte[PeerLength(endPoint)];
        WritePeer(endPoint, b);
        return b;
    }

    /// <summary>
    /// Reads a concatenation of compact nodes of one family. Refuses a length that is not a multiple of the record
    /// size or more than <paramref name="maxCount"/> records (checked before anything is allocated).
    /// </summary>
    public static bool TryReadNodes(ReadOnlySpan<byte> data, AddressFamily family, int maxCount,
        out List<NodeInfo> nodes, out string? error)
    {
        int size = family == AddressFamily.InterNetwork ? NodeV4Length : NodeV6Length;
        nodes = [];
        if (data.Length % size != 0)
        {
            error = $"compact node list of {data.Length} bytes is not a multiple of {size}";
            return false;
        }
        int count = data.Length / size;
        if (count > maxCount)
        {
            error = $"compact node list has {count} nodes (limit {maxCount})";
            return false;
        }
        nodes.Capacity = count;
        for (int i = 0; i < count; i++)
        {
            var record = data.Slice(i * size, size);
            // Port-0 contacts cannot be queried, and an IPv4-mapped address in nodes6 is an IPv4 contact that the
            // encoder would drop (found by fuzzing); skip them rather than fail the whole message.
            if (TryReadPeer(record[NodeId.Length..], out var ep) && Normalize(ep).AddressFamily == family)
            {
                nodes.Add(new NodeInfo(new NodeId(record[..NodeId.Length]), ep));
            }
        }
        error = null;
        return true;
    }

    /// <summary>Encodes the nodes of <paramref name="family"/>; contacts of the other family are skipped.</summary>
    public static byte[] EncodeNodes(IEnumerable<NodeInfo> nodes, AddressFamily family)
    {
        int size = family == AddressFamily.InterNetwork ? NodeV4Length : NodeV6Length;
        var matching = nodes.Where(n => Normalize(n.EndPoint).AddressFamily == family).ToList();
        var b = new byte[matching.Count * size];
        for (int i = 0; i < matching.Count; i++)
        {
            var span = b.AsSpan(i * size, size);
            matching[i].Id.CopyTo(span);
            WritePeer(matching[i].EndPoint, span[NodeId.Length..]);
        }
        return b;
    }
}

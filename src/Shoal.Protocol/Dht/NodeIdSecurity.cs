using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Shoal.Protocol.Dht;

/// <summary>
/// BEP 42 ("DHT security extension"): a node id's first 21 bits are tied to the node's external IP through CRC-32C
/// of the masked address, so an attacker cannot choose ids near a target without owning many addresses.
/// </summary>
public static class NodeIdSecurity
{
    private static readonly byte[] V4Mask = [0x03, 0x0f, 0x3f, 0xff];
    private static readonly byte[] V6Mask = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];
    private static readonly uint[] Table = BuildTable();

    /// <summary>An id for <paramref name="address"/> with BEP 42 prefix; <paramref name="seed"/> is the random byte kept in byte 19.</summary>
    public static NodeId Generate(IPAddress address, byte seed)
    {
        uint crc = Crc(address, seed);
        Span<byte> id = stackalloc byte[NodeId.Length];
        RandomNumberGenerator.Fill(id);
        id[0] = (byte)(crc >> 24);
        id[1] = (byte)(crc >> 16);
        id[2] = (byte)(((crc >> 8) & 0xf8) | (id[2] & 0x7u));
        id[19] = seed;
        return new NodeId(id);
    }

    /// <summary>
    /// True when <paramref name="id"/> is valid for <paramref name="address"/>. Local and private addresses are
    /// exempt, as BEP 42 says, since they are not globally meaningful.
    /// </summary>
    public static bool IsValid(NodeId id, IPAddress address)
    {
        if (IsExempt(address))
        {
            return true;
        }
        Span<byte> b = stackalloc byte[NodeId.Length];
        id.CopyTo(b);
        uint crc = Crc(address, b[19]);
        return b[0] == (byte)(crc >> 24) && b[1] == (byte)(crc >> 16) && (b[2] & 0xf8) == ((crc >> 8) & 0xf8);
    }

    /// <summary>Loopback, link-local and RFC 1918 addresses, which BEP 42 does not check.</summary>
    public static bool IsExempt(IPAddress address)
    {
        var a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        if (IPAddress.IsLoopback(a))
        {
            return true;
        }
        if (a.AddressFamily == AddressFamily.InterNetwork)
        {
            Span<byte> b = stackalloc byte[4];
            a.TryWriteBytes(b, out _);
            return b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254);
        }
        return a.IsIPv6LinkLocal || a.IsIPv6SiteLocal || a.IsIPv6UniqueLocal;
    }

    private static uint Crc(IPAddress address, byte seed)
    {
        var a = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        Span<byte> ip = stackalloc byte[16];
        a.TryWriteBytes(ip, out int written);
        var mask = written == 4 ? V4Mask : V6Mask;
        var masked = ip[..mask.Length];
        for (int i = 0; i < mask.Length; i++)
        {
            masked[i] &= mask[i];
        }
        masked[0] |= (byte)((seed & 0x7) << 5);
        return Crc32C(masked);
    }

    internal static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc = Table[(crc ^ b) & 0xff] ^ (crc >> 8);
        }
        return ~crc;
    }

    private static uint[] BuildTable()
    {
        const uint poly = 0x82F63B78; // Castagnoli, reflected
        var t = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >> 1) ^ poly : c >> 1;
            }
            t[i] = c;
        }
        return t;
    }
}

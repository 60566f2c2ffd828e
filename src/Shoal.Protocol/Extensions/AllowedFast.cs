using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Shoal.Protocol.Extensions;

/// <summary>
/// BEP 6 allowed-fast set: pieces a peer may request from us while choked, derived from its address so that every
/// client computes the same set for it.
/// </summary>
public static class AllowedFast
{
    /// <summary>The set size most clients use.</summary>
    public const int DefaultCount = 10;

    /// <summary>
    /// The canonical BEP 6 set for an IPv4 peer: <c>x = (ip &amp; 0xFFFFFF00) ++ infohash</c>; repeat
    /// <c>x = SHA1(x)</c> and take its five 4-byte big-endian words modulo <paramref name="pieceCount"/>, keeping
    /// new indices in order until there are <paramref name="count"/>. The /24 mask stops a user with several
    /// addresses in one network from collecting several sets. An IPv4-mapped IPv6 address counts as IPv4; BEP 6
    /// defines nothing for IPv6, so other IPv6 peers get an empty set.
    /// </summary>
    public static int[] Compute(IPAddress ip, InfoHash infoHash, int pieceCount, int count = DefaultCount)
    {
        ArgumentNullException.ThrowIfNull(ip);
        ArgumentOutOfRangeException.ThrowIfNegative(pieceCount);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }
        // Asking for every piece would make the loop hunt for the last few indices by chance; cap it.
        count = Math.Min(count, pieceCount);
        if (ip.AddressFamily != AddressFamily.InterNetwork || count == 0)
        {
            return [];
        }

        Span<byte> x = stackalloc byte[4 + InfoHash.Length];
        ip.TryWriteBytes(x, out _);
        x[3] = 0;
        infoHash.Span.CopyTo(x[4..]);
        Span<byte> hash = stackalloc byte[20];
        Span<byte> next = stackalloc byte[20];
        SHA1.HashData(x, hash);

        var set = new List<int>(count);
        // Every round yields five fresh pseudo-random words; this bound is never reached for sane counts but keeps
        // the loop finite whatever the input.
        for (int round = 0; set.Count < count && round < 100_000; round++)
        {
            if (round > 0)
            {
                // Hash into a second buffer: the spec chains x = SHA1(x), and in-place hashing relies on an
                // implementation detail.
                SHA1.HashData(hash, next);
                next.CopyTo(hash);
            }
            for (int i = 0; i < 5 && set.Count < count; i++)
            {
                uint y = BinaryPrimitives.ReadUInt32BigEndian(hash.Slice(i * 4, 4));
                int index = (int)(y % (uint)pieceCount);
                if (!set.Contains(index))
                {
                    set.Add(index);
                }
            }
        }
        return [.. set];
    }
}

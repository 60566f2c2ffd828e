using Shoal.Protocol.PeerWire;
using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Shoal.Bencoding;

namespace Shoal.Protocol.Extensions;

/// <summary>BEP 11 per-peer flags in <c>added.f</c> / <c>added6.f</c>.</summary>
[Flags]
public enum PexFlags : byte
{
    None = 0,
    PrefersEncryption = 0x01,
    SeedOrUploadOnly = 0x02,
    SupportsUtp = 0x04,
    SupportsHolepunch = 0x08,

    /// <summary>We reached this peer by connecting out, so it accepts incoming connections.</summary>
    Reachable = 0x10,
}

/// <summary>One peer in a PEX <c>added</c> list.</summary>
public readonly record struct PexPeer(IPEndPoint EndPoint, PexFlags Flags = PexFlags.None);

/// <summary>One decoded or to-be-sent PEX message (IPv4 and IPv6 together; the encoder splits them).</summary>
public sealed record UtPexMessage(IReadOnlyList<PexPeer> Added, IReadOnlyList<IPEndPoint> Dropped)
{
    /// <summary>Entries left out: over the caps, port 0, or a trailing partial entry.</summary>
    public int Skipped { get; init; }

    public bool IsEmpty => Added.Count == 0 && Dropped.Count == 0;

    /// <summary>One trace line, e.g. <c>ut_pex added=3 dropped=1</c>.</summary>
    public string Describe() =>
        Skipped == 0 ? $"ut_pex added={Added.Count} dropped={Dropped.Count}" : $"ut_pex added={Added.Count} dropped={Dropped.Count} skipped={Skipped}";
}

/// <summary>
/// BEP 11 peer exchange (<c>ut_pex</c>): a dictionary with compact peer lists <c>added</c> (6 bytes per IPv4 peer),
/// <c>added.f</c> (one flag byte per added peer), <c>added6</c> / <c>added6.f</c> (18 bytes per IPv6 peer),
/// <c>dropped</c> and <c>dropped6</c>.
/// </summary>
public static class UtPex
{
    /// <summary>The name in the extension handshake's <c>m</c> dictionary.</summary>
    public const string ExtensionName = "ut_pex";

    /// <summary>BEP 11: at most 50 added and 50 dropped peers per message (IPv4 and IPv6 together).</summary>
    public const int MaxAddedPerMessage = 50;

    /// <inheritdoc cref="MaxAddedPerMessage"/>
    public const int MaxDroppedPerMessage = 50;

    /// <summary>
    /// What we keep from a received message. Some clients send a little over 50; what lies beyond this is dropped
    /// and counted, so a peer cannot flood our candidate list.
    /// </summary>
    public const int MaxDecodedPerList = 100;

    /// <summary>Bound on what a peer can make us walk.</summary>
    /// <summary>
    /// Encodes a message, keeping at most 50 added and 50 dropped peers (the rest is left out; <see cref="PexState"/>
    /// sends it next time). IPv4-mapped IPv6 addresses go in the IPv4 lists.
    /// </summary>
    public static byte[] Encode(UtPexMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var added4 = new List<PexPeer>();
        var added6 = new List<PexPeer>();
        foreach (var peer in message.Added.Take(MaxAddedPerMessage))
        {
            var ep = Normalize(peer.EndPoint);
            (ep.AddressFamily == AddressFamily.InterNetwork ? added4 : added6).Add(peer with { EndPoint = ep });
        }
        var dropped4 = new List<IPEndPoint>();
        var dropped6 = new List<IPEndPoint>();
        foreach (var endPoint in message.Dropped.Take(MaxDroppedPerMessage))
        {
            var ep = Normalize(endPoint);
            (ep.AddressFamily == AddressFamily.InterNetwork ? dropped4 : dropped6).Add(ep);
        }

        var dict = new BDictionary
        {
            ["added"] = new BString(Compact(added4.Select(p => p.EndPoint), 6)),
            ["added.f"] = new BString(added4.Select(p => (byte)p.Flags).ToArray()),
            ["dropped"] = new BString(Compact(dropped4, 6)),
        };
        if (added6.Count > 0)
        {
            dict["added6"] = new BString(Compact(added6.Select(p => p.EndPoint), 18));
            dict["added6.f"] = new BString(added6.Select(p => (byte)p.Flags).ToArray());
        }
        if (dropped6.Count > 0)
        {
            dict["dropped6"] = new BString(Compact(dropped6, 18));
        }
        return BencodeWriter.Encode(dict);
    }

    /// <summary>
    /// Decodes an extended payload (after the extended id byte). Missing lists count as empty, lists of the wrong
    /// type are ignored, missing flags are <see cref="PexFlags.None"/>; each list keeps at most
    /// <see cref="MaxDecodedPerList"/> entries. Only a payload that is not a bencoded dictionary is an error.
    /// </summary>
    public static bool TryDecode(ReadOnlySequence<byte> payload, out UtPexMessage? message, out string? error)
    {
        message = null;
        if (!ExtendedPayload.TryReadDictionary(payload, "ut_pex message", 4, out var dict, out _, out error))
        {
            return false;
        }

        int skipped = 0;
        var added = new List<PexPeer>();
        skipped += ReadAdded(dict, "added", "added.f", 4, added);
        skipped += ReadAdded(dict, "added6", "added6.f", 16, added);
        var dropped = new List<PexPeer>();
        skipped += ReadAdded(dict, "dropped", null, 4, dropped);
        skipped += ReadAdded(dict, "dropped6", null, 16, dropped);
        message = new UtPexMessage(added, dropped.Select(p => p.EndPoint).ToList()) { Skipped = skipped };
        error = null;
        return true;
    }

    private static int ReadAdded(BDictionary dict, string key, string? flagsKey, int addressLength, List<PexPeer> into)
    {
        if (dict.Get<BString>(key) is not { } list)
        {
            return 0;
        }
        ReadOnlySpan<byte> data = list.Span;
        ReadOnlySpan<byte> flags = flagsKey is not null && dict.Get<BString>(flagsKey) is { } f ? f.Span : default;
        int entryLength = addressLength + 2;
        int entries = data.Length / entryLength;
        int skipped = data.Length % entryLength == 0 ? 0 : 1;
        int kept = 0;
        for (int i = 0; i < entries; i++)
        {
            if (kept >= MaxDecodedPerList)
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
            var flag = i < flags.Length ? (PexFlags)flags[i] : PexFlags.None;
            into.Add(new PexPeer(new IPEndPoint(new IPAddress(entry[..addressLength]), port), flag));
            kept++;
        }
        return skipped;
    }

    private static byte[] Compact(IEnumerable<IPEndPoint> endPoints, int entryLength)
    {
        var items = endPoints.ToList();
        byte[] bytes = new byte[items.Count * entryLength];
        for (int i = 0; i < items.Count; i++)
        {
            var span = bytes.AsSpan(i * entryLength, entryLength);
            items[i].Address.TryWriteBytes(span, out _);
            BinaryPrimitives.WriteUInt16BigEndian(span[(entryLength - 2)..], (ushort)items[i].Port);
        }
        return bytes;
    }

    /// <summary>IPv4-mapped IPv6 becomes plain IPv4 so it lands in the IPv4 list (and compares equal to it).</summary>
    internal static IPEndPoint Normalize(IPEndPoint endPoint) =>
        endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;
}

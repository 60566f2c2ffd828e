using System.Buffers;
using System.Net;
using Shoal.Bencoding;

namespace Shoal.Protocol.PeerWire;

/// <summary>
/// The BEP 10 extension handshake: extended message id 0 carrying a bencoded dictionary. <c>m</c> maps extension
/// names to the ids the sender wants to receive them under (0 = disabled). Also <c>v</c> (client), <c>p</c> (listen
/// port), <c>reqq</c> (request queue size), <c>yourip</c> (our address as the peer sees it) and BEP 9's
/// <c>metadata_size</c>.
/// </summary>
/// <remarks>
/// Parsing is lenient about fields, as BEP 10 asks: a field of the wrong type or out of range is treated as absent,
/// because real clients differ. Only a payload that is not a bencoded dictionary is an error. Nothing in the result
/// refers to the input bytes, so the pipe can be advanced right after parsing.
/// </remarks>
public sealed record ExtensionHandshake
{
    /// <summary>The extended message id of the handshake itself.</summary>
    public const byte MessageId = 0;

    /// <summary>Depth is tiny in practice; this bounds what a peer can make us walk.</summary>
    /// <summary>Enabled extensions: name (e.g. <c>ut_metadata</c>) to the id to use when sending it to this peer.</summary>
    public IReadOnlyDictionary<string, byte> Messages { get; init; } = new Dictionary<string, byte>();

    /// <summary>Names the sender listed with id 0: extensions it disables (relevant in a repeated handshake).</summary>
    public IReadOnlyList<string> Disabled { get; init; } = [];

    /// <summary><c>v</c>: client name and version.</summary>
    public string? Client { get; init; }

    /// <summary><c>p</c>: the sender's listen port, 1..65535.</summary>
    public int? ListenPort { get; init; }

    /// <summary><c>reqq</c>: how many outstanding requests the sender accepts.</summary>
    public int? RequestQueueSize { get; init; }

    /// <summary><c>yourip</c>: the receiver's address as the sender sees it (4 or 16 bytes on the wire).</summary>
    public IPAddress? YourIp { get; init; }

    /// <summary><c>metadata_size</c> (BEP 9): size of the info dictionary in bytes.</summary>
    public long? MetadataSize { get; init; }

    /// <summary>The id this peer wants for <paramref name="name"/>, or null if it does not support it.</summary>
    public byte? IdOf(string name) => Messages.TryGetValue(name, out byte id) ? id : null;

    /// <summary>
    /// Parses the payload of an extended message with id 0 (after the extended id byte, as in
    /// <see cref="PeerMessage.Payload"/>). Bytes after the dictionary are ignored.
    /// </summary>
    public static bool TryParse(ReadOnlySequence<byte> payload, out ExtensionHandshake? handshake, out string? error)
    {
        handshake = null;
        if (!ExtendedPayload.TryReadDictionary(payload, "extension handshake", 8, out var dict, out _, out error))
        {
            return false;
        }

        var messages = new Dictionary<string, byte>(StringComparer.Ordinal);
        var disabled = new List<string>();
        if (dict.Get<BDictionary>("m") is { } m)
        {
            foreach (var (key, v) in m.Entries)
            {
                if (v is BInteger { Value: >= 0 and <= byte.MaxValue } id)
                {
                    string name = key.ToUtf8String();
                    if (id.Value == 0)
                    {
                        disabled.Add(name);
                    }
                    else
                    {
                        messages.TryAdd(name, (byte)id.Value);
                    }
                }
            }
        }

        handshake = new ExtensionHandshake
        {
            Messages = messages,
            Disabled = disabled,
            Client = dict.Get<BString>("v")?.ToUtf8String(),
            ListenPort = dict.Get<BInteger>("p") is { Value: >= 1 and <= ushort.MaxValue } p ? (int)p.Value : null,
            RequestQueueSize = dict.Get<BInteger>("reqq") is { Value: >= 1 and <= int.MaxValue } q ? (int)q.Value : null,
            YourIp = dict.Get<BString>("yourip") is { Length: 4 or 16 } ip ? new IPAddress(ip.Span) : null,
            MetadataSize = dict.Get<BInteger>("metadata_size") is { Value: >= 0 } size ? size.Value : null,
        };
        error = null;
        return true;
    }

    /// <summary>The bencoded dictionary (canonical, sorted keys); absent fields are left out.</summary>
    public byte[] Encode()
    {
        var m = new BDictionary();
        foreach (var (name, id) in Messages)
        {
            m.Set(new BString(name), new BInteger(id));
        }
        foreach (string name in Disabled)
        {
            m.Set(new BString(name), new BInteger(0));
        }
        var dict = new BDictionary { ["m"] = m };
        if (Client is not null)
        {
            dict["v"] = new BString(Client);
        }
        if (ListenPort is int port)
        {
            dict["p"] = new BInteger(port);
        }
        if (RequestQueueSize is int reqq)
        {
            dict["reqq"] = new BInteger(reqq);
        }
        if (YourIp is not null)
        {
            var address = YourIp.IsIPv4MappedToIPv6 ? YourIp.MapToIPv4() : YourIp;
            dict["yourip"] = new BString(address.GetAddressBytes());
        }
        if (MetadataSize is long size)
        {
            dict["metadata_size"] = new BInteger(size);
        }
        return BencodeWriter.Encode(dict);
    }

    /// <summary>Writes the whole extended message (prefix, id 20, extended id 0, dictionary).</summary>
    public long WriteMessage(IBufferWriter<byte> writer) =>
        PeerMessageWriter.Write(writer, PeerMessage.Extended(MessageId, Encode()));

    /// <summary>One trace line, e.g. <c>ext-handshake v="Shoal 0.1" m=ut_metadata:3,ut_pex:1 metadata_size=31235</c>.</summary>
    public string Describe()
    {
        var parts = new List<string> { "ext-handshake" };
        if (Client is not null)
        {
            parts.Add($"v=\"{Client}\"");
        }
        parts.Add("m=" + string.Join(',', Messages.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}:{kv.Value}")));
        if (Disabled.Count > 0)
        {
            parts.Add("disabled=" + string.Join(',', Disabled));
        }
        if (ListenPort is int p)
        {
            parts.Add($"p={p}");
        }
        if (RequestQueueSize is int q)
        {
            parts.Add($"reqq={q}");
        }
        if (YourIp is not null)
        {
            parts.Add($"yourip={YourIp}");
        }
        if (MetadataSize is long s)
        {
            parts.Add($"metadata_size={s}");
        }
        return string.Join(' ', parts);
    }
}

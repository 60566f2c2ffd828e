using System.Net.Sockets;
using Shoal.Bencoding;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

/// <summary>
/// Saves the routing table between runs as a bencoded dictionary <c>{id, nodes, nodes6}</c> (compact formats), so a
/// restart can bootstrap from known contacts. Writes go to a temporary file renamed over the old one, so a crash
/// leaves either the old table or the new one, never half of one.
/// </summary>
public static class RoutingTableFile
{
    /// <summary>Larger files are not ours (a full table is about 160 × 8 × 38 bytes).</summary>
    private const int MaxFileSize = 1 << 20;

    public static async Task SaveAsync(string path, NodeId ownId, IReadOnlyCollection<NodeInfo> nodes, CancellationToken ct = default)
    {
        var d = new BDictionary
        {
            ["id"] = new BString(ownId.ToArray()),
            ["nodes"] = new BString(CompactFormat.EncodeNodes(nodes, AddressFamily.InterNetwork)),
            ["nodes6"] = new BString(CompactFormat.EncodeNodes(nodes, AddressFamily.InterNetworkV6)),
        };
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + "." + Environment.ProcessId + ".tmp";
        await File.WriteAllBytesAsync(temp, BencodeWriter.Encode(d), ct).ConfigureAwait(false);
        File.Move(temp, full, overwrite: true);
    }

    /// <summary>Reads a saved table; false (and nothing thrown) when the file is missing, too large or malformed.</summary>
    public static bool TryLoad(string path, out NodeId ownId, out List<NodeInfo> nodes)
    {
        ownId = default;
        nodes = [];
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists || info.Length > MaxFileSize)
            {
                return false;
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        if (BencodeReader.TryDecode(bytes, out var value, out _, out _, new BencodeOptions { MaxDepth = 4 }) != DecodeStatus.Done
            || value is not BDictionary d
            || d.Get("id") is not BString id
            || !NodeId.TryRead(id.Span, out ownId))
        {
            return false;
        }
        const int maxNodes = NodeId.Bits * 64;
        if (d.Get("nodes") is BString v4 && CompactFormat.TryReadNodes(v4.Span, AddressFamily.InterNetwork, maxNodes, out var n4, out _))
        {
            nodes.AddRange(n4);
        }
        if (d.Get("nodes6") is BString v6 && CompactFormat.TryReadNodes(v6.Span, AddressFamily.InterNetworkV6, maxNodes, out var n6, out _))
        {
            nodes.AddRange(n6);
        }
        return true;
    }
}

using System.Buffers;
using Shoal.Bencoding;

namespace Shoal.Protocol.Extensions;

/// <summary>
/// Builds a .torrent from metadata fetched for a magnet link: <c>announce</c> and <c>announce-list</c> from the
/// magnet's trackers (each in its own tier, as BEP 9 suggests for <c>tr</c>), and the info dictionary exactly as
/// received, so the file's info hash is the magnet's.
/// </summary>
public static class MagnetTorrentFile
{
    /// <summary>The bencoded .torrent (keys in sorted order: announce, announce-list, info).</summary>
    public static byte[] Build(ReadOnlySpan<byte> rawInfo, IReadOnlyList<string> trackers)
    {
        ArgumentNullException.ThrowIfNull(trackers);
        var distinct = trackers.Where(t => !string.IsNullOrWhiteSpace(t)).Distinct(StringComparer.Ordinal).ToList();
        var writer = new ArrayBufferWriter<byte>(rawInfo.Length + 256);
        writer.Write("d"u8);
        if (distinct.Count > 0)
        {
            BencodeWriter.Write(writer, new BString("announce"));
            BencodeWriter.Write(writer, new BString(distinct[0]));
            var tiers = new BList();
            foreach (string url in distinct)
            {
                var tier = new BList();
                tier.Add(new BString(url));
                tiers.Add(tier);
            }
            BencodeWriter.Write(writer, new BString("announce-list"));
            BencodeWriter.Write(writer, tiers);
        }
        BencodeWriter.Write(writer, new BString("info"));
        // The info dictionary is copied byte for byte: re-encoding could change the info hash.
        writer.Write(rawInfo);
        writer.Write("e"u8);
        return writer.WrittenSpan.ToArray();
    }
}

using Shoal.Cli.Output;
using Shoal.Protocol.Metainfo;

namespace Shoal.Cli.Commands;

/// <summary>The human-readable text of <c>shoal info</c>.</summary>
internal static class InfoText
{
    public static void WriteTorrent(TorrentMetainfo m, TextWriter w)
    {
        w.WriteLine($"Name:          {m.Name}");
        w.WriteLine($"Info hash:     {m.InfoHash.ToHex()}");
        w.WriteLine($"Piece length:  {HumanFormat.Size(m.PieceLength)}");
        w.WriteLine($"Pieces:        {m.PieceCount}");
        w.WriteLine($"Total size:    {HumanFormat.Size(m.TotalLength)} ({m.TotalLength} bytes)");
        w.WriteLine($"Private:       {(m.IsPrivate ? "yes" : "no")}");
        w.WriteLine($"Created by:    {m.CreatedBy ?? "-"}");
        w.WriteLine($"Creation date: {JsonOutput.Iso8601(m.CreationDate) ?? "-"}");
        w.WriteLine($"Comment:       {m.Comment ?? "-"}");
        if (m.IsHybrid)
        {
            w.WriteLine("Hybrid:        yes (v1 part shown)");
        }
        w.WriteLine(m.AnnounceTiers.Count == 0 ? "Trackers:      none" : "Trackers:");
        for (int i = 0; i < m.AnnounceTiers.Count; i++)
        {
            foreach (var url in m.AnnounceTiers[i])
            {
                w.WriteLine($"  tier {i + 1}: {url}");
            }
        }
        if (m.WebSeeds.Count > 0)
        {
            w.WriteLine("Web seeds:");
            foreach (var url in m.WebSeeds)
            {
                w.WriteLine($"  {url}");
            }
        }
        var files = m.Files.Where(f => !f.IsPadding).ToList();
        w.WriteLine($"Files ({files.Count}):");
        foreach (var f in files)
        {
            w.WriteLine($"  {HumanFormat.Size(f.Length),12}  {f.Path}");
        }
    }

    public static void WriteMagnet(MagnetLink m, TextWriter w)
    {
        w.WriteLine($"Magnet link");
        w.WriteLine($"Info hash:     {m.InfoHash.ToHex()}");
        w.WriteLine($"Name:          {m.DisplayName ?? "-"}");
        w.WriteLine(m.Trackers.Count == 0 ? "Trackers:      none" : "Trackers:");
        foreach (var url in m.Trackers)
        {
            w.WriteLine($"  {url}");
        }
        if (m.Peers.Count > 0)
        {
            w.WriteLine("Peers:");
            foreach (var p in m.Peers)
            {
                w.WriteLine($"  {p}");
            }
        }
    }
}

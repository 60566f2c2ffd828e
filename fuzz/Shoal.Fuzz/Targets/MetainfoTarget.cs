using System.Text;
using Shoal.Protocol.Metainfo;

namespace Shoal.Fuzz.Targets;

/// <summary>
/// Metainfo parser: only <see cref="MetainfoException"/> may come out, allocation stays proportional to the input, and
/// an accepted torrent is self-consistent with every file path landing under the download folder.
/// </summary>
internal static class MetainfoTarget
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "shoal-fuzz-root"));

    public static void Run(ReadOnlySpan<byte> data)
    {
        var input = data.ToArray();
        Check(input, whole: true);
        Check(input, whole: false);
    }

    private static void Check(byte[] input, bool whole)
    {
        TorrentMetainfo? torrent;
        try
        {
            torrent = Oracle.WithinBudget(input.Length, 512,
                () => whole ? TorrentMetainfo.Parse(input) : TorrentMetainfo.FromInfoDictionary(input),
                whole ? "Parse" : "FromInfoDictionary");
        }
        catch (MetainfoException e)
        {
            Oracle.Check(!string.IsNullOrWhiteSpace(e.Message) && !e.Message.Contains('\n', StringComparison.Ordinal),
                "MetainfoException message is not one line");
            return;
        }
        CheckAccepted(torrent);
    }

    internal static void CheckAccepted(TorrentMetainfo t)
    {
        Oracle.Check(t.PieceLength > 0, $"piece length {t.PieceLength}");
        Oracle.Check(t.TotalLength >= 0, $"total length {t.TotalLength}");
        long pieces = t.TotalLength == 0 ? 0 : (t.TotalLength + t.PieceLength - 1) / t.PieceLength;
        Oracle.Check(t.PieceCount == pieces || (t.TotalLength == 0 && t.PieceCount <= 1),
            $"{t.PieceCount} pieces for {t.TotalLength} bytes in pieces of {t.PieceLength}");
        Oracle.Check(t.Files.Count > 0, "no files");
        Oracle.Check(t.InfoHash.ToHex().Length == 40, "info hash");
        long offset = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in t.Files)
        {
            Oracle.Check(file.Length >= 0 && file.Offset == offset, $"file {file.Path} at {file.Offset} (expected {offset}) length {file.Length}");
            offset += file.Length;
            Oracle.Check(file.PathComponents.Count > 0, "file with no path");
            foreach (var c in file.PathComponents)
            {
                Oracle.Check(c.Length > 0 && c != "." && c != ".." && c.IndexOfAny(['/', '\\', '\0']) < 0 && !c.Contains(':', StringComparison.Ordinal),
                    $"unsafe path component '{Escape(c)}'");
                Oracle.Check(Encoding.UTF8.GetByteCount(c) <= 1024, $"path component of {c.Length} chars");
            }
            string full = Path.GetFullPath(Path.Combine([Root, t.Name, .. file.PathComponents]));
            Oracle.Check(full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal),
                $"file '{Escape(file.Path)}' resolves to {Escape(full)}, outside {Root}");
            if (!file.IsPadding)
            {
                Oracle.Check(seen.Add(file.Path), $"two files share the path '{Escape(file.Path)}'");
            }
        }
        Oracle.Check(offset == t.TotalLength, $"file lengths add up to {offset}, total is {t.TotalLength}");
        Oracle.Check(t.Name.Length > 0 && t.Name.IndexOfAny(['/', '\\', '\0']) < 0 && t.Name != ".." && t.Name != ".",
            $"unsafe torrent name '{Escape(t.Name)}'");
    }

    private static string Escape(string s) => s.Length > 80 ? Escape(s[..80]) + "..." : s.Replace("\0", "\\0", StringComparison.Ordinal);
}

using System.Globalization;
using System.Text;

namespace Shoal.Protocol.Metainfo;

/// <summary>
/// Duplicate-path policy for multi-file torrents (pad files are never written, so they are exempt):
/// <list type="bullet">
/// <item>Two files with the same path <em>as written in the torrent</em> are refused ("two files share the path X").
/// libtorrent renames instead, Transmission refuses; we refuse because such a torrent is malformed and renaming would
/// silently change the layout the creator meant.</item>
/// <item>Distinct paths that only collide because sanitising made them equal (e.g. "/" and "\" both becoming "_") are
/// our own artefact, so the later file gets a ".N" suffix before its extension, and a quirk is recorded.</item>
/// <item>A path that is both a file and a folder of another file is refused.</item>
/// </list>
/// Comparisons are ordinal (case-sensitive) and use hash sets, so the check is linear in the number of files.
/// </summary>
internal static class FilePaths
{
    public static void Resolve(List<TorrentFile> files, List<string> quirks)
    {
        var rawSeen = new HashSet<string>(StringComparer.Ordinal);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var nextSuffix = new Dictionary<string, int>(StringComparer.Ordinal);
        int renamed = 0;
        for (int i = 0; i < files.Count; i++)
        {
            var file = files[i];
            if (file.IsPadding)
            {
                continue;
            }
            var raw = file.RawPath ?? file.PathComponents;
            if (!rawSeen.Add(RawKey(raw)))
            {
                throw new MetainfoException($"invalid torrent: two files share the path '{string.Join('/', raw)}'");
            }
            var components = file.PathComponents.Count == 0 ? ["_"] : file.PathComponents;
            string key = string.Join('/', components);
            if (!taken.Add(key))
            {
                components = Rename(components, key, taken, nextSuffix);
                renamed++;
            }
            if (!ReferenceEquals(components, file.PathComponents))
            {
                files[i] = file with { PathComponents = components };
            }
        }
        if (renamed > 0)
        {
            quirks.Add($"{renamed} file(s) renamed because their sanitised paths collided");
        }
        CheckFileFolderConflicts(files, taken);
    }

    private static IReadOnlyList<string> Rename(IReadOnlyList<string> components, string key,
        HashSet<string> taken, Dictionary<string, int> nextSuffix)
    {
        string last = components[^1];
        int dot = last.LastIndexOf('.');
        string stem = dot > 0 ? last[..dot] : last;
        string ext = dot > 0 ? last[dot..] : "";
        int n = nextSuffix.GetValueOrDefault(key, 1);
        while (true)
        {
            string candidate = PathSanitizer.Truncate($"{stem}.{n.ToString(CultureInfo.InvariantCulture)}{ext}");
            var renamed = components.Take(components.Count - 1).Append(candidate).ToArray();
            n++;
            if (taken.Add(string.Join('/', renamed)))
            {
                nextSuffix[key] = n;
                return renamed;
            }
        }
    }

    private static void CheckFileFolderConflicts(List<TorrentFile> files, HashSet<string> filePaths)
    {
        var sb = new StringBuilder();
        foreach (var file in files)
        {
            if (file.IsPadding)
            {
                continue;
            }
            sb.Clear();
            for (int c = 0; c < file.PathComponents.Count - 1; c++)
            {
                if (c > 0)
                {
                    sb.Append('/');
                }
                sb.Append(file.PathComponents[c]);
                string folder = sb.ToString();
                if (filePaths.Contains(folder))
                {
                    throw new MetainfoException($"invalid torrent: '{folder}' is both a file and a folder");
                }
            }
        }
    }

    /// <summary>Length-prefixed so that ["a/b"] and ["a", "b"] differ.</summary>
    private static string RawKey(IReadOnlyList<string> raw)
    {
        var sb = new StringBuilder();
        foreach (string c in raw)
        {
            sb.Append(c.Length).Append(':').Append(c);
        }
        return sb.ToString();
    }
}

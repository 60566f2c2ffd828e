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
        var taken = new HashSet<string>(files.Count, StringComparer.Ordinal);
        var nextSuffix = new Dictionary<string, int>(StringComparer.Ordinal);
        var keys = new string?[files.Count];
        int renamed = 0;
        for (int i = 0; i < files.Count; i++)
        {
            var file = files[i];
            if (file.IsPadding)
            {
                continue;
            }
            var raw = file.RawPath ?? file.PathComponents;
            var components = file.PathComponents.Count == 0 ? ["_"] : file.PathComponents;
            string key = string.Join('/', components);
            // When sanitising changed nothing, no component holds a '/', so the joined path is an exact raw key.
            string rawKey = ReferenceEquals(raw, file.PathComponents) ? key : RawKey(raw);
            if (!rawSeen.Add(rawKey))
            {
                throw new MetainfoException($"invalid torrent: two files share the path '{string.Join('/', raw)}'");
            }
            if (!taken.Add(key))
            {
                components = Rename(components, key, taken, nextSuffix);
                key = string.Join('/', components);
                renamed++;
            }
            keys[i] = key;
            if (!ReferenceEquals(components, file.PathComponents))
            {
                files[i] = file with { PathComponents = components };
            }
        }
        if (renamed > 0)
        {
            quirks.Add($"{renamed} file(s) renamed because their sanitised paths collided");
        }
        CheckFileFolderConflicts(keys, taken);
    }

    private static IReadOnlyList<string> Rename(IReadOnlyList<string> components, string key,
        HashSet<string> taken, Dictionary<string, int> nextSuffix)
    {
        string last = components[^1];
        int dot = last.LastIndexOf('.');
        bool keepExtension = dot > 0 && last.Length - dot <= 16;
        string stem = keepExtension ? last[..dot] : last;
        string ext = keepExtension ? last[dot..] : "";
        int n = nextSuffix.GetValueOrDefault(key, 1);
        while (true)
        {
            // Shorten the stem, never the ".N" suffix, so every candidate is new (no endless loop on long names).
            string suffix = "." + n.ToString(CultureInfo.InvariantCulture) + ext;
            int budget = PathSanitizer.MaxComponentBytes - Encoding.UTF8.GetByteCount(suffix);
            string candidate = PathSanitizer.CutToBytes(stem, budget) + suffix;
            var renamed = components.Take(components.Count - 1).Append(candidate).ToArray();
            n++;
            if (taken.Add(string.Join('/', renamed)))
            {
                nextSuffix[key] = n;
                return renamed;
            }
        }
    }

    /// <summary>Looks every folder prefix of every file up among the file paths, without allocating the prefixes.</summary>
    private static void CheckFileFolderConflicts(string?[] keys, HashSet<string> filePaths)
    {
        var lookup = filePaths.GetAlternateLookup<ReadOnlySpan<char>>();
        foreach (string? key in keys)
        {
            if (key is null)
            {
                continue;
            }
            for (int slash = key.IndexOf('/', StringComparison.Ordinal); slash > 0;
                 slash = key.IndexOf('/', slash + 1))
            {
                if (lookup.Contains(key.AsSpan(0, slash)))
                {
                    throw new MetainfoException($"invalid torrent: '{key[..slash]}' is both a file and a folder");
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

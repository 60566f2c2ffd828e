namespace Shoal.Engine.Creation;

/// <summary>
/// Walks a file or folder into the ordered file list of a new torrent. Files are ordered by comparing path
/// components ordinally (byte-for-byte stable across machines and cultures). Symlinks are followed; a symlinked
/// folder that leads back into one of its own ancestors is refused rather than walked forever, and a broken link
/// is refused rather than skipped.
/// </summary>
public static class FileCollector
{
    /// <summary>Collects the files under <paramref name="path"/>; throws <see cref="TorrentCreationException"/> for bad input.</summary>
    public static IReadOnlyList<SourceFile> Collect(string path, out string name)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        name = Path.GetFileName(full);
        if (string.IsNullOrEmpty(name))
        {
            throw new TorrentCreationException($"cannot make a torrent of '{path}': it has no name");
        }
        if (File.Exists(full))
        {
            return [new SourceFile([name], new FileInfo(full).Length, full)];
        }
        if (!Directory.Exists(full))
        {
            throw new TorrentCreationException(new FileInfo(full).LinkTarget is not null
                ? $"'{path}' is a broken symlink"
                : $"'{path}' does not exist");
        }
        var files = new List<SourceFile>();
        var ancestors = new HashSet<string>(StringComparer.Ordinal);
        Walk(new DirectoryInfo(full), [], ancestors, files);
        files.Sort(static (a, b) => ComparePaths(a.PathComponents, b.PathComponents));
        return files;
    }

    /// <summary>Ordinal component-wise order: "a" sorts before "a.txt" and "a/b" sorts with "a".</summary>
    public static int ComparePaths(IReadOnlyList<string> a, IReadOnlyList<string> b)
    {
        int n = Math.Min(a.Count, b.Count);
        for (int i = 0; i < n; i++)
        {
            int c = string.CompareOrdinal(a[i], b[i]);
            if (c != 0)
            {
                return c;
            }
        }
        return a.Count.CompareTo(b.Count);
    }

    private static void Walk(DirectoryInfo dir, List<string> prefix, HashSet<string> ancestors, List<SourceFile> files)
    {
        string real = RealPath(dir);
        if (!ancestors.Add(real))
        {
            throw new TorrentCreationException($"symlink loop: '{dir.FullName}' leads back to '{real}'");
        }
        foreach (var entry in dir.EnumerateFileSystemInfos("*", new EnumerationOptions
                 {
                     RecurseSubdirectories = false,
                     AttributesToSkip = 0,
                     IgnoreInaccessible = false,
                     ReturnSpecialDirectories = false,
                 }))
        {
            var components = new List<string>(prefix) { entry.Name };
            if (entry.LinkTarget is not null)
            {
                var target = entry.ResolveLinkTarget(returnFinalTarget: true);
                if (target is null || !target.Exists)
                {
                    throw new TorrentCreationException($"'{entry.FullName}' is a broken symlink");
                }
                if (target is DirectoryInfo)
                {
                    Walk(new DirectoryInfo(entry.FullName), components, ancestors, files);
                }
                else
                {
                    files.Add(new SourceFile(components, ((FileInfo)target).Length, entry.FullName));
                }
            }
            else if (entry is DirectoryInfo sub)
            {
                Walk(sub, components, ancestors, files);
            }
            else if (entry is FileInfo file)
            {
                if ((file.Attributes & FileAttributes.Device) != 0)
                {
                    throw new TorrentCreationException($"'{entry.FullName}' is not a regular file");
                }
                files.Add(new SourceFile(components, file.Length, entry.FullName));
            }
        }
        ancestors.Remove(real);
    }

    private static string RealPath(DirectoryInfo dir)
    {
        // Resolve every symlinked component so two routes to one folder compare equal.
        string current = dir.FullName;
        var target = dir.LinkTarget is not null ? dir.ResolveLinkTarget(returnFinalTarget: true) : null;
        if (target is not null)
        {
            current = target.FullName;
        }
        var parent = Directory.GetParent(current);
        return parent is null ? current : Path.Combine(RealPath(parent), Path.GetFileName(current));
    }
}

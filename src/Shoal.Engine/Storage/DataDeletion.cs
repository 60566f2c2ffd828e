namespace Shoal.Engine.Storage;

/// <summary>
/// Deletes a torrent's data when it is removed "with data". Only the torrent's own files are touched, and only
/// when their resolved path lies inside the download folder with no symbolic link on the way (a link in the tree
/// could point anywhere). Then the folders the torrent's layout implies (ROOT/NAME and below, for a multi-file
/// torrent) are removed if empty; the download folder itself never is.
/// </summary>
internal static class DataDeletion
{
    /// <summary>Deletes what it safely can; returns the number of files deleted. Errors on single files are skipped, not thrown.</summary>
    public static int Delete(TorrentStorage storage)
    {
        string root = Path.TrimEndingDirectorySeparator(storage.RootPath);
        string rootWithSep = root + Path.DirectorySeparatorChar;
        var meta = storage.Metainfo;
        int deleted = 0;
        var dirs = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < meta.Files.Count; i++)
        {
            if (meta.Files[i].IsPadding)
            {
                continue;
            }
            string path = Path.GetFullPath(storage.GetFullPath(i));
            if (!path.StartsWith(rootWithSep, StringComparison.Ordinal) || !NoLinksBetween(root, path))
            {
                continue;
            }
            for (string? d = Path.GetDirectoryName(path); d is not null && d.StartsWith(rootWithSep, StringComparison.Ordinal); d = Path.GetDirectoryName(d))
            {
                dirs.Add(d);
            }
            try
            {
                var info = new FileInfo(path);
                if (info.Exists || info.LinkTarget is not null)
                {
                    info.Delete(); // a link is removed itself, never its target
                    deleted++;
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Left in place: removing the torrent must not fail on one stubborn file.
            }
        }
        // Deepest first, so a parent is empty once its children are gone.
        foreach (string dir in dirs.OrderByDescending(d => d.Length))
        {
            try
            {
                var info = new DirectoryInfo(dir);
                if (info.Exists && info.LinkTarget is null && !info.EnumerateFileSystemInfos().Any())
                {
                    info.Delete();
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
        return deleted;
    }

    /// <summary>True when no folder between <paramref name="root"/> (exclusive) and the file is a symbolic link.</summary>
    private static bool NoLinksBetween(string root, string file)
    {
        for (string? d = Path.GetDirectoryName(file); d is not null && d.Length > root.Length; d = Path.GetDirectoryName(d))
        {
            var info = new DirectoryInfo(d);
            if (info.Exists && info.LinkTarget is not null)
            {
                return false;
            }
        }
        return true;
    }
}

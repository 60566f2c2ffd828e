using Microsoft.Extensions.Logging;
using Shoal.Engine.Storage;
using Shoal.Protocol.Metainfo;

namespace Shoal.Daemon.Torrents;

/// <summary>Deletes a torrent's downloaded files (torrent-remove with delete-local-data).</summary>
internal static class DataFiles
{
    /// <summary>
    /// Deletes each file of the torrent (paths come from the storage layer, which already refused any that escape the
    /// folder), then the torrent's own folders if they are left empty. Nothing else in the folder is touched.
    /// </summary>
    public static void Delete(TorrentMetainfo meta, string downloadDirectory, ILogger log)
    {
        string[] paths;
        try
        {
            using var store = TorrentStorage.OpenForChecking(meta, downloadDirectory);
            paths = [.. Enumerable.Range(0, meta.Files.Count).Where(i => !meta.Files[i].IsPadding).Select(store.GetFullPath)];
        }
        catch (StorageException ex)
        {
            log.LogWarning("not deleting the data of {Name}: {Error}", meta.Name, ex.Message);
            return;
        }
        var folders = new HashSet<string>(StringComparer.Ordinal);
        string root = Path.GetFullPath(downloadDirectory);
        foreach (string path in paths)
        {
            try
            {
                File.Delete(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                log.LogWarning("cannot delete {Path}: {Error}", path, ex.Message);
            }
            for (string? dir = Path.GetDirectoryName(path); dir is not null && dir.Length > root.Length
                && dir.StartsWith(root, StringComparison.Ordinal); dir = Path.GetDirectoryName(dir))
            {
                folders.Add(dir);
            }
        }
        // Deepest first, so a parent is empty by the time it is tried.
        foreach (string dir in folders.OrderByDescending(d => d.Length))
        {
            try
            {
                if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
                {
                    Directory.Delete(dir);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                log.LogDebug("cannot delete folder {Path}: {Error}", dir, ex.Message);
            }
        }
    }
}

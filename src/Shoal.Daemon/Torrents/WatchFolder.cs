using Microsoft.Extensions.Logging;
using Shoal.Bencoding;
using Shoal.Protocol.Metainfo;

namespace Shoal.Daemon.Torrents;

/// <summary>
/// Polls a folder for *.torrent files (polling works on every file system, network shares included). Each is added,
/// then renamed to *.added (or deleted when trash-original-torrent-files is on). A file written less than a second
/// ago is left for the next look, so a half-copied file is not read; a broken one is reported once and left alone.
/// </summary>
public sealed class WatchFolder
{
    private static readonly TimeSpan Settle = TimeSpan.FromSeconds(1);
    private readonly string _path;
    private readonly TorrentRegistry _registry;
    private readonly ILogger _log;
    private readonly Dictionary<string, DateTime> _rejected = new(StringComparer.Ordinal);

    public WatchFolder(string path, TorrentRegistry registry, ILogger log)
    {
        _path = Path.GetFullPath(path);
        _registry = registry;
        _log = log;
        Directory.CreateDirectory(_path);
    }

    public async Task ScanAsync()
    {
        string[] files;
        try
        {
            files = Directory.GetFiles(_path, "*.torrent");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log.LogWarning("watch folder {Path}: {Error}", _path, ex.Message);
            return;
        }
        foreach (string file in files.Order(StringComparer.Ordinal))
        {
            try
            {
                var info = new FileInfo(file);
                if (DateTime.UtcNow - info.LastWriteTimeUtc < Settle
                    || _rejected.TryGetValue(file, out var stamp) && stamp == info.LastWriteTimeUtc)
                {
                    continue;
                }
                byte[] bytes = await File.ReadAllBytesAsync(file).ConfigureAwait(false);
                try
                {
                    var result = await _registry.AddAsync(new AddRequest { TorrentFile = bytes }).ConfigureAwait(false);
                    _log.LogInformation("watch folder: {File} {What}", Path.GetFileName(file), result.Duplicate ? "was already added" : "added");
                }
                catch (Exception ex) when (ex is MetainfoException or BencodeException)
                {
                    _rejected[file] = info.LastWriteTimeUtc;
                    _log.LogWarning("watch folder: {File} is not a valid torrent ({Error}); left alone", Path.GetFileName(file), ex.Message);
                    continue;
                }
                _rejected.Remove(file);
                if (_registry.Settings.RenameAddedTorrents)
                {
                    File.Move(file, file + ".added", overwrite: true);
                }
                else
                {
                    File.Delete(file);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _log.LogWarning("watch folder: {File}: {Error}", Path.GetFileName(file), ex.Message);
            }
        }
    }
}

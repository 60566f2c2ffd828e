using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Shoal.Daemon.State;

/// <summary>
/// The state folder (<c>--data-dir</c>):
/// <code>
/// settings.json              session settings and cumulative stats
/// torrents/HASH.torrent      each added torrent, as added (or as fetched for a magnet)
/// torrents/HASH.json         its state: paused, download folder, dates, files wanted, priorities, limits, counters
/// resume/HASH.resume         the engine's resume data (which pieces are verified, file sizes and times)
/// </code>
/// Every write goes to a temp file that is flushed to disk and then renamed over the old one, so a crash (kill -9,
/// power loss) leaves either the old or the new file, never half of one. Thread-safe: writes of one file are
/// serialised by a lock per store.
/// </summary>
public sealed class StateStore
{
    private readonly ILogger _log;
    private readonly Lock _gate = new();

    public StateStore(string root, ILogger log)
    {
        Root = Path.GetFullPath(root);
        TorrentsDirectory = Path.Combine(Root, "torrents");
        ResumeDirectory = Path.Combine(Root, "resume");
        _log = log;
        Directory.CreateDirectory(TorrentsDirectory);
    }

    public string Root { get; }

    public string TorrentsDirectory { get; }

    /// <summary>The engine's resume files (HASH.resume), so data folders stay free of daemon files.</summary>
    public string ResumeDirectory { get; }

    public string SettingsPath => Path.Combine(Root, "settings.json");

    public string TorrentPath(string infoHash) => Path.Combine(TorrentsDirectory, infoHash + ".torrent");

    public string RecordPath(string infoHash) => Path.Combine(TorrentsDirectory, infoHash + ".json");

    public DaemonSettings LoadSettings()
    {
        try
        {
            if (File.Exists(SettingsPath))
            {
                return JsonSerializer.Deserialize(File.ReadAllBytes(SettingsPath), StateJsonContext.Default.DaemonSettings) ?? new DaemonSettings();
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            _log.LogWarning("settings.json unreadable ({Error}); using defaults", ex.Message);
        }
        return new DaemonSettings();
    }

    public void SaveSettings(DaemonSettings settings) =>
        WriteAtomic(SettingsPath, JsonSerializer.SerializeToUtf8Bytes(settings, StateJsonContext.Default.DaemonSettings));

    public void SaveRecord(TorrentRecord record) =>
        WriteAtomic(RecordPath(record.InfoHash), JsonSerializer.SerializeToUtf8Bytes(record, StateJsonContext.Default.TorrentRecord));

    public void SaveTorrentFile(string infoHash, ReadOnlySpan<byte> torrent) => WriteAtomic(TorrentPath(infoHash), torrent);

    /// <summary>Every readable record; unreadable ones are logged and skipped (their .torrent stays for a later look).</summary>
    public List<TorrentRecord> LoadRecords()
    {
        var records = new List<TorrentRecord>();
        foreach (string path in Directory.EnumerateFiles(TorrentsDirectory, "*.json"))
        {
            try
            {
                var r = JsonSerializer.Deserialize(File.ReadAllBytes(path), StateJsonContext.Default.TorrentRecord);
                if (r is not null && string.Equals(Path.GetFileNameWithoutExtension(path), r.InfoHash, StringComparison.Ordinal))
                {
                    records.Add(r);
                }
                else
                {
                    _log.LogWarning("{Path}: not a torrent state file; skipped", path);
                }
            }
            catch (Exception ex) when (ex is JsonException or IOException)
            {
                _log.LogWarning("{Path}: unreadable ({Error}); skipped", path, ex.Message);
            }
        }
        // Temp files left by a crash mid-write are stale copies: the rename never happened.
        foreach (string tmp in Directory.EnumerateFiles(TorrentsDirectory, "*.tmp"))
        {
            TryDelete(tmp);
        }
        return records;
    }

    public void Delete(string infoHash)
    {
        lock (_gate)
        {
            TryDelete(RecordPath(infoHash));
            TryDelete(TorrentPath(infoHash));
            TryDelete(Path.Combine(ResumeDirectory, infoHash + ".resume"));
        }
    }

    private void WriteAtomic(string path, ReadOnlySpan<byte> bytes)
    {
        lock (_gate)
        {
            string temp = path + ".tmp";
            using (var f = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                f.Write(bytes);
                f.Flush(flushToDisk: true);
            }
            File.Move(temp, path, overwrite: true);
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (IOException ex)
        {
            _log.LogWarning("cannot delete {Path}: {Error}", path, ex.Message);
        }
    }
}

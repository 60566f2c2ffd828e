using Microsoft.Extensions.Logging;
using Shoal.Daemon.State;
using Shoal.Engine;
using Shoal.Protocol.Metainfo;

namespace Shoal.Daemon.Torrents;

/// <summary>
/// Every torrent of the daemon, keyed by RPC id and info hash, and the one place their state changes. Mutations
/// (add, start, stop, remove, set, the queue tick) are serialised by one async lock; each saves the changed record
/// at once. Reads (torrent-get, the web page) take no lock. The engine does the BitTorrent work; this class only
/// decides which torrents run (DESIGN.md rule 10).
/// </summary>
public sealed partial class TorrentRegistry : IAsyncDisposable
{
    private readonly ShoalEngine _engine;
    private readonly StateStore _store;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _ops = new(1, 1);
    private readonly Lock _mapGate = new();
    private readonly Dictionary<int, ManagedTorrent> _byId = [];
    private readonly Dictionary<string, ManagedTorrent> _byHash = new(StringComparer.Ordinal);
    private readonly Dictionary<int, long> _removed = [];
    private volatile ManagedTorrent[] _all = [];
    private int _nextId = 1;
    private int _nextQueuePosition;
    private bool _disposed;

    public TorrentRegistry(ShoalEngine engine, StateStore store, DaemonSettings settings, string downloadDirectory,
        ILoggerFactory loggers, TimeProvider? time = null)
    {
        _engine = engine;
        _store = store;
        Settings = settings;
        DefaultDownloadDirectory = downloadDirectory;
        _log = loggers.CreateLogger("Shoal.Daemon");
        _loggers = loggers;
        _time = time ?? TimeProvider.System;
    }

    private readonly ILoggerFactory _loggers;

    /// <summary>The live settings; change them only through <see cref="UpdateSettingsAsync"/>.</summary>
    public DaemonSettings Settings { get; }

    public string DefaultDownloadDirectory { get; }

    public string DownloadDirectory => Settings.DownloadDirectory ?? DefaultDownloadDirectory;

    /// <summary>Every torrent, in id order (a snapshot array; safe to enumerate while torrents are added).</summary>
    public IReadOnlyList<ManagedTorrent> All => _all;

    public ShoalEngine Engine => _engine;

    public long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    public ManagedTorrent? FindById(int id)
    {
        lock (_mapGate)
        {
            return _byId.GetValueOrDefault(id);
        }
    }

    public ManagedTorrent? FindByHash(string hash)
    {
        lock (_mapGate)
        {
            return _byHash.GetValueOrDefault(hash.ToLowerInvariant());
        }
    }

    /// <summary>Ids removed in the last <paramref name="seconds"/> (Transmission's "removed" list for recently-active).</summary>
    public IReadOnlyList<int> RemovedSince(long seconds)
    {
        long since = Now - seconds;
        lock (_mapGate)
        {
            return _removed.Where(kv => kv.Value >= since).Select(kv => kv.Key).ToArray();
        }
    }

    /// <summary>Loads the state folder: every torrent comes back as it was (the queue tick then starts the active ones).</summary>
    public async Task LoadAsync()
    {
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            foreach (var record in _store.LoadRecords().OrderBy(r => r.QueuePosition))
            {
                TorrentMetainfo? meta = null;
                if (record.MagnetUri is null)
                {
                    try
                    {
                        meta = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(_store.TorrentPath(record.InfoHash)).ConfigureAwait(false));
                    }
                    catch (Exception ex) when (ex is IOException or FormatException or Shoal.Bencoding.BencodeException)
                    {
                        _log.LogWarning("{Hash}: cannot load its .torrent ({Error}); skipped", record.InfoHash, ex.Message);
                        continue;
                    }
                }
                if (FindByHash(record.InfoHash) is not null)
                {
                    continue;
                }
                if (record.Id <= 0 || FindById(record.Id) is not null)
                {
                    record.Id = _nextId;
                }
                var t = new ManagedTorrent(record, meta);
                EnsureFileLists(t);
                Register(t);
                if (record.MagnetUri is not null && !record.Paused)
                {
                    StartMetadataFetch(t);
                }
            }
            _nextQueuePosition = _all.Length == 0 ? 0 : _all.Max(t => t.Record.QueuePosition) + 1;
        }
        finally
        {
            _ops.Release();
        }
    }

    /// <summary>Adds a .torrent or a magnet link; an info hash already present is returned as a duplicate.</summary>
    public async Task<AddResult> AddAsync(AddRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Magnet is not null)
        {
            return await AddMagnetAsync(request).ConfigureAwait(false);
        }
        byte[] bytes = request.TorrentFile ?? throw new ArgumentException("nothing to add: give a .torrent or a magnet link");
        var meta = TorrentMetainfo.Parse(bytes);
        string hash = meta.InfoHash.ToHex();
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (FindByHash(hash) is { } existing)
            {
                if (existing.Metainfo is null)
                {
                    // A magnet still waiting for its metadata: the .torrent supplies it.
                    _store.SaveTorrentFile(hash, bytes);
                    AdoptMetainfo(existing, meta);
                }
                return new AddResult(existing, Duplicate: true);
            }
            _store.SaveTorrentFile(hash, bytes);
            var t = new ManagedTorrent(NewRecord(hash, meta.Name, request), meta);
            EnsureFileLists(t);
            ApplyFileSelection(t.Record, request.FilesWanted, request.FilesUnwanted, request.PriorityHigh, request.PriorityNormal, request.PriorityLow);
            Register(t);
            Save(t);
            Settings.FilesAdded += meta.Files.Count;
            _log.LogInformation("added {Name} ({Hash}) as id {Id}", meta.Name, hash, t.Id);
            await RunQueueAsync().ConfigureAwait(false);
            return new AddResult(t, Duplicate: false);
        }
        finally
        {
            _ops.Release();
        }
    }

    /// <summary>Stops and forgets a torrent; with <paramref name="deleteData"/> its files (and emptied folders) go too.</summary>
    public async Task RemoveAsync(ManagedTorrent t, bool deleteData)
    {
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            if (FindById(t.Id) != t)
            {
                return;
            }
            await StopSessionAsync(t).ConfigureAwait(false);
            t.MetadataFetch?.Cancel();
            lock (_mapGate)
            {
                _byId.Remove(t.Id);
                _byHash.Remove(t.InfoHash);
                _removed[t.Id] = Now;
                _all = [.. _byId.Values.OrderBy(x => x.Id)];
            }
            _store.Delete(t.InfoHash);
            if (deleteData && t.Metainfo is { } meta)
            {
                DataFiles.Delete(meta, t.Record.DownloadDirectory, _log);
            }
            _log.LogInformation("removed {Name} (id {Id}){Data}", t.Record.Name, t.Id, deleteData ? " and its data" : "");
        }
        finally
        {
            _ops.Release();
        }
    }

    /// <summary>Changes a torrent's saved settings (torrent-set) and saves them.</summary>
    public async Task UpdateAsync(ManagedTorrent t, Action<TorrentRecord> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            change(t.Record);
            EnsureFileLists(t);
            Touch(t);
            Save(t);
            ApplyLimits(t);
        }
        finally
        {
            _ops.Release();
        }
    }

    /// <summary>Changes the session settings (session-set), saves them and applies them.</summary>
    public async Task UpdateSettingsAsync(Action<DaemonSettings> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            change(Settings);
            _store.SaveSettings(Settings);
            ApplyGlobalLimits();
            await RunQueueAsync().ConfigureAwait(false);
        }
        finally
        {
            _ops.Release();
        }
    }

    private TorrentRecord NewRecord(string hash, string name, AddRequest request)
    {
        long now = Now;
        return new TorrentRecord
        {
            InfoHash = hash,
            Name = name,
            DownloadDirectory = Path.GetFullPath(request.DownloadDirectory ?? DownloadDirectory),
            Paused = request.Paused ?? !Settings.StartAddedTorrents,
            AddedDate = now,
            ActivityDate = now,
            QueuePosition = _nextQueuePosition++,
            SeedRatioLimit = Settings.SeedRatioLimit,
        };
    }

    private void Register(ManagedTorrent t)
    {
        lock (_mapGate)
        {
            if (t.Record.Id <= 0)
            {
                t.Record.Id = _nextId;
            }
            _nextId = Math.Max(_nextId, t.Record.Id + 1);
            _byId[t.Id] = t;
            _byHash[t.InfoHash] = t;
            _all = [.. _byId.Values.OrderBy(x => x.Id)];
        }
        Touch(t);
    }

    private void Touch(ManagedTorrent t) => t.ChangedAt = Now;

    private void Save(ManagedTorrent t)
    {
        try
        {
            _store.SaveRecord(t.Record.Clone());
        }
        catch (IOException ex)
        {
            _log.LogError("cannot save the state of {Name}: {Error}", t.Record.Name, ex.Message);
        }
    }

    /// <summary>Once the metadata is known, every file has a wanted flag and a priority.</summary>
    private static void EnsureFileLists(ManagedTorrent t)
    {
        if (t.Metainfo is not { } meta)
        {
            return;
        }
        int n = meta.Files.Count;
        if (t.Record.Wanted.Count != n)
        {
            t.Record.Wanted = [.. Enumerable.Range(0, n).Select(i => i >= t.Record.Wanted.Count || t.Record.Wanted[i])];
        }
        if (t.Record.Priorities.Count != n)
        {
            t.Record.Priorities = [.. Enumerable.Range(0, n).Select(i => i < t.Record.Priorities.Count ? t.Record.Priorities[i] : 0)];
        }
    }

    /// <summary>Applies Transmission-style file index lists; out-of-range indices are ignored.</summary>
    public static void ApplyFileSelection(TorrentRecord r, IReadOnlyList<int>? wanted, IReadOnlyList<int>? unwanted,
        IReadOnlyList<int>? high, IReadOnlyList<int>? normal, IReadOnlyList<int>? low)
    {
        ArgumentNullException.ThrowIfNull(r);
        var w = r.Wanted.ToList();
        var p = r.Priorities.ToList();
        Set(w, wanted, true);
        Set(w, unwanted, false);
        Set(p, high, 1);
        Set(p, normal, 0);
        Set(p, low, -1);
        r.Wanted = w;
        r.Priorities = p;

        static void Set<T>(List<T> list, IReadOnlyList<int>? indices, T value)
        {
            // Transmission: an empty list means every file.
            if (indices is null)
            {
                return;
            }
            IEnumerable<int> all = indices.Count == 0 ? Enumerable.Range(0, list.Count) : indices;
            foreach (int i in all)
            {
                if (i >= 0 && i < list.Count)
                {
                    list[i] = value;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _ops.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
            foreach (var t in _all)
            {
                t.MetadataFetch?.Cancel();
            }
            // Stopping for shutdown is not pausing: every torrent comes back as it was.
            await Task.WhenAll(_all.Select(StopSessionAsync)).ConfigureAwait(false);
            foreach (var t in _all)
            {
                Save(t);
            }
            _store.SaveSettings(Settings);
        }
        finally
        {
            _ops.Release();
        }
    }
}

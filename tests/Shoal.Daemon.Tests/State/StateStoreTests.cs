using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Daemon.State;

namespace Shoal.Daemon.Tests.State;

public sealed class StateStoreTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"shoal-state-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private StateStore Store() => new(_root, NullLogger.Instance);

    [Fact]
    public void A_saved_record_loads_back_with_every_field()
    {
        var record = new TorrentRecord
        {
            InfoHash = new string('a', 40),
            Id = 7,
            Name = "x",
            DownloadDirectory = "/data",
            Paused = true,
            Complete = true,
            AddedDate = 1_700_000_000,
            UploadedEver = 123,
            Wanted = [true, false],
            Priorities = [1, -1],
            SeedRatioMode = 1,
            SeedRatioLimit = 1.5,
            Peers = ["127.0.0.1:6881"],
        };
        Store().SaveRecord(record);
        var loaded = Assert.Single(Store().LoadRecords());
        Assert.Equal(7, loaded.Id);
        Assert.True(loaded.Paused);
        Assert.True(loaded.Complete);
        Assert.Equal(123, loaded.UploadedEver);
        Assert.Equal([true, false], loaded.Wanted);
        Assert.Equal([1, -1], loaded.Priorities);
        Assert.Equal(1.5, loaded.SeedRatioLimit);
        Assert.Equal(["127.0.0.1:6881"], loaded.Peers);
    }

    [Fact]
    public void A_crash_between_write_and_rename_leaves_the_old_record_and_the_temp_file_is_dropped()
    {
        var store = Store();
        store.SaveRecord(new TorrentRecord { InfoHash = new string('b', 40), DownloadDirectory = "/d", Name = "old" });
        File.WriteAllText(store.RecordPath(new string('b', 40)) + ".tmp", "{\"infoHash\":\"bbb");
        var loaded = Assert.Single(Store().LoadRecords());
        Assert.Equal("old", loaded.Name);
        Assert.Empty(Directory.GetFiles(store.TorrentsDirectory, "*.tmp"));
    }

    [Fact]
    public void Unreadable_or_misnamed_records_are_skipped()
    {
        var store = Store();
        store.SaveRecord(new TorrentRecord { InfoHash = new string('c', 40), DownloadDirectory = "/d" });
        File.WriteAllText(Path.Combine(store.TorrentsDirectory, new string('d', 40) + ".json"), "not json");
        File.Copy(store.RecordPath(new string('c', 40)), Path.Combine(store.TorrentsDirectory, new string('e', 40) + ".json"));
        var loaded = Assert.Single(Store().LoadRecords());
        Assert.Equal(new string('c', 40), loaded.InfoHash);
    }

    [Fact]
    public void Settings_round_trip_and_default_when_missing()
    {
        Assert.Equal(5, Store().LoadSettings().DownloadQueueSize);
        var settings = new DaemonSettings { DownloadQueueSize = 2, SeedRatioLimited = true, CumulativeUploaded = 99 };
        Store().SaveSettings(settings);
        var loaded = Store().LoadSettings();
        Assert.Equal(2, loaded.DownloadQueueSize);
        Assert.True(loaded.SeedRatioLimited);
        Assert.Equal(99, loaded.CumulativeUploaded);
    }
}

using Shoal.Daemon.State;
using Shoal.Daemon.Torrents;

namespace Shoal.Daemon.Tests.Torrents;

public sealed class FileSelectionTests
{
    private static TorrentRecord Record(int files) => new()
    {
        InfoHash = new string('a', 40),
        DownloadDirectory = "/d",
        Wanted = [.. Enumerable.Repeat(true, files)],
        Priorities = [.. Enumerable.Repeat(0, files)],
    };

    [Fact]
    public void Listed_indices_change_and_others_stay()
    {
        var r = Record(4);
        TorrentRegistry.ApplyFileSelection(r, wanted: null, unwanted: [1, 3], high: [0], normal: null, low: [2]);
        Assert.Equal([true, false, true, false], r.Wanted);
        Assert.Equal([1, 0, -1, 0], r.Priorities);
    }

    [Fact]
    public void An_empty_list_means_every_file_as_in_transmission()
    {
        var r = Record(3);
        TorrentRegistry.ApplyFileSelection(r, wanted: null, unwanted: [], high: null, normal: null, low: []);
        Assert.All(r.Wanted, w => Assert.False(w));
        Assert.All(r.Priorities, p => Assert.Equal(-1, p));
    }

    [Fact]
    public void Out_of_range_indices_are_ignored()
    {
        var r = Record(2);
        TorrentRegistry.ApplyFileSelection(r, wanted: null, unwanted: [-1, 2, 99], high: [5], normal: null, low: null);
        Assert.Equal([true, true], r.Wanted);
        Assert.Equal([0, 0], r.Priorities);
    }

    [Fact]
    public void Lists_are_replaced_not_edited_so_readers_never_see_a_torn_list()
    {
        var r = Record(2);
        var before = r.Wanted;
        TorrentRegistry.ApplyFileSelection(r, wanted: null, unwanted: [0], high: null, normal: null, low: null);
        Assert.NotSame(before, r.Wanted);
        Assert.Equal([true, true], before);
    }
}

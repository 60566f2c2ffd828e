using System.Diagnostics;
using Shoal.Bencoding;
using Shoal.Protocol.Metainfo;
using Xunit.Abstractions;
using static Shoal.Protocol.Tests.Metainfo.TestTorrents;

namespace Shoal.Protocol.Tests.Metainfo;

/// <summary>
/// Big-but-legal torrents must parse (linear checks); the times are printed, never asserted. CPU time is printed too
/// because wall time on a shared machine says little. Run alone: dotnet test --filter ParserSpeedTests -c Release.
/// </summary>
public class ParserSpeedTests(ITestOutputHelper output)
{
    [Fact]
    public void Hundred_thousand_files()
    {
        var files = Enumerable.Range(0, 100_000)
            .Select(i => (P($"dir{i % 100}", $"file{i}.bin"), (long)1000)).ToArray();
        byte[] bytes = Torrent(MultiInfo("many", files));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var meta = TorrentMetainfo.Parse(bytes);
        output.WriteLine($"100,000 files ({bytes.Length / 1024} KiB): first parse {sw.ElapsedMilliseconds} ms");
        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        sw.Restart();
        meta = TorrentMetainfo.Parse(bytes);
        output.WriteLine($"100,000 files ({bytes.Length / 1024} KiB): second parse in {sw.ElapsedMilliseconds} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU");
        Assert.Equal(100_000, meta.Files.Count);
    }

    [Fact]
    public void Hundred_thousand_files_with_the_same_sanitised_name()
    {
        var files = Enumerable.Range(0, 100_000).Select(i => (P(i % 2 == 0 ? $"/{i}" : $"\\{i - 1}"), (long)1)).ToArray();
        byte[] bytes = Torrent(MultiInfo("many", files));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var meta = TorrentMetainfo.Parse(bytes);
        output.WriteLine($"100,000 colliding files: parsed in {sw.ElapsedMilliseconds} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU");
        Assert.Equal(100_000, meta.Files.Select(f => f.Path).Distinct().Count());
    }

    [Fact]
    public void Million_pieces()
    {
        byte[] bytes = Torrent(Info("big.iso", 1_000_000L * PieceLength));
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var meta = TorrentMetainfo.Parse(bytes);
        output.WriteLine($"1,000,000 pieces ({bytes.Length / 1024 / 1024} MiB): parsed in {sw.ElapsedMilliseconds} ms wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds:F0} ms CPU");
        Assert.Equal(1_000_000, meta.PieceCount);
    }
}

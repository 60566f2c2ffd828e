using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>A file of a test torrent, as libtorrent laid it out (path includes the torrent name for multi-file).</summary>
public sealed record TorrentFileEntry(string Path, long Length);

/// <summary>Facts about a torrent made by <c>make_torrent.py</c> (libtorrent), known without Shoal's own parser.</summary>
public sealed record TestTorrent(string TorrentPath, string InfoHash, string Name, int PieceLength, int PieceCount,
    long TotalLength, IReadOnlyList<TorrentFileEntry> Files)
{
    /// <summary>The torrent's bytes in piece order: the files concatenated as listed.</summary>
    public byte[] ReadContent(string saveDir)
    {
        var all = new byte[TotalLength];
        long at = 0;
        foreach (var f in Files)
        {
            using var s = File.OpenRead(System.IO.Path.Combine(saveDir, f.Path));
            s.ReadExactly(all, (int)at, (int)f.Length);
            at += f.Length;
        }
        return all;
    }
}

/// <summary>
/// Runs libtorrent (Debian's python3-libtorrent) through the driver scripts in tests/Shoal.Interop.Tests/scripts:
/// a seeder that prints its port and stays up, or a leecher that exits 0 once complete.
/// </summary>
public sealed partial class LibtorrentPeer : IDisposable
{
    public const string Python = "/usr/bin/python3";

    private LibtorrentPeer(ExternalProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public static string ScriptsDir => Path.Combine(RepoPaths.Root, "tests", "Shoal.Interop.Tests", "scripts");

    public ExternalProcess Process { get; }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Makes a v1 torrent of a file or folder with libtorrent's creator.</summary>
    public static async Task<TestTorrent> MakeTorrentAsync(string path, string torrentPath, int pieceSize,
        string? tracker = null)
    {
        var args = new List<string> { Path.Combine(ScriptsDir, "make_torrent.py"), path, torrentPath,
            "--piece-size", pieceSize.ToString(CultureInfo.InvariantCulture) };
        if (tracker is not null)
        {
            args.AddRange(["--tracker", tracker]);
        }
        using var p = await ExternalProcess.RunAsync(Python, args, TimeSpan.FromSeconds(60));
        Assert.True(p.ExitCode == 0, $"make_torrent.py failed ({p.ExitCode}):\n{p.StandardOutput}\n{p.StandardError}");
        using var doc = JsonDocument.Parse(p.StandardOutput.Trim());
        var r = doc.RootElement;
        var files = r.GetProperty("files").EnumerateArray()
            .Select(f => new TorrentFileEntry(f.GetProperty("path").GetString()!, f.GetProperty("length").GetInt64()))
            .ToList();
        return new TestTorrent(torrentPath, r.GetProperty("infoHash").GetString()!, r.GetProperty("name").GetString()!,
            r.GetProperty("pieceLength").GetInt32(), r.GetProperty("pieceCount").GetInt32(),
            r.GetProperty("totalLength").GetInt64(), files);
    }

    /// <summary>Starts a seeder over <paramref name="dataDir"/> (the folder that holds the torrent's name) and
    /// waits until it has checked the data and listens.</summary>
    public static Task<LibtorrentPeer> StartSeederAsync(string torrent, string dataDir, int port = 0,
        IEnumerable<string>? peers = null, long uploadLimit = 0)
    {
        var args = new List<string> { Path.Combine(ScriptsDir, "lt_seed.py"), torrent, dataDir,
            "--port", port.ToString(CultureInfo.InvariantCulture),
            "--upload-limit", uploadLimit.ToString(CultureInfo.InvariantCulture) };
        return StartAsync(args, peers);
    }

    /// <summary>Starts a leecher that saves into <paramref name="outDir"/> and exits 0 once complete.</summary>
    public static Task<LibtorrentPeer> StartLeecherAsync(string torrent, string outDir, int port = 0,
        IEnumerable<string>? peers = null)
    {
        Directory.CreateDirectory(outDir);
        var args = new List<string> { Path.Combine(ScriptsDir, "lt_leech.py"), torrent, outDir,
            "--port", port.ToString(CultureInfo.InvariantCulture) };
        return StartAsync(args, peers);
    }

    private static async Task<LibtorrentPeer> StartAsync(List<string> args, IEnumerable<string>? peers)
    {
        foreach (var peer in peers ?? [])
        {
            args.AddRange(["--peer", peer]);
        }
        var p = ExternalProcess.Start(Python, args);
        int? port = await WaitForListeningPortAsync(p, TimeSpan.FromSeconds(60));
        if (port is null)
        {
            string why = $"libtorrent ({string.Join(' ', args.Select(Path.GetFileName))}) did not report a port:\n"
                + $"stdout:\n{p.StandardOutput}\nstderr:\n{p.StandardError}";
            p.Dispose();
            throw new InvalidOperationException(why);
        }
        return new LibtorrentPeer(p, port.Value);
    }

    /// <summary>Waits for a line <c>listening on port N</c> (the same contract for libtorrent scripts and shoal).</summary>
    public static async Task<int?> WaitForListeningPortAsync(ExternalProcess p, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var m = ListeningLine().Match(p.StandardOutput + "\n" + p.StandardError);
            if (m.Success)
            {
                return int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            }
            if (p.HasExited)
            {
                return null;
            }
            await Task.Delay(50);
        }
        return null;
    }

    /// <summary>
    /// The seeder's upload counter once it has settled: the script prints it every second, and libtorrent updates it
    /// on its own one-second tick, so a reading taken just after a transfer can still be the old value. Waits (at most
    /// ~30 s) for two fresh lines that agree and are at least <paramref name="atLeast"/> (what the downloader says it
    /// received, when the test knows it).
    /// </summary>
    public async Task<long> SettledUploadedAsync(long atLeast = 0)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        int seen = UploadedReadings().Count;
        while (true)
        {
            await Task.Delay(300);
            var readings = UploadedReadings();
            bool settled = readings.Count >= seen + 2 && readings[^1] == readings[^2] && readings[^1] >= atLeast;
            if (settled || DateTime.UtcNow > deadline)
            {
                return readings.Count == 0 ? 0 : readings[^1];
            }
        }
    }

    private List<long> UploadedReadings() =>
        UploadedLine().Matches(Process.StandardOutput).Select(m => long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToList();

    /// <summary>Payload bytes the seeder reports having uploaded (its last <c>uploaded N</c> line; 0 before the first).</summary>
    public long Uploaded => UploadedReadings() is [.., long last] ? last : 0;

    public Task WaitForExitAsync(TimeSpan timeout) => Process.WaitForExitAsync(timeout);

    public void Dispose() => Process.Dispose();

    [GeneratedRegex(@"listening on port (\d+)")]
    private static partial Regex ListeningLine();

    [GeneratedRegex(@"^uploaded (\d+)", RegexOptions.Multiline)]
    private static partial Regex UploadedLine();
}

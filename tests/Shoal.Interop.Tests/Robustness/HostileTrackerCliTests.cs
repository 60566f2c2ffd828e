using System.Text.Json;
using Shoal.Interop.Tests.Cli;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Interop.Tests.Swarm;

namespace Shoal.Interop.Tests.Robustness;

/// <summary>
/// <c>shoal download</c> of a torrent whose every tracker is hostile (junk, 500, a redirect loop, silence, a million
/// peers): each tracker shows a clear status in the JSON output, the download completes through <c>--peer</c>, and
/// the million-peer response is refused by its size without being read.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed class HostileTrackerCliTests
{
    [Fact]
    public async Task Hostile_trackers_each_get_a_clear_status_and_the_download_completes_through_peer()
    {
        using var scope = new SwarmScope("shoal-hostile-trackers");
        var trackers = Enum.GetValues<TrackerMisbehaviour>()
            .ToDictionary(m => m, m => scope.Add($"{m} tracker", new RawHttpTracker(m)));
        string saveDir = scope.Dir.Sub("seed");
        string file = Payload.WriteSingle(saveDir, "tracked.bin", 4_000_000, 91);
        string torrent = Path.Combine(scope.Path, "tracked.torrent");
        var args = new List<string> { "create", file, "-o", torrent };
        foreach (var t in trackers.Values)
        {
            args.AddRange(["-t", t.AnnounceUrl]);
        }
        using (var create = await ShoalRunner.RunAsync([.. args]))
        {
            Assert.True(create.ExitCode == 0, create.StandardError);
        }
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(torrent, saveDir));
        string outDir = scope.Dir.Sub("shoal-out");
        var shoal = scope.Add("shoal download", ShoalProcess.StartDownload(torrent, outDir,
            new ShoalDownloadOptions { Peers = [seeder.Endpoint], Json = true, Verbose = false, Seed = true }));

        // Complete, and every tracker settled as not working, except the silent one, which only times out after the
        // 20 s HTTP timeout: it must show as updating meanwhile (the session test covers its timeout with a short one).
        var settling = trackers.Where(t => t.Key != TrackerMisbehaviour.Silent).Select(t => t.Value).ToArray();
        string silentUrl = trackers[TrackerMisbehaviour.Silent].AnnounceUrl;
        var deadline = DateTime.UtcNow + SwarmScope.TransferTimeout;
        Dictionary<string, (string State, string? Error)> states = [];
        while (true)
        {
            Assert.False(shoal.Process.HasExited, $"shoal exited\n{scope.Report()}");
            states = TrackerStates(shoal);
            bool complete = shoal.JsonMax("piecesHave") is long have && have > 0 && have == shoal.JsonNumber("piecesTotal");
            if (complete && settling.All(t => states.TryGetValue(t.AnnounceUrl, out var s) && s.State == "notWorking")
                && states.TryGetValue(silentUrl, out var silent) && silent.State is "updating" or "notWorking")
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"not complete with every tracker settled: {Describe(states)}\n{scope.Report()}");
            await Task.Delay(250);
        }
        shoal.Process.Kill();
        Assert.Equal(Payload.HashFile(file), Payload.HashFile(Path.Combine(outDir, "tracked.bin")));

        string Error(TrackerMisbehaviour m) => states[trackers[m].AnnounceUrl].Error ?? "";
        foreach (var m in trackers.Keys.Where(m => m != TrackerMisbehaviour.Silent))
        {
            Assert.False(string.IsNullOrWhiteSpace(Error(m)), $"{m}: no lastError\n{Describe(states)}");
        }
        Assert.Contains("500", Error(TrackerMisbehaviour.ServerError), StringComparison.Ordinal);
        Assert.Contains("302", Error(TrackerMisbehaviour.RedirectLoop), StringComparison.Ordinal);
        Assert.Contains("too large", Error(TrackerMisbehaviour.MillionPeers), StringComparison.OrdinalIgnoreCase);
    }

    private static string Describe(Dictionary<string, (string State, string? Error)> states) =>
        string.Join('\n', states.Select(s => $"{s.Key}: {s.Value.State} {s.Value.Error}"));

    /// <summary>The trackers array of the last JSON status line, by URL.</summary>
    private static Dictionary<string, (string State, string? Error)> TrackerStates(ShoalProcess shoal)
    {
        var result = new Dictionary<string, (string, string?)>();
        if (shoal.LastJson() is { } json && json.TryGetProperty("trackers", out var list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (var t in list.EnumerateArray())
            {
                result[t.GetProperty("url").GetString()!] = (t.GetProperty("state").GetString()!,
                    t.TryGetProperty("lastError", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null);
            }
        }
        return result;
    }
}

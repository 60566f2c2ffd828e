using System.Text.RegularExpressions;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Dht;

/// <summary>The DHT options of <c>shoal download</c>: where the routing table lives between runs.</summary>
public sealed partial class DhtCliTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_routing_table_is_saved_under_XDG_STATE_HOME_and_its_node_id_reused_by_the_next_run()
    {
        using var dir = new TempDir("shoal-dht-cli");
        await using var dht = await LoopbackDht.StartAsync(2);
        string data = dir.Sub("data");
        string file = Payload.WriteSingle(data, "done.bin", 100_000, 5);
        var torrent = await LibtorrentPeer.MakeTorrentAsync(file, Path.Combine(dir.Path, "done.torrent"), 16 * 1024);
        var env = new Dictionary<string, string> { ["XDG_STATE_HOME"] = dir.Sub("state") };
        // The data is complete, so each run checks it and exits 0; a bootstrap node that does not resolve is no error.
        string[] args = ["download", torrent.TorrentPath, "-o", data, "--port", "0", "--dht-node", dht.Entry,
            "--dht-node", "no-such-host.invalid:6881", "--verbose"];

        using var first = await ExternalProcess.RunAsync(RepoPaths.ShoalExe, args, Timeout, environment: env);
        Assert.True(first.ExitCode == 0, $"exit {first.ExitCode}\n{first.StandardOutput}\n{first.StandardError}");
        string state = Path.Combine(dir.Path, "state", "shoal", "dht.dat");
        Assert.True(File.Exists(state), $"no routing table at {state}\n{first.StandardError}");
        string id = NodeId(first.StandardError);

        using var second = await ExternalProcess.RunAsync(RepoPaths.ShoalExe, args, Timeout, environment: env);
        Assert.True(second.ExitCode == 0, $"exit {second.ExitCode}\n{second.StandardOutput}\n{second.StandardError}");
        Assert.Equal(id, NodeId(second.StandardError));
    }

    private static string NodeId(string log)
    {
        var m = NodeLine().Match(log);
        Assert.True(m.Success, $"no 'DHT node <id>' line in:\n{log}");
        return m.Groups[1].Value;
    }

    [GeneratedRegex("DHT node ([0-9a-f]{40})")]
    private static partial Regex NodeLine();
}

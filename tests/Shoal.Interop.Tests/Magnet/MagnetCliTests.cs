using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Magnet;

/// <summary>The magnet path of <c>shoal download</c> on bad input and unreachable peers (no other client needed).</summary>
public sealed class MagnetCliTests
{
    [Theory]
    [InlineData("magnet:?xt=urn:btih:nothex")]
    [InlineData("magnet:?dn=no-hash")]
    public async Task A_malformed_magnet_is_bad_input(string magnet)
    {
        using var dir = new TempDir("shoal-magnet-cli");
        using var p = await ExternalProcess.RunAsync(RepoPaths.ShoalExe, ["download", magnet, "-o", dir.Path, "--port", "0", "--no-dht"], TimeSpan.FromSeconds(60));
        Assert.True(p.ExitCode == 2, $"exit {p.ExitCode}\n{p.StandardOutput}\n{p.StandardError}");
        Assert.Contains("magnet", p.StandardError);
        Assert.DoesNotContain("   at ", p.StandardError);
    }

    [Fact]
    public async Task A_magnet_with_no_reachable_peer_fails_with_one_line()
    {
        using var dir = new TempDir("shoal-magnet-cli");
        int deadPort;
        using (var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            probe.Start();
            deadPort = ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
        }
        string magnet = $"magnet:?xt=urn:btih:{new string('a', 40)}&x.pe=127.0.0.1:{deadPort}";
        using var p = await ExternalProcess.RunAsync(RepoPaths.ShoalExe, ["download", magnet, "-o", dir.Path, "--port", "0", "--no-dht"], TimeSpan.FromSeconds(60));
        Assert.True(p.ExitCode == 1, $"exit {p.ExitCode}\n{p.StandardOutput}\n{p.StandardError}");
        Assert.Contains("cannot fetch the metadata", p.StandardError);
    }

    [Fact]
    public async Task A_trackerless_magnet_with_no_dht_and_no_peers_says_there_is_no_way_to_find_peers()
    {
        using var dir = new TempDir("shoal-magnet-cli");
        string magnet = $"magnet:?xt=urn:btih:{new string('b', 40)}";
        using var p = await ExternalProcess.RunAsync(RepoPaths.ShoalExe, ["download", magnet, "-o", dir.Path, "--port", "0", "--no-dht"], TimeSpan.FromSeconds(60));
        Assert.True(p.ExitCode == 1, $"exit {p.ExitCode}\n{p.StandardOutput}\n{p.StandardError}");
        Assert.Contains("no way to find peers", p.StandardError);
        Assert.DoesNotContain("   at ", p.StandardError);
    }

    [Theory]
    [InlineData("--dht-node", "nocolon")]
    [InlineData("--dht-node", "127.0.0.1:99999")]
    public async Task A_bad_dht_node_is_bad_input(string option, string value)
    {
        using var dir = new TempDir("shoal-magnet-cli");
        string magnet = $"magnet:?xt=urn:btih:{new string('c', 40)}";
        using var p = await ExternalProcess.RunAsync(RepoPaths.ShoalExe,
            ["download", magnet, "-o", dir.Path, "--port", "0", option, value, "--dht-state", Path.Combine(dir.Path, "dht.dat")], TimeSpan.FromSeconds(60));
        Assert.True(p.ExitCode == 2, $"exit {p.ExitCode}\n{p.StandardOutput}\n{p.StandardError}");
        Assert.Contains("--dht-node", p.StandardError);
    }
}

using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Daemon;

/// <summary><c>shoal daemon</c> as a command: bad arguments are exit 2 with one line; SIGTERM is a clean exit 0.</summary>
public sealed class DaemonCliTests
{
    [Theory]
    [InlineData("--rpc-bind", "nonsense", "--rpc-bind")]
    [InlineData("--max-down", "fast", "--max-down")]
    [InlineData("--allow", "not-an-ip", "--allow")]
    [InlineData("--rpc-user", "alice", "--rpc-password")]
    public async Task Bad_arguments_are_exit_2_with_one_line(string option, string value, string mentioned)
    {
        using var dir = new TempDir("shoal-daemon-cli");
        using var p = await ExternalProcess.RunAsync(RepoPaths.ShoalExe,
            ["daemon", "--data-dir", dir.Path, "--rpc-bind", "127.0.0.1:0", "--port", "0", "--no-dht", option, value], TimeSpan.FromSeconds(60));
        Assert.True(p.ExitCode == 2, $"exit {p.ExitCode}\n{p.StandardOutput}\n{p.StandardError}");
        Assert.Contains(mentioned, p.StandardError);
        Assert.Single(p.StandardError.Trim().Split('\n'));
    }

    [Fact]
    public async Task SIGTERM_stops_cleanly_and_the_torrent_is_there_next_time()
    {
        using var dir = new TempDir("shoal-daemon-term");
        string data = dir.Sub("data");
        var torrent = await LibtorrentPeer.MakeTorrentAsync(Payload.WriteSingle(data, "t.bin", 30_000, seed: 4), Path.Combine(dir.Path, "t.torrent"), 16 * 1024);
        string state = dir.Sub("state");
        using (var daemon = await DaemonProcess.StartAsync(state, data))
        {
            await daemon.RemoteOkAsync("-a", torrent.TorrentPath);
            await daemon.StopAsync();
            Assert.True(daemon.Process.ExitCode == 0, $"exit {daemon.Process.ExitCode}\n{daemon.Output}");
            Assert.Contains("stopping", daemon.Process.StandardError);
        }
        using (var daemon = await DaemonProcess.StartAsync(state, data))
        {
            string list = await daemon.WaitForListAsync(l => l.Contains("t.bin") && l.Contains("100%"), TimeSpan.FromSeconds(30), "the torrent after restart");
            Assert.Matches(@"\n\s+1\s+100%.*t\.bin", list);
        }
    }
}

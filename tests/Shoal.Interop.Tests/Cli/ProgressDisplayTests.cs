using System.Text.Json;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Cli;

/// <summary>
/// What <c>shoal</c> shows people: help with examples when run bare, a progress bar block when stderr is a
/// terminal (a real pseudo-terminal from util-linux <c>script</c>), and no escape sequences when it is not.
/// </summary>
public class ProgressDisplayTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Bare_shoal_prints_help_with_examples_and_exit_codes_and_exits_zero()
    {
        using var p = await ShoalRunner.RunAsync();
        Assert.True(p.ExitCode == 0, p.StandardError);
        Assert.Contains("Commands:", p.StandardOutput);
        Assert.Contains("Examples:", p.StandardOutput);
        Assert.Contains("shoal download", p.StandardOutput);
        Assert.Contains("Exit codes:", p.StandardOutput);
        Assert.Equal("", p.StandardError);
    }

    [Fact]
    public async Task Subcommand_help_has_no_root_examples()
    {
        using var p = await ShoalRunner.RunAsync("info", "--help");
        Assert.True(p.ExitCode == 0, p.StandardError);
        Assert.DoesNotContain("Examples:", p.StandardOutput);
    }

    [Fact]
    public async Task On_a_terminal_download_draws_a_bar_and_with_verbose_one_line_per_file()
    {
        using var swarm = await SeededAsync();
        string output = Path.Combine(swarm.Dir.Path, "out");
        string command = string.Join(' ', new[]
        {
            RepoPaths.ShoalExe, "download", swarm.Torrent, "-o", output, "--port", "0", "--peer", $"127.0.0.1:{swarm.SeedPort}", "--no-dht", "-v",
        }.Select(Quote));
        // script gives the command a pseudo-terminal for stdin/stdout/stderr and copies what it writes to our stdout.
        using var p = await ExternalProcess.RunAsync("script", ["-q", "-e", "-c", command, "/dev/null"], Timeout,
            environment: new Dictionary<string, string> { ["COLUMNS"] = "100", ["LANG"] = "C.UTF-8", ["LC_ALL"] = "C.UTF-8" });
        string screen = p.StandardOutput;
        Assert.True(p.ExitCode == 0, screen + p.StandardError);
        string[] barLines = screen.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries)
            .Where(l => l.Contains('[', StringComparison.Ordinal) && (l.Contains('█', StringComparison.Ordinal) || l.Contains('░', StringComparison.Ordinal)))
            .ToArray();
        Assert.True(barLines.Length > 0, "no progress bar drawn:\n" + screen);
        Assert.Contains(barLines, l => l.Contains("100.0%", StringComparison.Ordinal));
        foreach (string file in new[] { "a.bin", "b.bin", "c.bin" })
        {
            Assert.Contains(barLines, l => l.Contains(file, StringComparison.Ordinal));
        }
        Assert.Contains("\u001b[2K", screen); // redrawn in place, not scrolled
        Assert.Contains("complete:", screen);
        Assert.All(barLines.Select(StripEscapes), l => Assert.True(l.Length <= 100, $"line wider than the terminal: '{l}'"));
    }

    [Fact]
    public async Task Without_a_terminal_progress_is_plain_lines_and_json_is_unchanged()
    {
        using var swarm = await SeededAsync();
        using var plain = await ShoalRunner.RunAsync("download", swarm.Torrent, "-o", Path.Combine(swarm.Dir.Path, "plain"),
            "--port", "0", "--peer", $"127.0.0.1:{swarm.SeedPort}", "--no-dht");
        Assert.True(plain.ExitCode == 0, plain.StandardOutput + plain.StandardError);
        Assert.DoesNotContain('\u001b', plain.StandardError + plain.StandardOutput);
        Assert.DoesNotContain('\r', plain.StandardError + plain.StandardOutput);
        Assert.Contains("complete:", plain.StandardOutput);

        using var json = await ShoalRunner.RunAsync("download", swarm.Torrent, "-o", Path.Combine(swarm.Dir.Path, "json"),
            "--port", "0", "--peer", $"127.0.0.1:{swarm.SeedPort}", "--json", "--no-dht");
        Assert.True(json.ExitCode == 0, json.StandardOutput + json.StandardError);
        string[] lines = json.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, l => JsonDocument.Parse(l).Dispose());
        using var last = JsonDocument.Parse(lines[^1]);
        Assert.Equal("complete", last.RootElement.GetProperty("event").GetString());
        Assert.Equal(1.0, last.RootElement.GetProperty("progress").GetDouble());
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static string StripEscapes(string s) => System.Text.RegularExpressions.Regex.Replace(s, "\u001b\\[[0-9;]*[A-Za-z]", "");

    private static async Task<Seeded> SeededAsync()
    {
        var dir = new TempDir();
        try
        {
            string share = Path.Combine(dir.Sub("data"), "share");
            ShoalRunner.WriteRandomFile(Path.Combine(share, "a.bin"), 3_000_000, 1);
            ShoalRunner.WriteRandomFile(Path.Combine(share, "b.bin"), 1_000_000, 2);
            ShoalRunner.WriteRandomFile(Path.Combine(share, "sub", "c.bin"), 200_000, 3);
            string torrent = Path.Combine(dir.Path, "share.torrent");
            using var mk = await ExternalProcess.RunAsync("mktorrent", ["-l", "16", "-a", "http://127.0.0.1:1/announce", "-o", torrent, share], Timeout);
            Assert.True(mk.ExitCode == 0, mk.StandardError);
            var seed = ShoalProcess.StartSeed(torrent, Path.Combine(dir.Path, "data"), verbose: false);
            int port = await seed.WaitForPortAsync();
            return new Seeded(dir, torrent, seed, port);
        }
        catch
        {
            dir.Dispose();
            throw;
        }
    }

    private sealed record Seeded(TempDir Dir, string Torrent, ShoalProcess Seed, int SeedPort) : IDisposable
    {
        public void Dispose()
        {
            Seed.Dispose();
            Dir.Dispose();
        }
    }
}

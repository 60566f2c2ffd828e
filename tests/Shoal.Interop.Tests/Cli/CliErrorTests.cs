using System.Text.Json;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Cli;

/// <summary>The CLI contract: exit codes, one-line errors on stderr, help, and JSON shapes.</summary>
public class CliErrorTests
{
    [Fact]
    public async Task No_arguments_prints_help_and_succeeds()
    {
        using var p = await ShoalRunner.RunAsync();
        Assert.Equal(0, p.ExitCode);
        Assert.Contains("Usage:", p.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("create", p.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("info", p.StandardOutput, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("info")]
    [InlineData("info", "a.torrent", "--no-such-option")]
    [InlineData("create", "x")]
    public async Task Parse_errors_exit_2_with_one_line(params string[] args)
    {
        using var p = await ShoalRunner.RunAsync(args);
        Assert.Equal(2, p.ExitCode);
        var lines = ShoalRunner.ErrorLines(p);
        Assert.Single(lines);
        Assert.StartsWith("shoal: error: ", lines[0], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--max-up", "fast")]
    [InlineData("--max-down", "-5")]
    [InlineData("--max-up", "1Q")]
    public async Task Malformed_rate_exits_2_with_one_line_naming_the_option(string option, string rate)
    {
        using var dir = new TempDir();
        using var p = await ShoalRunner.RunAsync("seed", Path.Combine(dir.Path, "x.torrent"), "-d", dir.Path, option, rate);
        Assert.Equal(2, p.ExitCode);
        var line = Assert.Single(ShoalRunner.ErrorLines(p));
        Assert.StartsWith($"shoal: error: {option} ", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_torrent_file_exits_2_with_one_line()
    {
        using var dir = new TempDir();
        using var p = await ShoalRunner.RunAsync("info", Path.Combine(dir.Path, "missing.torrent"));
        Assert.Equal(2, p.ExitCode);
        var line = Assert.Single(ShoalRunner.ErrorLines(p));
        Assert.StartsWith("shoal: error: ", line, StringComparison.Ordinal);
        Assert.Contains("does not exist", line, StringComparison.Ordinal);
        Assert.Equal("", p.StandardOutput);
    }

    [Theory]
    [InlineData("not bencode at all")]
    [InlineData("d8:announce3:abce")]
    [InlineData("d4:infod4:name1:xee")]
    [InlineData("d4:infod")]
    public async Task Malformed_torrent_exits_2_with_one_line_and_no_stack_trace(string content)
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "bad.torrent");
        await File.WriteAllTextAsync(path, content);
        using var p = await ShoalRunner.RunAsync("info", path);
        Assert.Equal(2, p.ExitCode);
        var line = Assert.Single(ShoalRunner.ErrorLines(p));
        Assert.StartsWith("shoal: error: ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", p.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verbose_adds_the_stack_trace()
    {
        using var dir = new TempDir();
        string path = Path.Combine(dir.Path, "bad.torrent");
        await File.WriteAllTextAsync(path, "garbage");
        using var p = await ShoalRunner.RunAsync("info", path, "--verbose");
        Assert.Equal(2, p.ExitCode);
        Assert.True(ShoalRunner.ErrorLines(p).Length > 1, p.StandardError);
    }

    [Fact]
    public async Task Create_refuses_an_empty_folder_with_exit_2()
    {
        using var dir = new TempDir();
        string empty = dir.Sub("empty");
        using var p = await ShoalRunner.RunAsync("create", empty, "-o", Path.Combine(dir.Path, "e.torrent"));
        Assert.Equal(2, p.ExitCode);
        Assert.Single(ShoalRunner.ErrorLines(p));
        Assert.False(File.Exists(Path.Combine(dir.Path, "e.torrent")));
    }

    [Fact]
    public async Task Create_refuses_a_missing_source_and_a_bad_piece_size_with_exit_2()
    {
        using var dir = new TempDir();
        using var missing = await ShoalRunner.RunAsync("create", Path.Combine(dir.Path, "nope"), "-o", Path.Combine(dir.Path, "n.torrent"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Single(ShoalRunner.ErrorLines(missing));

        ShoalRunner.WriteRandomFile(Path.Combine(dir.Path, "f"), 100, 1);
        using var bad = await ShoalRunner.RunAsync("create", Path.Combine(dir.Path, "f"), "-o", Path.Combine(dir.Path, "f.torrent"), "--piece-size", "1000");
        Assert.Equal(2, bad.ExitCode);
        Assert.Single(ShoalRunner.ErrorLines(bad));
    }

    [Fact]
    public async Task Info_json_has_the_documented_keys()
    {
        using var dir = new TempDir();
        string data = Path.Combine(dir.Path, "data.bin");
        ShoalRunner.WriteRandomFile(data, 70_000, 2);
        string torrent = Path.Combine(dir.Path, "data.torrent");
        using (var c = await ShoalRunner.RunAsync("create", data, "-o", torrent, "-t", "http://a/announce", "-t", "http://b/announce",
            "-w", "http://ws/data.bin", "--comment", "c", "--private"))
        {
            Assert.True(c.ExitCode == 0, c.StandardError);
        }
        using var doc = await ShoalRunner.InfoJsonAsync(torrent);
        var root = doc.RootElement;
        string[] keys = ["name", "infoHash", "pieceLength", "pieceCount", "totalSize", "files", "trackers", "webSeeds",
            "private", "createdBy", "comment", "creationDate"];
        Assert.Equal(keys, root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("data.bin", root.GetProperty("name").GetString());
        Assert.Equal(70_000, root.GetProperty("totalSize").GetInt64());
        Assert.Equal(5, root.GetProperty("pieceCount").GetInt32());
        Assert.True(root.GetProperty("private").GetBoolean());
        Assert.Equal("Shoal/0.1", root.GetProperty("createdBy").GetString());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("trackers")[0].ValueKind);
        Assert.Equal("http://b/announce", root.GetProperty("trackers")[1][0].GetString());
        Assert.Equal("http://ws/data.bin", root.GetProperty("webSeeds")[0].GetString());
        var file = root.GetProperty("files")[0];
        Assert.Equal(["path", "length"], file.EnumerateObject().Select(p => p.Name));
        Assert.EndsWith("Z", root.GetProperty("creationDate").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Magnet_json_has_the_documented_keys()
    {
        const string hash = "0123456789abcdef0123456789abcdef01234567";
        using var p = await ShoalRunner.RunAsync("info", $"magnet:?xt=urn:btih:{hash}&dn=thing&tr=http%3A%2F%2Ft%2Fannounce", "--json");
        Assert.True(p.ExitCode == 0, p.StandardError);
        using var doc = JsonDocument.Parse(p.StandardOutput);
        var root = doc.RootElement;
        Assert.Equal(["infoHash", "name", "trackers", "peers", "magnet"], root.EnumerateObject().Select(x => x.Name));
        Assert.Equal(hash, root.GetProperty("infoHash").GetString());
        Assert.Equal("thing", root.GetProperty("name").GetString());
        Assert.Equal("http://t/announce", root.GetProperty("trackers")[0].GetString());
        Assert.True(root.GetProperty("magnet").GetBoolean());
    }

    [Fact]
    public async Task Bad_magnet_exits_2()
    {
        using var p = await ShoalRunner.RunAsync("info", "magnet:?xt=urn:btih:nothex");
        Assert.Equal(2, p.ExitCode);
        Assert.Single(ShoalRunner.ErrorLines(p));
    }
}

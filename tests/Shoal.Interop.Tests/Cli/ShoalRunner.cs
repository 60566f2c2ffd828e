using System.Text.Json;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Cli;

/// <summary>Runs the built <c>shoal</c> executable and external tools with a timeout, for CLI-level tests.</summary>
internal static class ShoalRunner
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public static Task<ExternalProcess> RunAsync(params string[] args) =>
        ExternalProcess.RunAsync(RepoPaths.ShoalExe, args, Timeout);

    public static Task<ExternalProcess> RunToolAsync(string tool, params string[] args) =>
        ExternalProcess.RunAsync(tool, args, Timeout);

    /// <summary>Runs <c>shoal info --json</c> on a file and returns the parsed document; fails the test on a non-zero exit.</summary>
    public static async Task<JsonDocument> InfoJsonAsync(string torrentPath)
    {
        using var p = await RunAsync("info", torrentPath, "--json");
        Assert.True(p.ExitCode == 0, $"shoal info exited {p.ExitCode}: {p.StandardError}");
        return JsonDocument.Parse(p.StandardOutput);
    }

    /// <summary>Lines written to stderr, without empty ones.</summary>
    public static string[] ErrorLines(ExternalProcess p) =>
        p.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public static void WriteRandomFile(string path, int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}

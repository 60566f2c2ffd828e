using System.Globalization;
using System.Text.Json;

namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>Options for <c>shoal download</c>.</summary>
public sealed record ShoalDownloadOptions
{
    public int Port { get; init; }
    public IReadOnlyList<string> Peers { get; init; } = [];
    public bool Seed { get; init; }
    public string? TraceFile { get; init; }
    public bool Verbose { get; init; } = true;
    public bool Json { get; init; }
    /// <summary><c>--max-down</c> (e.g. "24M"), or null for no limit.</summary>
    public string? MaxDown { get; init; }
    /// <summary>DHT bootstrap nodes (<c>--dht-node</c>, loopback only); empty means <c>--no-dht</c>, so tests never
    /// reach the public routers.</summary>
    public IReadOnlyList<string> DhtNodes { get; init; } = [];
    /// <summary><c>--dht-state</c>: where the routing table goes (always a test folder when DHT nodes are given).</summary>
    public string? DhtState { get; init; }
}

/// <summary>
/// The built <c>shoal</c> executable run as a child process (RepoPaths.ShoalExe), speaking the CLI contract:
/// <c>listening on port N</c> early on stdout or stderr, exit 0 once the download is verified and written.
/// </summary>
public sealed class ShoalProcess : IDisposable
{
    private ShoalProcess(ExternalProcess process, IReadOnlyList<string> args)
    {
        Process = process;
        Arguments = args;
    }

    public ExternalProcess Process { get; }

    public IReadOnlyList<string> Arguments { get; }

    /// <summary>The listening port, once <see cref="WaitForPortAsync"/> has seen it.</summary>
    public int Port { get; private set; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public string Output => Process.StandardOutput + Process.StandardError;

    public static ShoalProcess StartDownload(string torrent, string outDir, ShoalDownloadOptions? options = null)
    {
        var o = options ?? new ShoalDownloadOptions();
        var args = new List<string> { "download", torrent, "-o", outDir, "--port", o.Port.ToString(CultureInfo.InvariantCulture) };
        foreach (var p in o.Peers)
        {
            args.AddRange(["--peer", p]);
        }
        if (o.Seed)
        {
            args.Add("--seed");
        }
        if (o.TraceFile is not null)
        {
            args.AddRange(["--trace", o.TraceFile]);
        }
        if (o.Verbose)
        {
            args.Add("--verbose");
        }
        if (o.Json)
        {
            args.Add("--json");
        }
        if (o.MaxDown is not null)
        {
            args.AddRange(["--max-down", o.MaxDown]);
        }
        AddDht(args, o.DhtNodes, o.DhtState);
        return Start(args);
    }

    public static ShoalProcess StartSeed(string torrent, string dataDir, int port = 0, IEnumerable<string>? peers = null,
        bool verbose = true, IReadOnlyList<string>? dhtNodes = null, string? dhtState = null)
    {
        var args = new List<string> { "seed", torrent, "--data", dataDir, "--port", port.ToString(CultureInfo.InvariantCulture) };
        foreach (var p in peers ?? [])
        {
            args.AddRange(["--peer", p]);
        }
        if (verbose)
        {
            args.Add("--verbose");
        }
        AddDht(args, dhtNodes ?? [], dhtState);
        return Start(args);
    }

    /// <summary>Tests never let shoal reach the public DHT routers: either loopback nodes and a test state file, or --no-dht.</summary>
    private static void AddDht(List<string> args, IReadOnlyList<string> nodes, string? state)
    {
        if (nodes.Count == 0)
        {
            args.Add("--no-dht");
            return;
        }
        foreach (var n in nodes)
        {
            args.AddRange(["--dht-node", n]);
        }
        args.AddRange(["--dht-state", state ?? throw new ArgumentException("give a --dht-state file in the test folder", nameof(state))]);
    }

    public static ShoalProcess Start(IReadOnlyList<string> args) =>
        new(ExternalProcess.Start(RepoPaths.ShoalExe, args), args);

    /// <summary>Waits for <c>listening on port N</c>; throws with the captured output if it does not come.</summary>
    public async Task<int> WaitForPortAsync(TimeSpan? timeout = null)
    {
        int? port = await LibtorrentPeer.WaitForListeningPortAsync(Process, timeout ?? TimeSpan.FromSeconds(30));
        if (port is null)
        {
            throw new InvalidOperationException($"shoal {string.Join(' ', Arguments)} did not print 'listening on port N'"
                + (Process.HasExited ? $" (exited {Process.ExitCode})" : "") + $":\n{Describe()}");
        }
        Port = port.Value;
        return Port;
    }

    /// <summary>Waits for exit; on timeout the process is killed and the exception carries its output.</summary>
    public Task WaitForExitAsync(TimeSpan timeout) => Process.WaitForExitAsync(timeout);

    public int ExitCode => Process.ExitCode;

    public string Describe() =>
        $"$ shoal {string.Join(' ', Arguments)}\n--- stdout ---\n{Process.StandardOutput}--- stderr ---\n{Process.StandardError}";

    /// <summary>
    /// The last JSON object printed on stdout (with <c>--json</c>), or null. Lines that do not parse are skipped, so
    /// status lines and a final summary may share stdout.
    /// </summary>
    public JsonElement? LastJson()
    {
        var lines = Process.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (int i = lines.Length - 1; i >= 0; i--)
        {
            if (!lines[i].StartsWith('{'))
            {
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(lines[i]);
                return doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                // not a JSON line
            }
        }
        // A pretty-printed document spans lines: try the whole output from its last top-level '{'.
        string all = Process.StandardOutput;
        for (int at = all.LastIndexOf("\n{", StringComparison.Ordinal); at >= 0; at = at == 0 ? -1 : all.LastIndexOf("\n{", at - 1, StringComparison.Ordinal))
        {
            try
            {
                using var doc = JsonDocument.Parse(all[(at + 1)..]);
                return doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                // keep looking further back
            }
        }
        return null;
    }

    /// <summary>
    /// The largest value of a numeric top-level property with one of <paramref name="names"/> over every JSON line on
    /// stdout (counters only grow, so this is the final count even if a closing summary were to reset it), or null.
    /// </summary>
    public long? JsonMax(params string[] names)
    {
        long? max = null;
        foreach (var line in Process.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!line.StartsWith('{'))
            {
                continue;
            }
            try
            {
                using var doc = JsonDocument.Parse(line);
                foreach (var name in names)
                {
                    if (doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number)
                    {
                        max = Math.Max(max ?? 0, v.GetInt64());
                    }
                }
            }
            catch (JsonException)
            {
                // not a JSON line
            }
        }
        return max;
    }

    /// <summary>
    /// A numeric property with one of <paramref name="names"/> anywhere in the last JSON object (first name that
    /// matches, searched depth first), or null.
    /// </summary>
    public long? JsonNumber(params string[] names)
    {
        var root = LastJson();
        if (root is null)
        {
            return null;
        }
        foreach (var name in names)
        {
            if (Find(root.Value, name) is long v)
            {
                return v;
            }
        }
        return null;

        static long? Find(JsonElement e, string name)
        {
            if (e.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    if (p.NameEquals(name) && p.Value.ValueKind == JsonValueKind.Number)
                    {
                        return p.Value.GetInt64();
                    }
                }
                foreach (var p in e.EnumerateObject())
                {
                    if (Find(p.Value, name) is long v)
                    {
                        return v;
                    }
                }
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in e.EnumerateArray())
                {
                    if (Find(item, name) is long v)
                    {
                        return v;
                    }
                }
            }
            return null;
        }
    }

    public void Dispose() => Process.Dispose();
}

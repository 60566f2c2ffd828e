using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Daemon;

/// <summary>
/// A <c>shoal daemon</c> started by a test on free ports (RPC and peer) with its own state folder, plus the two ways
/// tests talk to it: the real <c>transmission-remote</c> and raw RPC over HttpClient. Killed by PID on dispose.
/// </summary>
public sealed class DaemonProcess : IDisposable
{
    public const string TransmissionRemote = "/usr/bin/transmission-remote";
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private string? _sessionId;

    private DaemonProcess(ExternalProcess process, int rpcPort, int peerPort, string? user, string? password)
    {
        Process = process;
        RpcPort = rpcPort;
        PeerPort = peerPort;
        if (user is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));
        }
    }

    public ExternalProcess Process { get; }

    public int RpcPort { get; }

    public int PeerPort { get; }

    public string RpcHost => $"127.0.0.1:{RpcPort}";

    public Uri RpcUri => new($"http://127.0.0.1:{RpcPort}/transmission/rpc");

    public string Output => $"daemon stdout:\n{Process.StandardOutput}\ndaemon stderr:\n{Process.StandardError}";

    /// <summary>Starts the daemon and waits for its <c>--json</c> listening line.</summary>
    public static async Task<DaemonProcess> StartAsync(string dataDir, string downloadDir, IEnumerable<string>? extra = null,
        string? user = null, string? password = null)
    {
        var args = new List<string> { "daemon", "--data-dir", dataDir, "--download-dir", downloadDir,
            "--rpc-bind", "127.0.0.1:0", "--port", "0", "--json", "--no-dht" };
        if (user is not null)
        {
            args.AddRange(["--rpc-user", user, "--rpc-password", password!]);
        }
        args.AddRange(extra ?? []);
        var p = ExternalProcess.Start(RepoPaths.ShoalExe, args);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline && !p.HasExited)
        {
            foreach (string line in p.StandardOutput.Split('\n'))
            {
                if (line.StartsWith("{\"event\":\"listening\"", StringComparison.Ordinal))
                {
                    using var doc = JsonDocument.Parse(line);
                    return new DaemonProcess(p, doc.RootElement.GetProperty("rpcPort").GetInt32(),
                        doc.RootElement.GetProperty("peerPort").GetInt32(), user, password);
                }
            }
            await Task.Delay(50);
        }
        string why = $"shoal daemon did not report listening:\nstdout:\n{p.StandardOutput}\nstderr:\n{p.StandardError}";
        p.Dispose();
        throw new InvalidOperationException(why);
    }

    /// <summary>Runs <c>transmission-remote 127.0.0.1:PORT ARGS</c> and returns its output (stdout then stderr).</summary>
    public async Task<(int ExitCode, string Output)> RemoteAsync(params string[] args)
    {
        using var p = await ExternalProcess.RunAsync(TransmissionRemote, [RpcHost, .. args], TimeSpan.FromSeconds(60));
        return (p.ExitCode, p.StandardOutput + p.StandardError);
    }

    /// <summary>Like <see cref="RemoteAsync"/>, but the call must succeed.</summary>
    public async Task<string> RemoteOkAsync(params string[] args)
    {
        var (code, output) = await RemoteAsync(args);
        Assert.True(code == 0, $"transmission-remote {string.Join(' ', args)} exited {code}:\n{output}\n{Output}");
        return output;
    }

    /// <summary>Polls <c>transmission-remote -l</c> until <paramref name="done"/> holds for its output.</summary>
    public async Task<string> WaitForListAsync(Func<string, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "";
        while (DateTime.UtcNow < deadline)
        {
            last = (await RemoteAsync("-l")).Output;
            if (done(last))
            {
                return last;
            }
            Assert.False(Process.HasExited, $"the daemon exited while waiting for {what}\n{Output}");
            await Task.Delay(500);
        }
        Assert.Fail($"timed out waiting for {what}; last list:\n{last}\n{Output}");
        return last;
    }

    /// <summary>One RPC call over HTTP, doing the session-id dance once.</summary>
    public async Task<JsonObject> RpcAsync(string method, JsonObject? arguments = null)
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, RpcUri)
            {
                Content = new StringContent(new JsonObject { ["method"] = method, ["arguments"] = arguments?.DeepClone() ?? new JsonObject() }.ToJsonString(),
                    Encoding.UTF8, "application/json"),
            };
            if (_sessionId is not null)
            {
                request.Headers.Add("X-Transmission-Session-Id", _sessionId);
            }
            using var response = await _http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                _sessionId = response.Headers.GetValues("X-Transmission-Session-Id").Single();
                continue;
            }
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        }
        throw new InvalidOperationException("the session id changed twice in a row");
    }

    /// <summary>torrent-get of some fields for every torrent.</summary>
    public async Task<JsonArray> TorrentsAsync(params string[] fields)
    {
        var reply = await RpcAsync("torrent-get", new JsonObject { ["fields"] = new JsonArray([.. fields.Select(f => (JsonNode?)f)]) });
        Assert.Equal("success", (string?)reply["result"]);
        return reply["arguments"]!["torrents"]!.AsArray();
    }

    /// <summary>SIGTERM, then wait for a clean exit.</summary>
    public async Task StopAsync()
    {
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", Process.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }
        await Process.WaitForExitAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>kill -9: no chance to save anything.</summary>
    public void KillHard()
    {
        using (var kill = System.Diagnostics.Process.Start("kill", ["-KILL", Process.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            kill.WaitForExit();
        }
        var sw = Stopwatch.StartNew();
        while (!Process.HasExited && sw.Elapsed < TimeSpan.FromSeconds(10))
        {
            Thread.Sleep(20);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        Process.Dispose();
    }
}

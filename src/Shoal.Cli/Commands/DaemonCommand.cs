using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Shoal.Cli.Output;
using Shoal.Cli.Progress;
using Shoal.Daemon;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal daemon</c>: many torrents in one process, driven over the Transmission RPC (and the web page at /).
/// Prints the RPC address and peer port once listening, runs until SIGTERM or Ctrl-C, then stops every torrent
/// cleanly (they come back in the same state next time).
/// </summary>
internal static class DaemonCommand
{
    public static Command Create()
    {
        var dataDir = new Option<DirectoryInfo>("--data-dir") { Description = "State folder: added torrents, their state, settings (default ~/.local/share/shoal/daemon)" };
        var downloadDir = new Option<DirectoryInfo>("--download-dir") { Description = "Where torrents download unless added with another folder (default DATA_DIR/downloads)" };
        var rpcBind = new Option<string>("--rpc-bind") { Description = "RPC and web page address, IP:PORT (default 127.0.0.1:9091; port 0 picks a free one)" };
        var port = new Option<int?>("--port", "-p") { Description = "Peer TCP port; 0 picks a free one (default 6881, or any free port if taken)" };
        var maxDown = new Option<string>("--max-down") { Description = "Global download limit, bytes/s with optional K, M or G (1024-based, e.g. 2M); 0 = none" };
        var maxUp = new Option<string>("--max-up") { Description = "Global upload limit, like --max-down" };
        var watchDir = new Option<DirectoryInfo>("--watch-dir") { Description = "Add every .torrent dropped here (renamed *.added once taken)" };
        var user = new Option<string>("--rpc-user") { Description = "Require HTTP basic auth with this user (needs --rpc-password)" };
        var password = new Option<string>("--rpc-password") { Description = "Password for --rpc-user" };
        var allow = new Option<string[]>("--allow") { Description = "Also accept RPC clients from this address or CIDR network; repeatable" };
        var dhtNode = DhtSettings.NodeOption();
        var noDht = DhtSettings.NoDhtOption();
        var json = CliOptions.Json();
        json.Description = "Print one JSON line when listening ({\"event\":\"listening\",...})";
        var command = new Command("daemon", "Run many torrents in the background, driven over the Transmission RPC")
        {
            dataDir, downloadDir, rpcBind, port, maxDown, maxUp, watchDir, user, password, allow, dhtNode, noDht, json,
        };
        command.SetAction((result, ct) =>
        {
            string data = result.GetValue(dataDir)?.FullName ?? Path.Combine(
                Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "shoal", "daemon");
            var spec = new DaemonOptions
            {
                DataDirectory = data,
                DownloadDirectory = result.GetValue(downloadDir)?.FullName ?? Path.Combine(data, "downloads"),
                RpcEndPoint = ParseBind(result.GetValue(rpcBind)),
                PeerPort = result.GetValue(port) ?? -1,
                MaxDownloadRate = ParseRate("--max-down", result.GetValue(maxDown)),
                MaxUploadRate = ParseRate("--max-up", result.GetValue(maxUp)),
                WatchDirectory = result.GetValue(watchDir)?.FullName,
                RpcUser = result.GetValue(user),
                RpcPassword = result.GetValue(password),
                Allow = [.. (result.GetValue(allow) ?? []).Select(ParseAllow)],
                Dht = BuildDht(result.GetValue(noDht), result.GetValue(dhtNode) ?? [], Path.Combine(data, "dht.dat")),
            };
            if ((spec.RpcUser is null) != (spec.RpcPassword is null))
            {
                throw new CliInputException("--rpc-user and --rpc-password go together");
            }
            if (spec.PeerPort is < -1 or > 65535)
            {
                throw new CliInputException($"--port {spec.PeerPort}: use 0-65535 (0 picks a free port)");
            }
            return RunAsync(spec, result.GetValue(json), result.GetValue(CliOptions.Verbose), ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(DaemonOptions spec, bool json, bool verbose, CancellationToken ct)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        using var loggers = new StderrLoggerFactory(verbose ? LogLevel.Debug : LogLevel.Information);
        var host = await StartAsync(spec with { LoggerFactory = loggers }).ConfigureAwait(false);
        await using (host.ConfigureAwait(false))
        {
            if (json)
            {
                ConsoleOutput.WriteLine(JsonSerializer.Serialize(new DaemonListeningJson("listening", host.RpcAddress.ToString(), host.RpcPort,
                    host.PeerPort, Path.GetFullPath(spec.DataDirectory), host.Registry.All.Count), DaemonJsonContext.Default.DaemonListeningJson));
            }
            else
            {
                ConsoleOutput.WriteLine($"rpc listening on {host.RpcAddress}");
                ConsoleOutput.WriteLine($"listening on port {host.PeerPort}");
                ConsoleOutput.WriteLine($"state in {Path.GetFullPath(spec.DataDirectory)}, {host.Registry.All.Count} torrents");
            }
            if (!IPAddress.IsLoopback(spec.RpcEndPoint.Address) && spec.RpcUser is null && spec.Allow.Count == 0)
            {
                ConsoleOutput.WriteError("warning: the RPC listens beyond this machine but refuses every remote client until --rpc-user/--rpc-password or --allow is set");
            }
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
            ConsoleOutput.WriteError("shoal daemon: stopping");
        }
        return ExitCodes.Success;

        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
    }

    private static async Task<DaemonHost> StartAsync(DaemonOptions spec)
    {
        try
        {
            return await DaemonHost.StartAsync(spec with { PeerPort = spec.PeerPort < 0 ? TorrentRun.DefaultPort : spec.PeerPort }).ConfigureAwait(false);
        }
        catch (SocketException ex) when (spec.PeerPort < 0 && ex.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            // Only the default peer port falls back to any free port; an explicit --port that is taken is an error.
            return await DaemonHost.StartAsync(spec with { PeerPort = 0 }).ConfigureAwait(false);
        }
        catch (IOException ex) when (ex.Message.Contains("bind", StringComparison.OrdinalIgnoreCase))
        {
            // Kestrel's bind failure (the engine's peer socket throws SocketException instead).
            throw new IOException($"cannot listen for RPC on {spec.RpcEndPoint}: {ex.Message}", ex);
        }
    }

    /// <summary>The DHT node's settings (routing table kept in the state folder), or null with --no-dht.</summary>
    private static Engine.EngineDhtOptions? BuildDht(bool off, string[] nodes, string statePath)
    {
        if (off)
        {
            return nodes.Length > 0 ? throw new CliInputException("--dht-node and --no-dht contradict each other") : null;
        }
        var endpoints = new List<EndPoint>();
        foreach (string text in nodes)
        {
            if (!PeerAddress.TryParse(text, out string host, out int p, out string? error, "--dht-node"))
            {
                throw new CliInputException(error!);
            }
            endpoints.Add(IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, p) : new DnsEndPoint(host, p));
        }
        return new Engine.EngineDhtOptions { BootstrapNodes = endpoints, UseDefaultRouters = endpoints.Count == 0, StatePath = statePath };
    }

    private static IPEndPoint ParseBind(string? text)
    {
        if (text is null)
        {
            return new IPEndPoint(IPAddress.Loopback, 9091);
        }
        if (IPEndPoint.TryParse(text, out var ep) && (text.Contains(':', StringComparison.Ordinal) || text.Contains(']', StringComparison.Ordinal)))
        {
            return ep;
        }
        if (IPAddress.TryParse(text, out var address))
        {
            return new IPEndPoint(address, 9091);
        }
        throw new CliInputException($"--rpc-bind '{text}': use IP:PORT, e.g. 127.0.0.1:9091 or [::1]:9091");
    }

    private static IPNetwork ParseAllow(string text)
    {
        if (IPNetwork.TryParse(text, out var network))
        {
            return network;
        }
        if (IPAddress.TryParse(text, out var address))
        {
            return new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
        }
        throw new CliInputException($"--allow '{text}': use an IP address or a CIDR network such as 192.168.1.0/24");
    }

    /// <summary>Null when the option is absent (the saved setting stands); otherwise as <see cref="RateOption.Parse"/>.</summary>
    internal static long? ParseRate(string option, string? text) => text is null ? null : RateOption.Parse(text, option);
}

/// <summary>The <c>--json</c> line printed once the daemon listens.</summary>
internal sealed record DaemonListeningJson(string Event, string Rpc, int RpcPort, int PeerPort, string DataDir, int Torrents);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DaemonListeningJson))]
internal sealed partial class DaemonJsonContext : JsonSerializerContext;

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Shoal.Cli.Output;
using Shoal.Engine;
using Shoal.Engine.Peers;
using Shoal.Engine.Session;
using Shoal.Protocol.Metainfo;

namespace Shoal.Cli.Progress;

/// <summary>What <c>download</c> and <c>seed</c> share.</summary>
internal sealed record TorrentRunSpec
{
    public required string TorrentPath { get; init; }
    public required string Directory { get; init; }
    /// <summary>Where resume data lives (<c>--resume-dir</c>); null: DIR/.shoal.</summary>
    public string? ResumeDirectory { get; init; }
    /// <summary>-1: the default port (6881, or any free port if taken).</summary>
    public int Port { get; init; } = -1;
    public IReadOnlyList<string> Peers { get; init; } = [];
    public bool SeedOnly { get; init; }
    public bool SeedAfter { get; init; }
    public string? TracePath { get; init; }
    /// <summary>For a magnet link: where to write the fetched torrent (<c>--save-torrent</c>).</summary>
    public string? SaveTorrentPath { get; init; }
    public bool Verbose { get; init; }
    public bool Quiet { get; init; }
    public bool JsonOutput { get; init; }
    /// <summary>Engine-wide limits in bytes/s (<c>--max-down</c>, <c>--max-up</c>); 0 = none.</summary>
    public long MaxDownloadRate { get; init; }
    public long MaxUploadRate { get; init; }
    /// <summary><c>--dht-node</c> values (HOST:PORT); empty means the default public routers.</summary>
    public IReadOnlyList<string> DhtNodes { get; init; } = [];
    public bool NoDht { get; init; }
    /// <summary><c>--dht-state</c>; null means the default location.</summary>
    public string? DhtStatePath { get; init; }
    /// <summary><c>--max-peers</c>: connections per torrent (null: the engine default, 50).</summary>
    public int? MaxPeers { get; init; }
}

/// <summary>
/// Loads the torrent, starts the engine, reports progress, and stops cleanly on Ctrl-C or SIGTERM (stopped
/// announce, files flushed). Bad input throws (the CLI's error path turns it into exit 2); the return value is the
/// exit code otherwise.
/// </summary>
internal static class TorrentRun
{
    public const int DefaultPort = 6881;

    public static async Task<int> RunAsync(TorrentRunSpec spec, CancellationToken ct)
    {
        using var interrupt = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Interrupt);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Interrupt);
        return await RunCoreAsync(spec, interrupt.Token).ConfigureAwait(false);

        void Interrupt(PosixSignalContext context)
        {
            context.Cancel = true;
            interrupt.Cancel();
        }
    }

    private static async Task<int> RunCoreAsync(TorrentRunSpec spec, CancellationToken ct)
    {
        // A magnet link has no metainfo yet: it is fetched from peers once the engine listens (MagnetRun).
        var magnet = MagnetLink.LooksLikeMagnet(spec.TorrentPath) ? MagnetLink.Parse(spec.TorrentPath) : null;
        var meta = magnet is null
            ? TorrentMetainfo.Parse(await File.ReadAllBytesAsync(spec.TorrentPath, CancellationToken.None).ConfigureAwait(false))
            : null;
        var peers = await ResolvePeersAsync(spec.Peers, ct).ConfigureAwait(false);
        var dht = DhtSettings.Build(spec);
        if (magnet is not null)
        {
            peers.AddRange(await MagnetRun.ResolvePeersAsync(magnet, ct).ConfigureAwait(false));
        }
        var level = spec.Verbose ? LogLevel.Debug : LogLevel.Warning;
        using var loggers = new StderrLoggerFactory(level);
        using var trace = spec.TracePath is null ? null : new FilePeerTraceSink(spec.TracePath);
        var engine = await StartEngineAsync(spec, loggers, trace, dht).ConfigureAwait(false);
        await using (engine.ConfigureAwait(false))
        {
            if (spec.JsonOutput)
            {
                // The plain line too (on stderr), so tools wait for one text whatever the output mode.
                ConsoleOutput.WriteError($"listening on port {engine.ListenPort}");
                ConsoleOutput.WriteLine(StatusFormatter.ListeningJson(engine.ListenPort));
            }
            else
            {
                ConsoleOutput.WriteLine($"listening on port {engine.ListenPort}");
            }
            if (engine.DhtNode is { } node && !spec.Quiet)
            {
                ConsoleOutput.WriteError(dht!.UseDefaultRouters
                    ? $"DHT on UDP port {node.LocalEndPoint.Port}, bootstrapping from the public routers"
                    : $"DHT on UDP port {node.LocalEndPoint.Port}, bootstrapping from {string.Join(", ", spec.DhtNodes)}");
            }
            meta ??= await MagnetRun.FetchAsync(engine, magnet!, peers, spec, ct).ConfigureAwait(false);
            var handle = await engine.AddTorrentAsync(meta, new TorrentOptions
            {
                DownloadDirectory = spec.Directory,
                ResumeDirectory = spec.ResumeDirectory,
                Peers = peers,
                SeedOnly = spec.SeedOnly,
                SeedWhenComplete = spec.SeedAfter || spec.SeedOnly,
                MaxConnections = spec.MaxPeers ?? new TorrentOptions { DownloadDirectory = "" }.MaxConnections,
            }, CancellationToken.None).ConfigureAwait(false);
            if (!spec.JsonOutput)
            {
                ConsoleOutput.WriteLine($"{meta.Name}: {meta.PieceCount} pieces, {HumanFormat.Size(meta.TotalLength)}, info hash {meta.InfoHash.ToHex()}");
            }
            try
            {
                return await WatchAsync(spec, handle, ct).ConfigureAwait(false);
            }
            finally
            {
                await handle.StopAsync().ConfigureAwait(false);
                trace?.Flush();
            }
        }
    }

    private static async Task<List<IPEndPoint>> ResolvePeersAsync(IReadOnlyList<string> specs, CancellationToken ct)
    {
        var peers = new List<IPEndPoint>();
        foreach (string p in specs)
        {
            if (!PeerAddress.TryParse(p, out string host, out int port, out string? error))
            {
                throw new CliInputException(error!);
            }
            try
            {
                peers.AddRange(await PeerAddress.ResolveAsync(host, port, ct).ConfigureAwait(false));
            }
            catch (SocketException ex)
            {
                throw new CliInputException($"--peer '{p}': {ex.Message}");
            }
        }
        return peers;
    }

    private static async Task<ShoalEngine> StartEngineAsync(TorrentRunSpec spec, ILoggerFactory loggers, IPeerTraceSink? trace,
        EngineDhtOptions? dht)
    {
        if (spec.Port is < -1 or > 65535)
        {
            throw new CliInputException($"--port {spec.Port}: use 0-65535 (0 picks a free port)");
        }
        int port = spec.Port < 0 ? DefaultPort : spec.Port;
        while (true)
        {
            var engine = new ShoalEngine(new EngineOptions
            {
                Port = port, LoggerFactory = loggers, Trace = trace, Dht = dht,
                MaxDownloadRate = spec.MaxDownloadRate, MaxUploadRate = spec.MaxUploadRate,
                MaxConnectionsPerTorrent = spec.MaxPeers ?? new EngineOptions().MaxConnectionsPerTorrent,
            });
            try
            {
                await engine.StartAsync().ConfigureAwait(false);
                return engine;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && spec.Port < 0 && port != 0)
            {
                // Only the default port falls back to any free port; an explicit --port that is taken is an error.
                await engine.DisposeAsync().ConfigureAwait(false);
                port = 0;
            }
            catch (SocketException ex)
            {
                await engine.DisposeAsync().ConfigureAwait(false);
                throw new IOException($"cannot listen on port {port}: {ex.Message}", ex);
            }
        }
    }

    private static async Task<int> WatchAsync(TorrentRunSpec spec, TorrentHandle handle, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var reporter = new StatusReporter(spec, handle.Metainfo.Files);
        bool live = reporter.Live;
        bool ready = false;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(live ? 0.5 : 1));
        Task<bool>? tick = null;
        long ticks = 0;
        try
        {
            while (true)
            {
                var s = handle.Status;
                if (s.State == TorrentState.Error)
                {
                    reporter.Report(s, "error", force: true);
                    throw new IOException(s.Error ?? "the torrent failed");
                }
                bool nowReady = spec.SeedOnly ? s.State == TorrentState.Seeding : handle.Completion.IsCompletedSuccessfully;
                if (nowReady && !ready)
                {
                    ready = true;
                    s = handle.Status;
                    if (spec.SeedOnly)
                    {
                        reporter.Report(s, "seeding", force: true);
                        if (!s.IsComplete)
                        {
                            ConsoleOutput.WriteError($"warning: only {s.PiecesHave} of {s.PiecesTotal} pieces verify in {spec.Directory}; seeding those");
                        }
                        if (!spec.JsonOutput)
                        {
                            ConsoleOutput.WriteLine($"seeding {s.PiecesHave}/{s.PiecesTotal} pieces of {s.Name}");
                        }
                    }
                    else
                    {
                        reporter.Report(s, "complete", force: true);
                        ConsoleOutput.EndLive(keep: true);
                        if (!spec.JsonOutput)
                        {
                            ConsoleOutput.WriteLine(string.Create(CultureInfo.InvariantCulture,
                                $"complete: {HumanFormat.Size(s.TotalBytes)} verified in {clock.Elapsed.TotalSeconds:0.0}s"));
                        }
                        if (!spec.SeedAfter)
                        {
                            return ExitCodes.Success;
                        }
                    }
                }
                else if (!spec.Quiet && (live || spec.JsonOutput || ticks % 2 == 0))
                {
                    reporter.Report(s, "status", force: false);
                }
                ticks++;
                // Wake on the next status tick, or at once when the download completes or fails: waiting for the
                // tick would add up to a second to every download.
                tick ??= timer.WaitForNextTickAsync(ct).AsTask();
                bool watchCompletion = !ready && !spec.SeedOnly && !handle.Completion.IsCompleted;
                if (watchCompletion)
                {
                    await Task.WhenAny(tick, handle.Completion).ConfigureAwait(false);
                }
                if (!watchCompletion || tick.IsCompleted)
                {
                    await tick.ConfigureAwait(false); // throws when cancelled
                    tick = null;
                }
            }
        }
        catch (OperationCanceledException)
        {
            var s = handle.Status;
            ConsoleOutput.ClearLiveLine();
            if (spec.JsonOutput)
            {
                ConsoleOutput.WriteLine(StatusFormatter.StatusJson("stopped", s));
            }
            if (ready)
            {
                return ExitCodes.Success; // seeding ends with Ctrl-C: that is the normal way out
            }
            ConsoleOutput.WriteError(string.Create(CultureInfo.InvariantCulture,
                $"shoal: interrupted at {s.Progress * 100:0.0}% ({s.PiecesHave}/{s.PiecesTotal} pieces); run again to resume"));
            return ExitCodes.Interrupted;
        }
        finally
        {
            // An error line (written by the CLI's error path) must not land on the bar's line.
            ConsoleOutput.EndLive(keep: true);
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Shoal.Engine;
using Shoal.Engine.Peers;
using Shoal.Engine.Session;
using Shoal.Protocol.Metainfo;

namespace Shoal.Cli.Progress;

/// <summary>What <c>download</c> and <c>seed</c> share: load, start the engine, report progress, stop cleanly.</summary>
internal sealed record TorrentRunSpec
{
    public required string TorrentPath { get; init; }
    public required string Directory { get; init; }
    public int Port { get; init; } = -1;
    public IReadOnlyList<string> Peers { get; init; } = [];
    public bool SeedOnly { get; init; }
    public bool SeedAfter { get; init; }
    public string? TracePath { get; init; }
    public bool Verbose { get; init; }
    public bool Quiet { get; init; }
    public bool JsonOutput { get; init; }
}

internal static class TorrentRun
{
    public const int DefaultPort = 6881;

    public static async Task<int> RunAsync(TorrentRunSpec spec, CancellationToken ct)
    {
        // Ctrl-C and SIGTERM stop the torrent cleanly (stopped announce, files flushed) whatever the host does.
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
        TorrentMetainfo meta;
        try
        {
            meta = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(spec.TorrentPath, ct).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return BadInput($"cannot read {spec.TorrentPath}: {ex.Message}");
        }
        catch (MetainfoException ex)
        {
            return BadInput($"{spec.TorrentPath}: {ex.Message}");
        }
        var peers = new List<IPEndPoint>();
        foreach (string p in spec.Peers)
        {
            if (!PeerAddress.TryParse(p, out string host, out int port, out string? error))
            {
                return BadInput(error!);
            }
            try
            {
                peers.AddRange(await PeerAddress.ResolveAsync(host, port, ct).ConfigureAwait(false));
            }
            catch (SocketException ex)
            {
                return BadInput($"--peer '{p}': {ex.Message}");
            }
        }

        var level = spec.Verbose ? LogLevel.Debug : spec.Quiet ? LogLevel.Error : LogLevel.Warning;
        using var loggers = new StderrLoggerFactory(level);
        using var trace = spec.TracePath is null ? null : new FilePeerTraceSink(spec.TracePath);
        var engine = await StartEngineAsync(spec, loggers, trace, ct).ConfigureAwait(false);
        if (engine is null)
        {
            return 1;
        }
        await using (engine.ConfigureAwait(false))
        {
            if (spec.JsonOutput)
            {
                Console.Error.WriteLine($"listening on port {engine.ListenPort}");
                ConsoleOutput.WriteLine(StatusFormatter.JsonEvent(new { Event = "listening", Port = engine.ListenPort }));
            }
            else
            {
                ConsoleOutput.WriteLine($"listening on port {engine.ListenPort}");
            }
            var handle = await engine.AddTorrentAsync(meta, new TorrentOptions
            {
                DownloadDirectory = spec.Directory,
                Peers = peers,
                SeedOnly = spec.SeedOnly,
                SeedWhenComplete = spec.SeedAfter || spec.SeedOnly,
            }, ct).ConfigureAwait(false);
            if (!spec.Quiet && !spec.JsonOutput)
            {
                ConsoleOutput.WriteLine($"{meta.Name}: {meta.PieceCount} pieces, {StatusFormatter.Bytes(meta.TotalLength)}, info hash {meta.InfoHash.ToHex()}");
            }
            int code = await WatchAsync(spec, handle, ct).ConfigureAwait(false);
            await handle.StopAsync().ConfigureAwait(false);
            trace?.Flush();
            return code;
        }
    }

    private static async Task<ShoalEngine?> StartEngineAsync(TorrentRunSpec spec, ILoggerFactory loggers, IPeerTraceSink? trace, CancellationToken ct)
    {
        int port = spec.Port < 0 ? DefaultPort : spec.Port;
        while (true)
        {
            var engine = new ShoalEngine(new EngineOptions { Port = port, LoggerFactory = loggers, Trace = trace });
            try
            {
                await engine.StartAsync(ct).ConfigureAwait(false);
                return engine;
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.AddressAlreadyInUse && spec.Port < 0 && port != 0)
            {
                // Only the default port falls back to any free port; an explicit --port is an error.
                await engine.DisposeAsync().ConfigureAwait(false);
                port = 0;
            }
            catch (SocketException ex)
            {
                await engine.DisposeAsync().ConfigureAwait(false);
                Console.Error.WriteLine($"error: cannot listen on port {port}: {ex.Message}");
                return null;
            }
        }
    }

    private static async Task<int> WatchAsync(TorrentRunSpec spec, TorrentHandle handle, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        bool terminal = ConsoleOutput.IsTerminal && !spec.JsonOutput;
        bool announcedComplete = false;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(terminal ? 0.5 : 1));
        long ticks = 0;
        try
        {
            while (true)
            {
                var s = handle.Status;
                if (s.State == TorrentState.Error)
                {
                    ConsoleOutput.ClearLiveLine();
                    Console.Error.WriteLine($"error: {s.Error}");
                    if (spec.JsonOutput)
                    {
                        ConsoleOutput.WriteLine(StatusFormatter.JsonLine("error", s));
                    }
                    return 1;
                }
                bool ready = spec.SeedOnly ? s.State == TorrentState.Seeding : handle.Completion.IsCompletedSuccessfully;
                if (ready && !announcedComplete)
                {
                    announcedComplete = true;
                    s = handle.Status;
                    Report(spec, terminal, s, "complete");
                    if (!spec.JsonOutput && !spec.Quiet)
                    {
                        ConsoleOutput.WriteLine(spec.SeedOnly
                            ? $"seeding {meta(s)}"
                            : $"complete: {StatusFormatter.Bytes(s.TotalBytes)} verified in {clock.Elapsed.TotalSeconds:0.0}s");
                    }
                    if (spec.SeedOnly && !s.IsComplete)
                    {
                        Console.Error.WriteLine($"warning: only {s.PiecesHave} of {s.PiecesTotal} pieces are in {spec.Directory}; seeding what is there");
                    }
                    if (!spec.SeedAfter && !spec.SeedOnly)
                    {
                        return 0;
                    }
                }
                else if (!spec.Quiet && (terminal || ticks % (spec.JsonOutput ? 1 : 2) == 0))
                {
                    Report(spec, terminal, s, "status");
                }
                ticks++;
                await timer.WaitForNextTickAsync(ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            ConsoleOutput.ClearLiveLine();
            var s = handle.Status;
            if (spec.JsonOutput)
            {
                ConsoleOutput.WriteLine(StatusFormatter.JsonLine("stopped", s));
            }
            if (announcedComplete || spec.SeedOnly)
            {
                return 0;
            }
            Console.Error.WriteLine($"interrupted at {s.Progress * 100:0.0}% ({s.PiecesHave}/{s.PiecesTotal} pieces); run again to resume");
            return 1;
        }

        static string meta(TorrentStatus s) => $"{s.PiecesHave}/{s.PiecesTotal} pieces of {s.Name}";
    }

    private static void Report(TorrentRunSpec spec, bool terminal, TorrentStatus s, string evt)
    {
        if (spec.JsonOutput)
        {
            ConsoleOutput.WriteLine(StatusFormatter.JsonLine(evt, s));
        }
        else if (terminal)
        {
            ConsoleOutput.WriteLiveLine(StatusFormatter.Line(s));
        }
        else
        {
            ConsoleOutput.WriteLine(StatusFormatter.Line(s));
        }
    }

    private static int BadInput(string message)
    {
        Console.Error.WriteLine($"error: {message}");
        return 2;
    }
}

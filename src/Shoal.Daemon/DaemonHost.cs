using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Daemon.Rpc;
using Shoal.Daemon.State;
using Shoal.Daemon.Torrents;
using Shoal.Engine;

namespace Shoal.Daemon;

/// <summary>
/// A running daemon: one <see cref="ShoalEngine"/> (one peer port), the <see cref="TorrentRegistry"/> over the state
/// folder, the RPC and web page on Kestrel, and a tick loop (queue, limits, watch folder). Start with
/// <see cref="StartAsync"/>; dispose to stop (torrents are stopped and saved in their state, not paused).
/// </summary>
public sealed class DaemonHost : IAsyncDisposable
{
    private readonly WebApplication _web;
    private readonly ShoalEngine _engine;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _tickLoop;
    private readonly ILogger _log;

    private DaemonHost(WebApplication web, ShoalEngine engine, TorrentRegistry registry, RpcEndpoint rpc, WatchFolder? watch,
        DaemonOptions options, ILogger log)
    {
        _web = web;
        _engine = engine;
        Registry = registry;
        Rpc = rpc;
        _log = log;
        var bound = web.Urls.Select(u => new Uri(u)).First();
        RpcPort = bound.Port;
        RpcAddress = new Uri($"http://{bound.Authority}{RpcEndpoint.Path}");
        _tickLoop = Task.Run(() => TickLoopAsync(watch, options.TickInterval, _stop.Token));
    }

    public TorrentRegistry Registry { get; }

    public RpcEndpoint Rpc { get; }

    public int PeerPort => _engine.ListenPort;

    public int RpcPort { get; }

    /// <summary>The RPC URL clients use (http://HOST:PORT/transmission/rpc).</summary>
    public Uri RpcAddress { get; }

    public static async Task<DaemonHost> StartAsync(DaemonOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var loggers = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var log = loggers.CreateLogger("Shoal.Daemon");
        var store = new StateStore(options.DataDirectory, log);
        var settings = store.LoadSettings();
        if (options.MaxDownloadRate is { } down)
        {
            settings.SpeedLimitDown = down;
            settings.SpeedLimitDownEnabled = down > 0;
        }
        if (options.MaxUploadRate is { } up)
        {
            settings.SpeedLimitUp = up;
            settings.SpeedLimitUpEnabled = up > 0;
        }
        settings.SessionCount++;
        store.SaveSettings(settings);
        var access = new RpcAccess(options.RpcUser, options.RpcPassword, options.Allow);

        var engine = new ShoalEngine(new EngineOptions
        {
            Port = options.PeerPort,
            LoggerFactory = loggers,
            MaxDownloadRate = settings.SpeedLimitDownEnabled ? settings.SpeedLimitDown : 0,
            MaxUploadRate = settings.SpeedLimitUpEnabled ? settings.SpeedLimitUp : 0,
            Dht = options.Dht,
        });
        TorrentRegistry? registry = null;
        WebApplication? web = null;
        try
        {
            await engine.StartAsync(ct).ConfigureAwait(false);
            registry = new TorrentRegistry(engine, store, settings, Path.GetFullPath(options.DownloadDirectory), loggers);
            await registry.LoadAsync().ConfigureAwait(false);
            RpcEndpoint? rpc = null;
            var handler = new RpcHandler(registry, store, () => rpc!.SessionId);
            rpc = new RpcEndpoint(handler, access, log);
            web = BuildWeb(options, access, rpc);
            await web.StartAsync(ct).ConfigureAwait(false);
            var watch = options.WatchDirectory is null ? null : new WatchFolder(options.WatchDirectory, registry, log);
            return new DaemonHost(web, engine, registry, rpc, watch, options, log);
        }
        catch
        {
            if (web is not null)
            {
                await web.DisposeAsync().ConfigureAwait(false);
            }
            if (registry is not null)
            {
                await registry.DisposeAsync().ConfigureAwait(false);
            }
            await engine.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private static WebApplication BuildWeb(DaemonOptions options, RpcAccess access, RpcEndpoint rpc)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(options.RpcEndPoint);
            k.Limits.MaxRequestBodySize = RpcHandler.MaxTorrentBytes * 2L;
            k.AddServerHeader = false;
        });
        var app = builder.Build();
        // Every path (the page too) goes through the same access rule as the RPC.
        app.Use(async (context, next) =>
        {
            // No framing by other sites (clickjacking the page's buttons) and no content sniffing.
            context.Response.Headers.XFrameOptions = "DENY";
            context.Response.Headers.XContentTypeOptions = "nosniff";
            if (context.Request.Path.StartsWithSegments(RpcEndpoint.Path))
            {
                await rpc.HandleAsync(context).ConfigureAwait(false);
                return;
            }
            if (access.Check(context) is { } refused)
            {
                context.Response.StatusCode = refused;
                return;
            }
            await next(context).ConfigureAwait(false);
        });
        string webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        if (Directory.Exists(webRoot))
        {
            var files = new PhysicalFileProvider(webRoot);
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }
        // Transmission's clients link to its web page here.
        app.MapGet("/transmission/web/", context =>
        {
            context.Response.Redirect("/");
            return Task.CompletedTask;
        });
        return app;
    }

    private async Task TickLoopAsync(WatchFolder? watch, TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval);
        try
        {
            do
            {
                try
                {
                    await Registry.TickAsync(interval).ConfigureAwait(false);
                    if (watch is not null)
                    {
                        await watch.ScanAsync().ConfigureAwait(false);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    _log.LogError(ex, "daemon tick failed");
                }
            }
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops the web server and the tick loop, stops every torrent (saved as they were), then the engine.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        await _stop.CancelAsync().ConfigureAwait(false);
        await _web.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _web.DisposeAsync().ConfigureAwait(false);
        await _tickLoop.ConfigureAwait(false);
        await Registry.DisposeAsync().ConfigureAwait(false);
        await _engine.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}

using System.Net;
using Shoal.Engine.Session;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Tests.Session;

/// <summary>
/// Two real engines on 127.0.0.1: a seeder serving <c>meta</c> from its folder (data checked before the leecher
/// starts) and a leecher that dials it. Disposing stops the leecher first, then the seeder.
/// </summary>
internal sealed class LoopbackPair : IAsyncDisposable
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(60);

    private LoopbackPair(ShoalEngine seeder, ShoalEngine leecher)
    {
        Seeder = seeder;
        Leecher = leecher;
    }

    public ShoalEngine Seeder { get; }

    public ShoalEngine Leecher { get; }

    public TorrentHandle Seed { get; private set; } = null!;

    public TorrentHandle Leech { get; private set; } = null!;

    /// <param name="leech">The leecher's options; its peer list is replaced by the seeder.</param>
    /// <param name="seederMaxUpload">The seeder engine's global upload limit in bytes/s (0 = none).</param>
    public static async Task<LoopbackPair> StartAsync(TorrentMetainfo meta, string seedDir, TorrentOptions leech,
        long seederMaxUpload = 0)
    {
        var pair = new LoopbackPair(
            new ShoalEngine(new EngineOptions { ListenAddress = IPAddress.Loopback, MaxUploadRate = seederMaxUpload }),
            new ShoalEngine(new EngineOptions { ListenAddress = IPAddress.Loopback }));
        try
        {
            pair.Seed = await pair.Seeder.AddTorrentAsync(meta, new TorrentOptions { DownloadDirectory = seedDir, SeedOnly = true });
            await pair.Seed.Completion.WaitAsync(CheckTimeout);
            pair.Leech = await pair.Leecher.AddTorrentAsync(meta,
                leech with { Peers = [new IPEndPoint(IPAddress.Loopback, pair.Seeder.ListenPort)] });
            return pair;
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Leecher.DisposeAsync();
        await Seeder.DisposeAsync();
    }
}

using Shoal.Protocol;

namespace Shoal.Engine.Trackers;

/// <summary>One tracker's scrape outcome, with the tier it came from.</summary>
/// <param name="Tier">0-based tier.</param>
/// <param name="Result">Counts, an error, or "not supported".</param>
public sealed record TrackerScrape(int Tier, ScrapeResult Result);

/// <summary>Scrapes every tracker of a torrent at once (HTTP by the announce→scrape convention, UDP by BEP 15).</summary>
public static class TrackerScraper
{
    /// <summary>
    /// Scrapes each distinct URL in parallel; results keep the order of <paramref name="tiers"/>. Unsupported schemes
    /// and HTTP trackers without a scrape URL come back with <see cref="ScrapeResult.NotSupported"/>.
    /// </summary>
    public static async Task<IReadOnlyList<TrackerScrape>> ScrapeAllAsync(IReadOnlyList<IReadOnlyList<string>> tiers,
        InfoHash infoHash, TrackerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tiers);
        options ??= TrackerOptions.Default;
        using var http = new HttpTrackerClient(options);
        using var udp = new UdpTrackerClient(options);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var tasks = new List<Task<TrackerScrape>>();
        for (int t = 0; t < tiers.Count; t++)
        {
            foreach (string raw in tiers[t])
            {
                string url = raw.Trim();
                if (url.Length == 0 || !seen.Add(url))
                {
                    continue;
                }
                int tier = t;
                ITrackerClient? client = url.StartsWith("udp://", StringComparison.OrdinalIgnoreCase) ? udp
                    : url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? http
                    : null;
                tasks.Add(client is null
                    ? Task.FromResult(new TrackerScrape(tier, ScrapeResult.Fail(url, "unsupported tracker URL scheme", notSupported: true)))
                    : ScrapeOneAsync(client, tier, url, infoHash, cancellationToken));
            }
        }
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private static async Task<TrackerScrape> ScrapeOneAsync(ITrackerClient client, int tier, string url, InfoHash infoHash, CancellationToken ct)
    {
        var result = await client.ScrapeAsync(url, [infoHash], ct).ConfigureAwait(false);
        // A tracker that answers but does not know the torrent returns no entry: report zeros, as other clients do.
        if (result.IsSuccess && !result.Files!.Any(f => f.InfoHash == infoHash))
        {
            result = result with { Files = [new Protocol.Trackers.ScrapeStats(infoHash, 0, 0, 0)] };
        }
        return new TrackerScrape(tier, result);
    }
}

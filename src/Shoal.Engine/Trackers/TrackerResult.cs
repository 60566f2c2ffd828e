using Shoal.Protocol.Trackers;

namespace Shoal.Engine.Trackers;

/// <summary>
/// The outcome of one announce: either the tracker's response or an error text. Never an exception: bad URLs,
/// DNS failures, timeouts, HTTP errors and junk bodies all end here as <see cref="Error"/>.
/// </summary>
public sealed record TrackerResult
{
    public required string Url { get; init; }

    /// <summary>The response when the tracker answered and did not refuse.</summary>
    public AnnounceResponse? Response { get; init; }

    /// <summary>What went wrong; a tracker's <c>failure reason</c> is kept verbatim.</summary>
    public string? Error { get; init; }

    /// <summary>True when the tracker itself answered with a refusal (failure reason / UDP error).</summary>
    public bool TrackerRefused { get; init; }

    public bool IsSuccess => Response is not null && Error is null;

    public static TrackerResult Ok(string url, AnnounceResponse response) => new() { Url = url, Response = response };

    public static TrackerResult Fail(string url, string error, bool trackerRefused = false) =>
        new() { Url = url, Error = error, TrackerRefused = trackerRefused };
}

/// <summary>The outcome of one scrape.</summary>
public sealed record ScrapeResult
{
    public required string Url { get; init; }

    /// <summary>Counts per torrent when the scrape worked.</summary>
    public IReadOnlyList<ScrapeStats>? Files { get; init; }

    public string? Error { get; init; }

    /// <summary>True when the tracker has no scrape URL (HTTP announce URL not ending in <c>announce...</c>).</summary>
    public bool NotSupported { get; init; }

    public bool IsSuccess => Files is not null && Error is null;

    public static ScrapeResult Ok(string url, IReadOnlyList<ScrapeStats> files) => new() { Url = url, Files = files };

    public static ScrapeResult Fail(string url, string error, bool notSupported = false) =>
        new() { Url = url, Error = error, NotSupported = notSupported };
}

/// <summary>One announce/scrape transport (HTTP or UDP).</summary>
public interface ITrackerClient
{
    /// <summary>Announces; never throws except <see cref="OperationCanceledException"/> for the caller's token.</summary>
    Task<TrackerResult> AnnounceAsync(string url, AnnounceRequest request, CancellationToken cancellationToken);

    /// <summary>Scrapes; never throws except <see cref="OperationCanceledException"/> for the caller's token.</summary>
    Task<ScrapeResult> ScrapeAsync(string url, IReadOnlyList<Protocol.InfoHash> infoHashes, CancellationToken cancellationToken);
}

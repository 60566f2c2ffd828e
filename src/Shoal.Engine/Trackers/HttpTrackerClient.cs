using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Shoal.Protocol;
using Shoal.Protocol.Trackers;

namespace Shoal.Engine.Trackers;

/// <summary>
/// Announces and scrapes over HTTP(S) with one pooled <see cref="HttpClient"/>. Every failure (connect, timeout,
/// redirect loop, HTTP status, oversized or junk body) comes back as an error text, not an exception.
/// </summary>
public sealed class HttpTrackerClient : ITrackerClient, IDisposable
{
    private static readonly Lazy<HttpTrackerClient> LazyShared = new(() => new HttpTrackerClient());
    private readonly HttpClient _http;
    private readonly TrackerOptions _options;

    /// <summary>Creates a client with its own connection pool.</summary>
    /// <param name="options">Timeouts and limits.</param>
    /// <param name="handler">For tests only; by default a <see cref="SocketsHttpHandler"/> built from the options.</param>
    public HttpTrackerClient(TrackerOptions? options = null, HttpMessageHandler? handler = null)
    {
        _options = options ?? TrackerOptions.Default;
        handler ??= new SocketsHttpHandler
        {
            ConnectTimeout = _options.HttpConnectTimeout,
            AllowAutoRedirect = true,
            MaxAutomaticRedirections = Math.Max(1, _options.HttpMaxRedirects),
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            UseCookies = false,
        };
        // The overall deadline is ours (it must cover the body too), so HttpClient's own one is off.
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Shoal", "0.1"));
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("*/*"));
    }

    /// <summary>A process-wide client with default options, for callers that do not manage one.</summary>
    public static HttpTrackerClient Shared => LazyShared.Value;

    /// <inheritdoc/>
    public async Task<TrackerResult> AnnounceAsync(string url, AnnounceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!IsHttpUrl(url))
        {
            return TrackerResult.Fail(url, $"not an HTTP tracker URL: {url}");
        }
        string full = HttpTrackerUrl.BuildAnnounce(url, request);
        var (body, error) = await GetAsync(full, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return TrackerResult.Fail(url, error!);
        }
        if (!HttpTrackerResponse.TryParseAnnounce(body, out var response, out string? parseError, _options.MaxPeersPerResponse))
        {
            return TrackerResult.Fail(url, error ?? parseError);
        }
        if (response.FailureReason is not null)
        {
            return new TrackerResult { Url = url, Response = response, Error = response.FailureReason, TrackerRefused = true };
        }
        return TrackerResult.Ok(url, response);
    }

    /// <inheritdoc/>
    public async Task<ScrapeResult> ScrapeAsync(string url, IReadOnlyList<InfoHash> infoHashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(infoHashes);
        if (!IsHttpUrl(url))
        {
            return ScrapeResult.Fail(url, $"not an HTTP tracker URL: {url}");
        }
        if (!HttpTrackerUrl.TryGetScrapeUrl(url, out string scrapeUrl))
        {
            return ScrapeResult.Fail(url, "tracker does not support scrape (announce URL does not end in 'announce')", notSupported: true);
        }
        var (body, error) = await GetAsync(HttpTrackerUrl.BuildScrape(scrapeUrl, infoHashes), cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return ScrapeResult.Fail(url, error!);
        }
        if (!HttpTrackerResponse.TryParseScrape(body, out var response, out string? parseError))
        {
            return ScrapeResult.Fail(url, error ?? parseError);
        }
        return response.FailureReason is not null ? ScrapeResult.Fail(url, response.FailureReason) : ScrapeResult.Ok(url, response.Files);
    }

    public void Dispose() => _http.Dispose();

    private static bool IsHttpUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>
    /// GETs a URL. Returns the body, or null and an error. A non-2xx status with a body returns both the body and
    /// an error: trackers often send their bencoded failure reason with a 4xx status, and that text is better.
    /// </summary>
    private async Task<(byte[]? Body, string? Error)> GetAsync(string url, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(_options.HttpTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            // Announces are minutes apart and many trackers (opentracker among them) close the connection after each
            // answer: reusing a pooled connection races that close and fails with "connection reset".
            request.Headers.ConnectionClose = true;
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token).ConfigureAwait(false);
            string? statusError = null;
            if (!response.IsSuccessStatusCode)
            {
                int code = (int)response.StatusCode;
                statusError = code is >= 300 and < 400
                    ? $"HTTP {code} {response.ReasonPhrase} (redirect not followed: too many redirects or a change of scheme)"
                    : $"HTTP {code} {response.ReasonPhrase}";
            }
            long? declared = response.Content.Headers.ContentLength;
            if (declared > _options.MaxResponseBytes)
            {
                return (null, statusError ?? $"response too large ({declared} bytes, limit {_options.MaxResponseBytes})");
            }
            var (body, readError) = await ReadBoundedAsync(response.Content, cts.Token).ConfigureAwait(false);
            if (body is null)
            {
                return (null, statusError ?? readError);
            }
            if (statusError is not null)
            {
                // Keep a failure reason sent with an error status; otherwise the status is the error.
                return HttpTrackerResponse.TryParseAnnounce(body, out var r, out _) && r.FailureReason is not null
                    ? (body, null)
                    : (null, statusError);
            }
            return (body, null);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, e.InnerException is TimeoutException && !cts.IsCancellationRequested
                ? "connect timed out"
                : $"tracker did not answer within {_options.HttpTimeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException e)
        {
            return (null, Describe(e));
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or NotSupportedException or UriFormatException)
        {
            return (null, e.Message);
        }
    }

    private async Task<(byte[]? Body, string? Error)> ReadBoundedAsync(HttpContent content, CancellationToken ct)
    {
        int limit = _options.MaxResponseBytes;
        using var stream = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            int n = await stream.ReadAsync(chunk, ct).ConfigureAwait(false);
            if (n == 0)
            {
                return (buffer.ToArray(), null);
            }
            if (buffer.Length + n > limit)
            {
                return (null, $"response too large (over {limit} bytes)");
            }
            buffer.Write(chunk, 0, n);
        }
    }

    private static string Describe(HttpRequestException e)
    {
        if (e.InnerException is SocketException se)
        {
            return se.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.HostNotFound or SocketError.NoData => "host not found",
                SocketError.TimedOut => "connect timed out",
                _ => se.Message,
            };
        }
        return e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;
    }
}

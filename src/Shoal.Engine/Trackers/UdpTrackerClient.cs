using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Shoal.Protocol;
using Shoal.Protocol.Trackers;

namespace Shoal.Engine.Trackers;

/// <summary>
/// BEP 15 UDP tracker client. Each request connects (or reuses a connection id younger than a minute), then sends
/// the announce or scrape, retransmitting after 15·2ⁿ seconds (base and attempt count from <see cref="TrackerOptions"/>).
/// Datagrams with a wrong transaction id, a wrong action or a short length are ignored while waiting. All failures are
/// returned as error text.
/// </summary>
public sealed class UdpTrackerClient : ITrackerClient, IDisposable
{
    private readonly TrackerOptions _options;
    private readonly TimeProvider _time;
    private readonly Dictionary<IPEndPoint, (long Id, DateTimeOffset Expires)> _connectionIds = [];
    private readonly Lock _gate = new();

    public UdpTrackerClient(TrackerOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options ?? TrackerOptions.Default;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <inheritdoc/>
    public async Task<TrackerResult> AnnounceAsync(string url, AnnounceRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (endpoint, urlData, error) = await ResolveAsync(url, cancellationToken).ConfigureAwait(false);
        if (endpoint is null)
        {
            return TrackerResult.Fail(url, error!);
        }
        using var socket = Open(endpoint, out string? openError);
        if (socket is null)
        {
            return TrackerResult.Fail(url, openError!);
        }
        var (connectionId, connectError, refused) = await GetConnectionIdAsync(socket, endpoint, cancellationToken).ConfigureAwait(false);
        if (connectError is not null)
        {
            return TrackerResult.Fail(url, connectError, refused);
        }
        int tid = NewTransactionId();
        byte[] packet = UdpTrackerPackets.BuildAnnounce(connectionId, tid, request, urlData);
        bool ipv6 = endpoint.AddressFamily == AddressFamily.InterNetworkV6;
        var reply = await ExchangeAsync(socket, packet, UdpTrackerAction.Announce, tid, ipv6, null, cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            { Kind: UdpTrackerReplyKind.Announced, Announce: { } a } => TrackerResult.Ok(url, a),
            { Kind: UdpTrackerReplyKind.Error } => Refused(url, endpoint, reply.ErrorMessage!),
            _ => TrackerResult.Fail(url, reply.InvalidReason!),
        };
    }

    /// <inheritdoc/>
    public async Task<ScrapeResult> ScrapeAsync(string url, IReadOnlyList<InfoHash> infoHashes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(infoHashes);
        if (infoHashes.Count is 0 or > UdpTrackerPackets.MaxScrapeHashes)
        {
            return ScrapeResult.Fail(url, $"1 to {UdpTrackerPackets.MaxScrapeHashes} info hashes per UDP scrape");
        }
        var (endpoint, _, error) = await ResolveAsync(url, cancellationToken).ConfigureAwait(false);
        if (endpoint is null)
        {
            return ScrapeResult.Fail(url, error!);
        }
        using var socket = Open(endpoint, out string? openError);
        if (socket is null)
        {
            return ScrapeResult.Fail(url, openError!);
        }
        var (connectionId, connectError, _) = await GetConnectionIdAsync(socket, endpoint, cancellationToken).ConfigureAwait(false);
        if (connectError is not null)
        {
            return ScrapeResult.Fail(url, connectError);
        }
        int tid = NewTransactionId();
        byte[] packet = UdpTrackerPackets.BuildScrape(connectionId, tid, infoHashes);
        var reply = await ExchangeAsync(socket, packet, UdpTrackerAction.Scrape, tid, false, infoHashes, cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            { Kind: UdpTrackerReplyKind.Scraped, Scrape: { } s } => ScrapeResult.Ok(url, s.Files),
            { Kind: UdpTrackerReplyKind.Error } => ScrapeResult.Fail(url, reply.ErrorMessage!),
            _ => ScrapeResult.Fail(url, reply.InvalidReason!),
        };
    }

    public void Dispose()
    {
        // Sockets live per request; nothing long-lived to release. Kept IDisposable for symmetry with HTTP.
    }

    private TrackerResult Refused(string url, IPEndPoint endpoint, string message)
    {
        // A refusal may mean our connection id went stale on the tracker's side; connect afresh next time.
        lock (_gate)
        {
            _connectionIds.Remove(endpoint);
        }
        return TrackerResult.Fail(url, message, trackerRefused: true);
    }

    private async Task<(long Id, string? Error, bool Refused)> GetConnectionIdAsync(Socket socket, IPEndPoint endpoint, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_connectionIds.TryGetValue(endpoint, out var cached) && cached.Expires > _time.GetUtcNow())
            {
                return (cached.Id, null, false);
            }
        }
        int tid = NewTransactionId();
        var reply = await ExchangeAsync(socket, UdpTrackerPackets.BuildConnect(tid), UdpTrackerAction.Connect, tid, false, null, ct)
            .ConfigureAwait(false);
        switch (reply.Kind)
        {
            case UdpTrackerReplyKind.Connected:
                lock (_gate)
                {
                    _connectionIds[endpoint] = (reply.ConnectionId, _time.GetUtcNow() + _options.UdpConnectionIdLifetime);
                }
                return (reply.ConnectionId, null, false);
            case UdpTrackerReplyKind.Error:
                return (0, reply.ErrorMessage, true);
            default:
                return (0, reply.InvalidReason, false);
        }
    }

    /// <summary>
    /// Sends and waits for the matching reply, retransmitting with doubling timeouts. Returns Invalid with the reason
    /// ("tracker not answering", "connection refused") when it gives up.
    /// </summary>
    private async Task<UdpTrackerReply> ExchangeAsync(Socket socket, byte[] packet, UdpTrackerAction action, int tid,
        bool ipv6Peers, IReadOnlyList<InfoHash>? scrapeHashes, CancellationToken ct)
    {
        byte[] buffer = new byte[64 * 1024];
        TimeSpan waited = TimeSpan.Zero;
        for (int attempt = 0; attempt < Math.Max(1, _options.UdpMaxAttempts); attempt++)
        {
            TimeSpan timeout = _options.UdpBaseTimeout * Math.Pow(2, attempt);
            waited += timeout;
            using var attemptCts = new CancellationTokenSource(timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, attemptCts.Token);
            try
            {
                await socket.SendAsync(packet, SocketFlags.None, linked.Token).ConfigureAwait(false);
                while (true)
                {
                    int n = await socket.ReceiveAsync(buffer, SocketFlags.None, linked.Token).ConfigureAwait(false);
                    var reply = UdpTrackerPackets.Parse(buffer.AsSpan(0, n), action, tid, ipv6Peers, scrapeHashes,
                        _options.MaxPeersPerResponse);
                    if (reply.Kind != UdpTrackerReplyKind.Invalid)
                    {
                        return reply;
                    }
                    // Stray or garbled datagram: keep waiting for the real answer.
                }
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // This attempt timed out: retransmit.
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset)
            {
                // ICMP port unreachable: nothing listens there, retransmitting will not help.
                return UdpTrackerReply.Invalid("connection refused (no tracker on that UDP port)");
            }
            catch (SocketException e)
            {
                return UdpTrackerReply.Invalid(e.Message);
            }
        }
        return UdpTrackerReply.Invalid($"tracker not answering (no reply within {waited.TotalSeconds:0.#} s)");
    }

    private static Socket? Open(IPEndPoint endpoint, out string? error)
    {
        try
        {
            var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            // Connecting filters datagrams to the tracker's address and surfaces ICMP unreachable as an error.
            socket.Connect(endpoint);
            error = null;
            return socket;
        }
        catch (SocketException e)
        {
            error = $"cannot reach {endpoint}: {e.Message}";
            return null;
        }
    }

    /// <summary>Parses <c>udp://host:port/path?query</c> and resolves the host (IPv4 preferred, IPv6 otherwise).</summary>
    internal static async Task<(IPEndPoint? Endpoint, string? UrlData, string? Error)> ResolveAsync(string url, CancellationToken ct)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "udp")
        {
            return (null, null, $"not a UDP tracker URL: {url}");
        }
        if (uri.Port is <= 0 or > ushort.MaxValue)
        {
            return (null, null, $"UDP tracker URL without a port: {url}");
        }
        // BEP 41: the path and query travel as URL data; a bare "/" carries nothing.
        string? urlData = uri.PathAndQuery is "/" or "" ? null : uri.PathAndQuery;
        string host = uri.Host.Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal))
        {
            return (new IPEndPoint(literal, uri.Port), urlData, null);
        }
        try
        {
            IPAddress[] addresses = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
            var chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork)
                ?? addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetworkV6);
            return chosen is null
                ? (null, null, $"host not found: {host}")
                : (new IPEndPoint(chosen, uri.Port), urlData, null);
        }
        catch (SocketException)
        {
            return (null, null, $"host not found: {host}");
        }
    }

    private static int NewTransactionId() => RandomNumberGenerator.GetInt32(int.MinValue, int.MaxValue);
}

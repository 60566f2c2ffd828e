using System.Net;
using System.Net.Sockets;
using Shoal.Protocol;

namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>
/// A real opentracker (Debian build) on 127.0.0.1, HTTP and UDP on free ports, killed by its own PID on dispose.
/// </summary>
/// <remarks>
/// Debian's opentracker is compiled whitelist-only and IPv4-only ("V4 Tracker is V4 only!" for <c>-i ::1</c>), so
/// every info hash a test announces must be passed to <see cref="StartAsync(IEnumerable{InfoHash}, CancellationToken)"/>.
/// It chroots into a private folder (<c>-d</c>), drops to <c>nobody</c> (<c>-u</c>) and reads its whitelist from
/// inside the chroot. opentracker hands an announcing peer back to itself, so one announce already sees one peer.
/// Usage:
/// <code>
/// using var tracker = await OpenTracker.StartAsync([infoHash]);
/// string http = tracker.AnnounceUrl;      // http://127.0.0.1:PORT/announce
/// string udp = tracker.UdpAnnounceUrl;    // udp://127.0.0.1:PORT/announce
/// </code>
/// </remarks>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OpenTracker : IDisposable
{
    private const string Executable = "/usr/bin/opentracker";
    private readonly ExternalProcess _process;
    private readonly TempDir _dir;

    private OpenTracker(ExternalProcess process, TempDir dir, int httpPort, int udpPort)
    {
        _process = process;
        _dir = dir;
        HttpPort = httpPort;
        UdpPort = udpPort;
    }

    /// <summary>True when opentracker is installed (tests may skip themselves otherwise).</summary>
    public static bool IsInstalled => File.Exists(Executable);

    /// <summary>Debian's build is IPv4-only; kept as a property so tests read as intent.</summary>
    public static bool SupportsIPv6 => false;

    public int Pid => _process.Pid;

    public int HttpPort { get; }

    public int UdpPort { get; }

    /// <summary><c>http://127.0.0.1:{HttpPort}/announce</c></summary>
    public string AnnounceUrl => $"http://127.0.0.1:{HttpPort}/announce";

    /// <summary><c>http://127.0.0.1:{HttpPort}/scrape</c></summary>
    public string ScrapeUrl => $"http://127.0.0.1:{HttpPort}/scrape";

    /// <summary><c>udp://127.0.0.1:{UdpPort}/announce</c></summary>
    public string UdpAnnounceUrl => $"udp://127.0.0.1:{UdpPort}/announce";

    /// <summary>The tracker's own output so far, for failure messages.</summary>
    public string Log => _process.StandardOutput + _process.StandardError;

    public static Task<OpenTracker> StartAsync(params InfoHash[] whitelist) => StartAsync(whitelist, CancellationToken.None);

    /// <summary>Starts opentracker and waits (bounded) until its HTTP port answers.</summary>
    public static async Task<OpenTracker> StartAsync(IEnumerable<InfoHash> whitelist, CancellationToken cancellationToken = default)
    {
        var hashes = whitelist.Select(h => h.ToHex()).ToList();
        Exception? last = null;
        // Free ports are found by binding port 0 and releasing it; another process may grab one in between, so retry.
        for (int attempt = 0; attempt < 3; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var dir = new TempDir("shoal-opentracker");
            ExternalProcess? process = null;
            try
            {
                // The tracker drops to `nobody` before reading the whitelist inside its chroot.
                File.SetUnixFileMode(dir.Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                string whitelistFile = Path.Combine(dir.Path, "whitelist.txt");
                await File.WriteAllLinesAsync(whitelistFile, hashes, cancellationToken);
                File.SetUnixFileMode(whitelistFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                string config = Path.Combine(dir.Path, "opentracker.conf");
                await File.WriteAllTextAsync(config, "access.whitelist /whitelist.txt\n", cancellationToken);

                int httpPort = FreeTcpPort();
                int udpPort = FreeUdpPort();
                process = ExternalProcess.Start(Executable,
                    ["-i", "127.0.0.1", "-p", httpPort.ToString(), "-P", udpPort.ToString(), "-d", dir.Path, "-u", "nobody", "-f", config]);
                if (await WaitForHttpAsync(process, httpPort, TimeSpan.FromSeconds(10), cancellationToken)
                    && await WaitForWhitelistAsync(httpPort, hashes, TimeSpan.FromSeconds(10), cancellationToken))
                {
                    return new OpenTracker(process, dir, httpPort, udpPort);
                }
                last = new InvalidOperationException($"opentracker did not come up on {httpPort}/{udpPort}:\n{process.StandardOutput}{process.StandardError}");
            }
            catch (Exception e) when (e is IOException or SocketException or System.ComponentModel.Win32Exception)
            {
                last = e;
            }
            process?.Dispose();
            dir.Dispose();
        }
        throw new InvalidOperationException("could not start opentracker", last);
    }

    public void Dispose()
    {
        _process.Dispose();
        _dir.Dispose();
    }

    private static async Task<bool> WaitForHttpAsync(ExternalProcess process, int port, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            using var client = new TcpClient(AddressFamily.InterNetwork);
            try
            {
                await client.ConnectAsync(IPAddress.Loopback, port, ct);
                return true;
            }
            catch (SocketException)
            {
                await Task.Delay(50, ct);
            }
        }
        return false;
    }

    /// <summary>
    /// opentracker answers on its port before it has read the whitelist (a background thread loads it), and refuses
    /// every hash until then. A "stopped" announce for the first listed hash adds no peer and tells when it is loaded.
    /// </summary>
    private static async Task<bool> WaitForWhitelistAsync(int port, IReadOnlyList<string> hashes, TimeSpan timeout, CancellationToken ct)
    {
        if (hashes.Count == 0)
        {
            return true;
        }
        string escaped = string.Concat(Convert.FromHexString(hashes[0]).Select(b => $"%{b:X2}"));
        string url = $"http://127.0.0.1:{port}/announce?info_hash={escaped}&peer_id=-XX0000-whitelistprb&port=1"
            + "&uploaded=0&downloaded=0&left=0&event=stopped&compact=1";
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                string body = System.Text.Encoding.Latin1.GetString(await http.GetByteArrayAsync(url, ct));
                if (!body.Contains("not authorized", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
            catch (HttpRequestException)
            {
                // not answering yet
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                // slow answer under load
            }
            await Task.Delay(50, ct);
        }
        return false;
    }

    private static int FreeTcpPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static int FreeUdpPort()
    {
        using var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)u.Client.LocalEndPoint!).Port;
    }
}

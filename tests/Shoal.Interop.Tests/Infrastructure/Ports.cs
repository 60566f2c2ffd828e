using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>Loopback ports for the processes a test starts.</summary>
public static class Ports
{
    /// <summary>
    /// A port that was free on 127.0.0.1 a moment ago. Another process could take it before ours binds it; on a test
    /// machine that race is rare, and a lost race shows up as a clear "address in use" in the captured output.
    /// </summary>
    public static int Free()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>
    /// Waits until some socket listens on TCP <paramref name="port"/>, read from /proc/net/tcp{,6} so that the check
    /// itself opens no connection (a probe connection would look like a broken peer to the client under test).
    /// </summary>
    public static async Task<bool> WaitListeningAsync(int port, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (IsListening(port))
            {
                return true;
            }
            await Task.Delay(50);
        }
        return false;
    }

    public static bool IsListening(int port)
    {
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }
            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // "  0: 0100007F:1F90 00000000:0000 0A ..." : local address:port (hex), remote, state (0A = LISTEN)
                var cols = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (cols.Length < 4 || cols[3] != "0A")
                {
                    continue;
                }
                var local = cols[1];
                int colon = local.LastIndexOf(':');
                if (colon > 0 && int.TryParse(local.AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int p) && p == port)
                {
                    return true;
                }
            }
        }
        return false;
    }
}

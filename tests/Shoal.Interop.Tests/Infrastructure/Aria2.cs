using System.Globalization;

namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>
/// aria2c as a leecher on 127.0.0.1: DHT, LPD and PEX off, exits 0 once the download is complete
/// (<c>--seed-time=0</c>). aria2 has no option to dial a given peer, so either another peer dials its listen port or
/// the torrent names a tracker.
/// </summary>
public sealed class Aria2 : IDisposable
{
    private Aria2(ExternalProcess process, int port)
    {
        Process = process;
        Port = port;
    }

    public ExternalProcess Process { get; }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    /// <summary>Starts the leecher and waits until its BitTorrent port listens.</summary>
    public static async Task<Aria2> StartLeecherAsync(string torrent, string outDir)
    {
        Directory.CreateDirectory(outDir);
        int port = Ports.Free();
        string p = port.ToString(CultureInfo.InvariantCulture);
        var args = new[]
        {
            $"--dir={outDir}", "--seed-time=0", "--enable-dht=false", "--enable-dht6=false", "--bt-enable-lpd=false",
            "--enable-peer-exchange=false", "--disable-ipv6=true", "--interface=127.0.0.1", $"--listen-port={p}",
            "--file-allocation=falloc", "--summary-interval=1", "--console-log-level=notice", "--no-conf=true",
            "--bt-save-metadata=false", "--auto-save-interval=0",
            torrent,
        };
        var process = ExternalProcess.Start("aria2c", args);
        if (!await Ports.WaitListeningAsync(port, TimeSpan.FromSeconds(30)))
        {
            string why = $"aria2c did not listen on {port}:\nstdout:\n{process.StandardOutput}\nstderr:\n{process.StandardError}";
            process.Dispose();
            throw new InvalidOperationException(why);
        }
        return new Aria2(process, port);
    }

    public Task WaitForExitAsync(TimeSpan timeout) => Process.WaitForExitAsync(timeout);

    public void Dispose() => Process.Dispose();
}

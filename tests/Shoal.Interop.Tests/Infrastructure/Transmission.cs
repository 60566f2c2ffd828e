using System.Globalization;

namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>
/// transmission-cli as a leecher on 127.0.0.1 with its own config folder (DHT, LPD, PEX, uTP and port forwarding off).
/// It drops 127.0.0.0/8 peers handed out by a tracker, so the other side must dial <see cref="Endpoint"/>. Completion is
/// its <c>-f</c> script touching a marker file; it keeps seeding afterwards, so the test kills it.
/// </summary>
public sealed class Transmission : IDisposable
{
    private readonly string _marker;

    private Transmission(ExternalProcess process, int port, string marker)
    {
        Process = process;
        Port = port;
        _marker = marker;
    }

    public ExternalProcess Process { get; }

    public int Port { get; }

    public string Endpoint => $"127.0.0.1:{Port}";

    public static async Task<Transmission> StartLeecherAsync(string torrent, string outDir, string configDir)
    {
        Directory.CreateDirectory(outDir);
        Directory.CreateDirectory(configDir);
        int port = Ports.Free();
        string marker = Path.Combine(configDir, "done.marker");
        string script = Path.Combine(configDir, "done.sh");
        await File.WriteAllTextAsync(script, $"#!/bin/sh\ntouch '{marker}'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        string settings = $$"""
            { "dht-enabled": false, "lpd-enabled": false, "pex-enabled": false, "utp-enabled": false,
              "port-forwarding-enabled": false, "bind-address-ipv4": "127.0.0.1", "bind-address-ipv6": "::1",
              "rpc-enabled": false, "blocklist-enabled": false, "speed-limit-down-enabled": false,
              "speed-limit-up-enabled": false, "alt-speed-enabled": false, "peer-port": {{port.ToString(CultureInfo.InvariantCulture)}},
              "peer-port-random-on-start": false, "download-dir": "{{outDir}}", "incomplete-dir-enabled": false,
              "message-level": 2 }
            """;
        await File.WriteAllTextAsync(Path.Combine(configDir, "settings.json"), settings);
        var args = new[] { "-g", configDir, "-w", outDir, "-p", port.ToString(CultureInfo.InvariantCulture), "-D", "-U", "-M",
            "-f", script, torrent };
        var process = ExternalProcess.Start("transmission-cli", args);
        if (!await Ports.WaitListeningAsync(port, TimeSpan.FromSeconds(30)))
        {
            string why = $"transmission-cli did not listen on {port}:\nstdout:\n{process.StandardOutput}\nstderr:\n{process.StandardError}";
            process.Dispose();
            throw new InvalidOperationException(why);
        }
        return new Transmission(process, port, marker);
    }

    /// <summary>Waits for the completion script; throws <see cref="TimeoutException"/> with the output otherwise.</summary>
    public async Task WaitForCompletionAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!File.Exists(_marker))
        {
            if (Process.HasExited)
            {
                throw new InvalidOperationException($"transmission-cli exited ({Process.ExitCode}) before completing:\n{Describe()}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"transmission-cli did not complete within {timeout.TotalSeconds:0}s:\n{Describe()}");
            }
            await Task.Delay(100);
        }
    }

    public string Describe()
    {
        // transmission-cli redraws one status line with carriage returns; keep the tail readable.
        string o = Process.StandardOutput.Replace('\r', '\n');
        return $"stdout (tail):\n{(o.Length > 3000 ? o[^3000..] : o)}\nstderr:\n{Process.StandardError}";
    }

    public void Dispose() => Process.Dispose();
}

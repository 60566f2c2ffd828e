using System.Globalization;
using System.Net;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Web;

/// <summary>
/// A real <c>shoal daemon</c> for the browser test: RPC on a free loopback port, state and downloads in the test's
/// folder. Ready once the RPC answers (the 409 that opens the session-id handshake is an answer).
/// </summary>
public static class DaemonUnderTest
{
    public static async Task<(ExternalProcess Process, Uri BaseUrl)> StartAsync(string dataDir, string downloadDir)
    {
        int rpcPort = Ports.Free();
        var process = ExternalProcess.Start(RepoPaths.ShoalExe,
        [
            "daemon", "--rpc-bind", $"127.0.0.1:{rpcPort.ToString(CultureInfo.InvariantCulture)}",
            "--data-dir", dataDir, "--download-dir", downloadDir, "--port", "0", "--no-dht", "--verbose",
        ]);
        var baseUrl = new Uri($"http://127.0.0.1:{rpcPort}/");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            try
            {
                using var response = await http.PostAsync(new Uri(baseUrl, "transmission/rpc"), new StringContent("{}"));
                if (response.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.OK)
                {
                    return (process, baseUrl);
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }
            await Task.Delay(200);
        }
        string why = $"shoal daemon did not answer on {baseUrl}" + (process.HasExited ? $" (exited {process.ExitCode})" : "")
            + $"\n--- stdout ---\n{process.StandardOutput}\n--- stderr ---\n{process.StandardError}";
        process.Dispose();
        throw new InvalidOperationException(why);
    }
}

using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Shoal.Interop.Tests.Web;

/// <summary>
/// A minimal Transmission RPC client for checking, independently of the page, what the daemon holds
/// (with the 409 session-id handshake).
/// </summary>
public sealed class RpcClient(Uri baseUrl) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };
    private string _sessionId = "";

    public async Task<JsonElement> CallAsync(string method, JsonObject arguments)
    {
        string body = new JsonObject { ["method"] = method, ["arguments"] = arguments }.ToJsonString();
        for (int attempt = 0; attempt < 2; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseUrl, "transmission/rpc"))
            {
                Content = new StringContent(body, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("X-Transmission-Session-Id", _sessionId);
            using var response = await _http.SendAsync(request);
            if (response.StatusCode == HttpStatusCode.Conflict)
            {
                _sessionId = response.Headers.GetValues("X-Transmission-Session-Id").First();
                continue;
            }
            response.EnsureSuccessStatusCode();
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("success", doc.RootElement.GetProperty("result").GetString());
            return doc.RootElement.GetProperty("arguments").Clone();
        }
        throw new InvalidOperationException("the daemon kept answering 409");
    }

    /// <summary>One torrent's fields from torrent-get (by info hash).</summary>
    public async Task<JsonElement> TorrentAsync(string infoHash, params string[] fields)
    {
        var args = await CallAsync("torrent-get", new JsonObject
        {
            ["ids"] = new JsonArray(infoHash),
            ["fields"] = new JsonArray([.. fields.Select(f => (JsonNode)f)]),
        });
        return Assert.Single(args.GetProperty("torrents").EnumerateArray());
    }

    public void Dispose() => _http.Dispose();
}

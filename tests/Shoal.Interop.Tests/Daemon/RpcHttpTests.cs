using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Daemon;

/// <summary>The RPC's HTTP contract seen by a raw client: session-id handshake, no state change on GET, errors.</summary>
public sealed class RpcHttpTests
{
    private const string SessionHeader = "X-Transmission-Session-Id";

    [Fact]
    public async Task A_request_without_the_session_id_gets_409_with_it_and_the_retry_succeeds()
    {
        using var dir = new TempDir("shoal-daemon-rpc");
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), dir.Sub("dl"));
        using var http = new HttpClient();
        string body = "{\"method\":\"session-get\",\"tag\":7}";
        using var first = await http.PostAsync(daemon.RpcUri, new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Conflict, first.StatusCode);
        string id = first.Headers.GetValues(SessionHeader).Single();
        Assert.True(id.Length >= 16, id);

        using var wrong = new HttpRequestMessage(HttpMethod.Post, daemon.RpcUri) { Content = new StringContent(body) };
        wrong.Headers.Add(SessionHeader, "not-the-id");
        using var wrongReply = await http.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Conflict, wrongReply.StatusCode);

        using var retry = new HttpRequestMessage(HttpMethod.Post, daemon.RpcUri) { Content = new StringContent(body) };
        retry.Headers.Add(SessionHeader, id);
        using var reply = await http.SendAsync(retry);
        Assert.Equal(HttpStatusCode.OK, reply.StatusCode);
        var json = JsonNode.Parse(await reply.Content.ReadAsStringAsync())!;
        Assert.Equal("success", (string?)json["result"]);
        Assert.Equal(7, (int)json["tag"]!);
        Assert.Equal(daemon.PeerPort, (int)json["arguments"]!["peer-port"]!);
        Assert.Equal(16, (int)json["arguments"]!["rpc-version"]!);
    }

    [Fact]
    public async Task GET_never_changes_state_even_with_the_session_id_and_a_method()
    {
        using var dir = new TempDir("shoal-daemon-get");
        string data = dir.Sub("data");
        string file = Payload.WriteSingle(data, "g.bin", 100_000, seed: 5);
        var torrent = await LibtorrentPeer.MakeTorrentAsync(file, Path.Combine(dir.Path, "g.torrent"), 16 * 1024);
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), data);
        var added = await daemon.RpcAsync("torrent-add", new JsonObject { ["filename"] = torrent.TorrentPath });
        Assert.Equal("success", (string?)added["result"]);

        using var http = new HttpClient();
        using var probe = await http.GetAsync(daemon.RpcUri);
        Assert.Equal(HttpStatusCode.Conflict, probe.StatusCode);
        string id = probe.Headers.GetValues(SessionHeader).Single();
        foreach (string method in new[] { "torrent-stop", "torrent-remove" })
        {
            string query = Uri.EscapeDataString($"{{\"method\":\"{method}\",\"arguments\":{{\"ids\":[1]}}}}");
            using var get = new HttpRequestMessage(HttpMethod.Get, $"{daemon.RpcUri}?json={query}&method={method}");
            get.Headers.Add(SessionHeader, id);
            using var reply = await http.SendAsync(get);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, reply.StatusCode);
        }
        var torrents = await daemon.TorrentsAsync("id", "status", "isFinished");
        var t = Assert.Single(torrents);
        Assert.NotEqual(0, (int)t!["status"]!); // still running: not stopped, not removed
    }

    [Fact]
    public async Task Unknown_methods_bad_json_and_bad_torrents_get_transmission_style_errors()
    {
        using var dir = new TempDir("shoal-daemon-errors");
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), dir.Sub("dl"));
        var unknown = await daemon.RpcAsync("torrent-frobnicate");
        Assert.Equal("method name not recognized", (string?)unknown["result"]);

        var bad = await daemon.RpcAsync("torrent-add", new JsonObject { ["metainfo"] = Convert.ToBase64String("d4:spam"u8.ToArray()) });
        Assert.Equal("invalid or corrupt torrent file", (string?)bad["result"]);

        var free = await daemon.RpcAsync("free-space", new JsonObject { ["path"] = dir.Path });
        Assert.Equal("success", (string?)free["result"]);
        Assert.True((long)free["arguments"]!["size-bytes"]! > 0);

        var port = await daemon.RpcAsync("port-test");
        Assert.False((bool)port["arguments"]!["port-is-open"]!);
        Assert.Contains("cannot test", (string?)port["arguments"]!["port-test-note"]);

        // A body that is not JSON: 400 after the handshake, and the daemon keeps serving.
        using var http = new HttpClient();
        using var probe = await http.PostAsync(daemon.RpcUri, new StringContent("{"));
        string id = probe.Headers.GetValues(SessionHeader).Single();
        using var garbage = new HttpRequestMessage(HttpMethod.Post, daemon.RpcUri) { Content = new StringContent("{not json") };
        garbage.Headers.Add(SessionHeader, id);
        using var garbageReply = await http.SendAsync(garbage);
        Assert.Equal(HttpStatusCode.BadRequest, garbageReply.StatusCode);
        Assert.Equal("success", (string?)(await daemon.RpcAsync("session-stats"))["result"]);
    }

    [Fact]
    public async Task A_host_name_other_than_localhost_is_refused_without_credentials()
    {
        using var dir = new TempDir("shoal-daemon-host");
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), dir.Sub("dl"));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, daemon.RpcUri) { Content = new StringContent("{}") };
        request.Headers.Host = $"evil.example:{daemon.RpcPort}";
        using var reply = await http.SendAsync(request);
        Assert.Equal((HttpStatusCode)421, reply.StatusCode);
        Assert.False(reply.Headers.Contains(SessionHeader));
    }

    [Fact]
    public async Task Basic_auth_is_checked_before_the_session_handshake()
    {
        using var dir = new TempDir("shoal-daemon-basic");
        using var daemon = await DaemonProcess.StartAsync(dir.Sub("state"), dir.Sub("dl"), user: "u", password: "p");
        using var http = new HttpClient();
        using var reply = await http.PostAsync(daemon.RpcUri, new StringContent("{\"method\":\"session-get\"}"));
        Assert.Equal(HttpStatusCode.Unauthorized, reply.StatusCode);
        Assert.Contains("Basic", reply.Headers.WwwAuthenticate.ToString());
        Assert.False(reply.Headers.Contains(SessionHeader), "the session id must not leak to an unauthenticated client");
        // The helper sends the right credentials.
        Assert.Equal("success", (string?)(await daemon.RpcAsync("session-get"))["result"]);
    }
}

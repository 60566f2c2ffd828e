using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Shoal.Bencoding;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Daemon;

/// <summary>
/// Bar 3 of issue 9 (the state half; bench/daemon-200.sh measures memory): 200 small torrents in one daemon, some
/// paused and the rest seeding, come back with the same ids, names and states after kill -9.
/// </summary>
public sealed class ManyTorrentsTests
{
    private const int Count = 200;
    private const int Paused = 50;

    [Fact]
    public async Task Two_hundred_torrents_come_back_in_their_states_after_kill_minus_nine()
    {
        using var dir = new TempDir("shoal-daemon-200");
        string data = dir.Sub("data");
        string state = dir.Sub("state");
        var torrents = Enumerable.Range(0, Count).Select(i => MakeTinyTorrent(data, i)).ToArray();

        using (var daemon = await DaemonProcess.StartAsync(state, data))
        {
            // Complete torrents are checked in the download queue first; let them all check at once.
            Assert.Equal("success", (string?)(await daemon.RpcAsync("session-set", new JsonObject { ["download-queue-size"] = Count }))["result"]);
            foreach (var t in torrents)
            {
                var reply = await daemon.RpcAsync("torrent-add", new JsonObject { ["metainfo"] = Convert.ToBase64String(t) });
                Assert.True(reply["arguments"]?["torrent-added"] is not null, reply.ToJsonString());
            }
            await WaitForStatesAsync(daemon, seeding: Count, stopped: 0);
            var stop = await daemon.RpcAsync("torrent-stop", new JsonObject { ["ids"] = new JsonArray([.. Enumerable.Range(1, Paused).Select(i => (JsonNode?)i)]) });
            Assert.Equal("success", (string?)stop["result"]);
            await WaitForStatesAsync(daemon, seeding: Count - Paused, stopped: Paused);
            daemon.KillHard();
        }

        using (var daemon = await DaemonProcess.StartAsync(state, data))
        {
            var list = await WaitForStatesAsync(daemon, seeding: Count - Paused, stopped: Paused);
            foreach (var t in list)
            {
                int id = (int)t!["id"]!;
                Assert.Equal($"tiny-{id - 1:D3}.bin", (string?)t["name"]);
                Assert.Equal(id <= Paused ? 0 : 6, (int)t["status"]!);
                Assert.Equal(1.0, (double)t["percentDone"]!);
            }
        }
    }

    private static async Task<JsonArray> WaitForStatesAsync(DaemonProcess daemon, int seeding, int stopped)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        JsonArray list = [];
        while (DateTime.UtcNow < deadline)
        {
            list = await daemon.TorrentsAsync("id", "name", "status", "percentDone");
            int s = list.Count(t => (int)t!["status"]! == 6 && (double)t["percentDone"]! == 1.0);
            int p = list.Count(t => (int)t!["status"]! == 0);
            if (list.Count == Count && s == seeding && p == stopped)
            {
                return list;
            }
            await Task.Delay(500);
        }
        var byStatus = string.Join(", ", list.GroupBy(t => (int)t!["status"]!).Select(g => $"status {g.Key}: {g.Count()}"));
        Assert.Fail($"expected {seeding} seeding and {stopped} stopped of {Count}; got {list.Count} torrents ({byStatus})\n{daemon.Output[^Math.Min(4000, daemon.Output.Length)..]}");
        return list;
    }

    /// <summary>A one-piece single-file torrent over a 16 KiB file of random bytes written into <paramref name="dataDir"/>.</summary>
    private static byte[] MakeTinyTorrent(string dataDir, int index)
    {
        string name = $"tiny-{index:D3}.bin";
        byte[] content = new byte[16 * 1024];
        new Random(index).NextBytes(content);
        File.WriteAllBytes(Path.Combine(dataDir, name), content);
        var info = new BDictionary();
        info["length"] = (long)content.Length;
        info["name"] = name;
        info["piece length"] = (long)content.Length;
        info["pieces"] = new BString(SHA1.HashData(content));
        var top = new BDictionary();
        top["info"] = info;
        return BencodeWriter.Encode(top);
    }
}

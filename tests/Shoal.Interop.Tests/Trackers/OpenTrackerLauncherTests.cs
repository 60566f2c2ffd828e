using Shoal.Interop.Tests.Infrastructure;
using Shoal.Protocol;

namespace Shoal.Interop.Tests.Trackers;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class OpenTrackerLauncherTests
{
    [Fact]
    public async Task Launched_tracker_answers_a_whitelisted_announce_and_is_killed_on_dispose()
    {
        var hash = InfoHash.FromHex("0123456789abcdef0123456789abcdef01234567");
        int pid;
        using (var tracker = await OpenTracker.StartAsync(hash))
        {
            pid = tracker.Pid;
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            string url = tracker.AnnounceUrl + "?info_hash=%01%23Eg%89%AB%CD%EF%01%23Eg%89%AB%CD%EF%01%23Eg"
                + "&peer_id=ABCDEFGHIJKLMNOPQRST&port=5000&compact=1";
            string body = await http.GetStringAsync(url);
            Assert.Contains("5:peers6:", body, StringComparison.Ordinal);
        }
        Assert.Throws<ArgumentException>(() => System.Diagnostics.Process.GetProcessById(pid));
    }
}

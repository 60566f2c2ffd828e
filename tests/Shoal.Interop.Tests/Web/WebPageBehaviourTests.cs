using System.Text.Json;
using Shoal.Interop.Tests.Swarm;
using static Microsoft.Playwright.Assertions;

namespace Shoal.Interop.Tests.Web;

/// <summary>
/// The page against a real daemon without a swarm: a magnet link added and removed, input checked before it is sent,
/// the number formats, and a clear banner (not a broken page) when the daemon goes away.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed class WebPageBehaviourTests
{
    [Fact]
    public async Task Magnet_add_input_checks_formats_and_a_lost_daemon_banner()
    {
        using var scope = new SwarmScope("shoal-web");
        var (daemon, baseUrl) = await DaemonUnderTest.StartAsync(scope.Dir.Sub("state"), scope.Dir.Sub("downloads"));
        scope.Add("shoal daemon", daemon);
        var errors = new List<string>();
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(1024, 700, errors);
        try
        {
            await page.GotoAsync(baseUrl.ToString());
            await Expect(page.Locator("#empty")).ToBeVisibleAsync();

            // Checked in the page before anything is sent.
            await page.ClickAsync("#add-open");
            await page.ClickAsync("#add-submit");
            await Expect(page.Locator("#add-error")).ToContainTextAsync("Choose a .torrent file or paste a magnet link");
            await page.FillAsync("#add-magnet", "http://example.invalid/file.torrent");
            await page.ClickAsync("#add-submit");
            await Expect(page.Locator("#add-error")).ToContainTextAsync("magnet:?");

            // A magnet link (no peers: it waits for metadata), added paused, then removed.
            const string hash = "0123456789abcdef0123456789abcdef01234567";
            await page.FillAsync("#add-magnet", $"magnet:?xt=urn:btih:{hash}&dn=from+a+magnet");
            await page.CheckAsync("#add-paused");
            await page.ClickAsync("#add-submit");
            await Expect(page.Locator("#add-dialog")).ToBeHiddenAsync();
            var row = page.Locator($"li.torrent[data-hash='{hash}']");
            await Expect(row).ToBeVisibleAsync();
            await Expect(row).ToHaveAttributeAsync("data-state", "paused");
            await browser.ScreenshotAsync(page, "20-magnet-added");
            await row.Locator("[data-action=remove]").ClickAsync();
            await page.ClickAsync("#remove-keep");
            await Expect(row).ToHaveCountAsync(0);

            // Number formats, from the page's own module.
            string json = await page.EvaluateAsync<string>("""
                async () => {
                  const f = await import('/js/format.js');
                  return JSON.stringify([f.size(0), f.size(1536), f.size(5 * 1024 * 1024 * 1024), f.rate(1048576),
                    f.eta(-1), f.eta(-2), f.eta(59), f.eta(3661), f.percent(0.5), f.percent(1),
                    f.stateText({ status: 0 }), f.stateText({ status: 0, isFinished: true }), f.stateText({ status: 4 }),
                    f.stateText({ status: 6 }), f.stateText({ status: 4, error: 3, errorString: 'disk full' })]);
                }
                """);
            Assert.Equal(
                ["0 B", "1.50 KiB", "5.00 GiB", "1.00 MiB/s", "–", "∞", "59s", "1h 01m", "50.0%", "100%",
                 "Paused", "Finished", "Downloading", "Seeding", "Error"],
                JsonSerializer.Deserialize<string[]>(json)!);

            // The daemon goes away: the page says so instead of showing stale numbers silently.
            daemon.Kill();
            await Expect(page.Locator("#conn-error")).ToBeVisibleAsync(new() { Timeout = 10_000 });
            await Expect(page.Locator("#conn-error")).ToContainTextAsync("Cannot reach the daemon");
            await browser.ScreenshotAsync(page, "21-daemon-gone");

            // Failed fetches after the kill are what the banner reports; anything else is a bug in the page.
            Assert.True(errors.All(e => e.Contains("ERR_CONNECTION_REFUSED", StringComparison.Ordinal)),
                "browser errors:\n" + string.Join('\n', errors));
        }
        catch (Exception e) when (e is Microsoft.Playwright.PlaywrightException or TimeoutException)
        {
            await browser.ScreenshotAsync(page, "failure-behaviour");
            throw new Xunit.Sdk.XunitException($"{e.Message}\nbrowser errors:\n{string.Join('\n', errors)}\n{scope.Report()}");
        }
    }
}

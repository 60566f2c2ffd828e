using System.Runtime.Versioning;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Interop.Tests.Swarm;
using Shoal.Protocol;
using static Microsoft.Playwright.Assertions;

namespace Shoal.Interop.Tests.Web;

/// <summary>
/// The daemon's web page end to end in headless Chromium: a torrent is added by uploading the .torrent file, downloads
/// from a libtorrent seeder found through opentracker, and is paused and removed (with its data) from the page.
/// Screenshots (desktop and phone-sized) go to artifacts/web/ under the test output folder.
/// </summary>
[Collection(SwarmScope.Collection)]
[UnsupportedOSPlatform("windows")]
public sealed class WebPageTests
{
    private static readonly TimeSpan Transfer = SwarmScope.TransferTimeout;

    /// <summary>
    /// A name written in character references: put into the page as markup it would read "web & <i>co <b>"; as text
    /// it reads exactly as here. (Angle brackets themselves never reach the page: Shoal's path sanitiser replaces them
    /// in names.)
    /// </summary>
    private const string HostileName = "web &amp; &lt;i&gt;co &#x3C;b&#x3E;";

    private static readonly IReadOnlyList<PayloadFile> Layout =
    [
        new("movie.bin", 1_800_007),
        new("extras/notes.txt", 4_321),
        new("extras/sample.bin", 900_000),
    ];

    [Fact]
    public async Task A_torrent_added_through_the_page_downloads_then_is_paused_and_removed_with_its_data()
    {
        using var scope = new SwarmScope("shoal-web");
        string seedDir = scope.Dir.Sub("seed");
        string root = Payload.WriteMulti(seedDir, HostileName, Layout, seed: 9);
        string torrentPath = Path.Combine(scope.Path, "web.torrent");
        var plain = await LibtorrentPeer.MakeTorrentAsync(root, torrentPath, 64 * 1024);
        var tracker = scope.Add("opentracker", await OpenTracker.StartAsync(InfoHash.FromHex(plain.InfoHash)));
        var torrent = await LibtorrentPeer.MakeTorrentAsync(root, torrentPath, 64 * 1024, tracker.AnnounceUrl);
        string hash = torrent.InfoHash;
        // Rate-limited so the page shows the transfer under way for a few seconds.
        var seeder = scope.Add("libtorrent seeder", await LibtorrentPeer.StartSeederAsync(torrent.TorrentPath, seedDir, uploadLimit: 1_000_000));
        await scope.Expect("seeder announced", () => WaitForSeedAsync(tracker, hash));

        string downloads = scope.Dir.Sub("downloads");
        var (daemon, baseUrl) = await DaemonUnderTest.StartAsync(scope.Dir.Sub("state"), downloads);
        scope.Add("shoal daemon", daemon);
        using var rpc = new RpcClient(baseUrl);
        var errors = new List<string>();
        await using var browser = await Browser.LaunchAsync();
        var page = await browser.NewPageAsync(1280, 860, errors);

        try
        {
            await page.GotoAsync(baseUrl.ToString());
            await Expect(page.Locator("#empty")).ToBeVisibleAsync();
            await browser.ScreenshotAsync(page, "01-empty");

            // Add by upload.
            await page.ClickAsync("#add-open");
            await Expect(page.Locator("#add-dialog")).ToBeVisibleAsync();
            await page.SetInputFilesAsync("#add-file", torrent.TorrentPath);
            await browser.ScreenshotAsync(page, "02-add-dialog");
            await page.ClickAsync("#add-submit");
            await Expect(page.Locator("#add-dialog")).ToBeHiddenAsync();

            var row = page.Locator($"li.torrent[data-hash='{hash}']");
            await Expect(row).ToBeVisibleAsync();
            await Expect(row.Locator(".torrent-name")).ToHaveTextAsync(HostileName);
            Assert.Equal(0, await row.Locator("i, b").CountAsync());

            // While it downloads: a picture of the list and of the peers tab (best effort: a fast transfer may finish first).
            var bar = row.GetByRole(AriaRole.Progressbar);
            if (await WaitForPartialAsync(bar))
            {
                await browser.ScreenshotAsync(page, "03-downloading");
                await row.Locator("[data-action=details]").ClickAsync();
                await page.ClickAsync("#tab-peers");
                // The seeder may finish (and leave) before a poll lists it; when it is listed, it must be shown right.
                var peerRow = page.Locator("#peers-table tbody tr").First;
                if (await WaitForVisibleAsync(peerRow, TimeSpan.FromSeconds(5)))
                {
                    await browser.ScreenshotAsync(page, "04-detail-peers");
                    // Read in one go in the page: the row may be gone by the time a second look would run.
                    string[]? cells = await page.EvaluateAsync<string[]?>(
                        "() => { const tr = document.querySelector('#peers-table tbody tr'); return tr ? [...tr.cells].map(c => c.textContent) : null; }");
                    if (cells is not null)
                    {
                        Assert.Equal($"127.0.0.1:{seeder.Port}", cells[0]);
                        Assert.Contains("libtorrent", cells[1], StringComparison.OrdinalIgnoreCase);
                    }
                }
                await page.ClickAsync("#detail-close");
            }

            await scope.Expect("the page shows 100%", () =>
                Expect(bar).ToHaveAttributeAsync("aria-valuenow", "100", new() { Timeout = (float)Transfer.TotalMilliseconds }));
            await Expect(row.Locator(".torrent-percent")).ToHaveTextAsync("100%");
            string landed = Path.Combine(downloads, Path.GetFileName(root));
            Payload.AssertSameTree(root, landed, scope.Report);

            // Detail view: files with wanted boxes and priorities, the tracker with its status.
            await row.Locator("[data-action=details]").ClickAsync();
            var detail = page.Locator("#detail");
            await Expect(detail).ToBeVisibleAsync();
            await page.ClickAsync("#tab-files");
            var fileRows = page.Locator("#files-table tbody tr");
            await Expect(fileRows).ToHaveCountAsync(Layout.Count);
            foreach (var f in Layout)
            {
                await Expect(page.Locator("#files-table tbody td.name", new() { HasTextString = f.RelativePath })).ToHaveCountAsync(1);
            }
            await Expect(page.Locator("#files-table input.file-wanted:checked")).ToHaveCountAsync(Layout.Count);
            await page.SelectOptionAsync("#file-priority-0", "1");
            await scope.Expect("torrent-set priority-high reached the daemon", () => WaitForAsync(async () =>
                (await rpc.TorrentAsync(hash, "priorities")).GetProperty("priorities")[0].GetInt32() == 1));
            await Expect(page.Locator("#file-priority-0")).ToHaveValueAsync("1");
            await browser.ScreenshotAsync(page, "05-detail-files");

            await page.ClickAsync("#tab-trackers");
            var trackerRow = page.Locator("#trackers-table tbody tr", new() { HasTextString = tracker.AnnounceUrl });
            await Expect(trackerRow).ToHaveCountAsync(1);
            await browser.ScreenshotAsync(page, "06-detail-trackers");
            await page.ClickAsync("#detail-close");
            await Expect(detail).ToBeHiddenAsync();

            // Pause.
            await row.Locator("[data-action=pause]").ClickAsync();
            await Expect(row).ToHaveAttributeAsync("data-state", "paused");
            await Expect(row.Locator("[data-action=resume]")).ToBeVisibleAsync();
            Assert.Equal(0, (await rpc.TorrentAsync(hash, "status")).GetProperty("status").GetInt32());
            await browser.ScreenshotAsync(page, "07-paused");

            // The same page on a phone-sized screen.
            var phone = await browser.NewPageAsync(390, 844, errors, mobile: true);
            await phone.GotoAsync(baseUrl.ToString());
            var phoneRow = phone.Locator($"li.torrent[data-hash='{hash}']");
            await Expect(phoneRow).ToBeVisibleAsync();
            await Expect(phoneRow).ToHaveAttributeAsync("data-state", "paused");
            await browser.ScreenshotAsync(phone, "08-phone-list");
            await phoneRow.Locator("[data-action=details]").ClickAsync();
            await Expect(phone.Locator("#files-table tbody tr")).ToHaveCountAsync(Layout.Count);
            await Expect(phone.Locator("#list-view")).ToBeHiddenAsync(); // one column: the detail replaces the list
            await browser.ScreenshotAsync(phone, "09-phone-detail");
            await phone.Context.CloseAsync();

            // Remove with data.
            await row.Locator("[data-action=remove]").ClickAsync();
            await Expect(page.Locator("#remove-dialog")).ToBeVisibleAsync();
            await Expect(page.Locator("#remove-name")).ToHaveTextAsync(HostileName);
            await browser.ScreenshotAsync(page, "10-remove-dialog");
            await page.ClickAsync("#remove-delete");
            await Expect(row).ToHaveCountAsync(0);
            await Expect(page.Locator("#empty")).ToBeVisibleAsync();
            await scope.Expect("the data is deleted", () => WaitForAsync(() => Task.FromResult(!Directory.Exists(landed))));
            await browser.ScreenshotAsync(page, "11-removed");

            Assert.True(errors.Count == 0, "browser errors:\n" + string.Join('\n', errors));
        }
        catch (Exception e) when (e is PlaywrightException or TimeoutException)
        {
            await browser.ScreenshotAsync(page, "failure");
            throw new Xunit.Sdk.XunitException($"{e.Message}\nbrowser errors:\n{string.Join('\n', errors)}\n{scope.Report()}");
        }
    }

    /// <summary>True once the bar shows a value strictly between 0 and 100; false if the transfer ends first.</summary>
    private static async Task<bool> WaitForPartialAsync(ILocator bar)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            string? now = await bar.GetAttributeAsync("aria-valuenow");
            double value = double.TryParse(now, System.Globalization.CultureInfo.InvariantCulture, out double v) ? v : 0;
            if (value >= 100)
            {
                return false;
            }
            if (value > 0)
            {
                return true;
            }
            await Task.Delay(100);
        }
        return false;
    }

    private static async Task<bool> WaitForVisibleAsync(ILocator locator, TimeSpan timeout)
    {
        try
        {
            await locator.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = (float)timeout.TotalMilliseconds });
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met within 20 s");
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Waits until opentracker counts the seeder, so the daemon's first announce finds it.</summary>
    private static async Task WaitForSeedAsync(OpenTracker tracker, string infoHashHex)
    {
        string escaped = string.Concat(Convert.FromHexString(infoHashHex).Select(b => $"%{b:X2}"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        await WaitForAsync(async () =>
        {
            try
            {
                string body = Encoding.Latin1.GetString(await http.GetByteArrayAsync($"{tracker.ScrapeUrl}?info_hash={escaped}"));
                return Regex.IsMatch(body, "8:completei[1-9]");
            }
            catch (HttpRequestException)
            {
                return false;
            }
        });
    }
}

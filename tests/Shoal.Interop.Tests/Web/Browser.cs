using Microsoft.Playwright;

namespace Shoal.Interop.Tests.Web;

/// <summary>
/// Headless Debian Chromium (<c>/usr/bin/chromium</c>, installed by test.sh) driven by Playwright with
/// <c>ExecutablePath</c> set, so Playwright never downloads a browser of its own.
/// </summary>
public sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private Browser(IPlaywright playwright, IBrowser browser)
    {
        Playwright = playwright;
        Instance = browser;
    }

    public IPlaywright Playwright { get; }

    public IBrowser Instance { get; }

    /// <summary>Where screenshots go: artifacts/web/ under the test output folder.</summary>
    public static string ArtifactsDir
    {
        get
        {
            string dir = Path.Combine(AppContext.BaseDirectory, "artifacts", "web");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    public static async Task<Browser> LaunchAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: ./test.sh installs Debian's chromium (apt-get install chromium)");
        }
        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ChromiumPath,
                Headless = true,
                // Root in a container has no user namespace for Chromium's sandbox.
                ChromiumSandbox = false,
                Timeout = 60_000,
            });
            return new Browser(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>A page in a fresh context; console errors and uncaught exceptions are collected in <paramref name="errors"/>.</summary>
    public async Task<IPage> NewPageAsync(int width, int height, List<string> errors, bool mobile = false)
    {
        var context = await Instance.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            IsMobile = mobile,
            HasTouch = mobile,
            DeviceScaleFactor = mobile ? 2 : 1,
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.Console += (_, m) =>
        {
            // The 409 that opens the session-id handshake is logged by Chromium as a failed resource; it is the protocol.
            if (m.Type == "error" && !m.Text.Contains("409", StringComparison.Ordinal))
            {
                lock (errors)
                {
                    errors.Add($"console: {m.Text}");
                }
            }
        };
        page.PageError += (_, e) =>
        {
            lock (errors)
            {
                errors.Add($"page error: {e}");
            }
        };
        page.Dialog += async (_, d) =>
        {
            lock (errors)
            {
                errors.Add($"unexpected dialog: {d.Message}");
            }
            await d.DismissAsync();
        };
        return page;
    }

    public Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactsDir, name + ".png"), FullPage = true });

    public async ValueTask DisposeAsync()
    {
        await Instance.DisposeAsync();
        Playwright.Dispose();
    }
}

using System.Diagnostics;

namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>
/// A small tmpfs mounted on a test folder, to hit real ENOSPC (and to use <c>chattr +i</c> whatever the file system
/// under /tmp is). Needs root, which the CI runs as (test.sh installs packages with apt-get); without it the test
/// fails saying so rather than pretending. Disposing unmounts (lazily, so a stray open handle cannot block it).
/// </summary>
public sealed class TmpfsMount : IDisposable
{
    private TmpfsMount(string path) => Path = path;

    public string Path { get; }

    public static async Task<TmpfsMount> MountAsync(string path, string size)
    {
        Directory.CreateDirectory(path);
        await RunAsync("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", path);
        return new TmpfsMount(path);
    }

    /// <summary>Grows (or shrinks) the mount in place: "space was freed".</summary>
    public Task ResizeAsync(string size) => RunAsync("mount", "-o", $"remount,size={size}", Path);

    /// <summary>Runs a root-only tool (mount, chattr); throws with its output when it fails.</summary>
    public static async Task RunAsync(string tool, params string[] args)
    {
        using var p = await ExternalProcess.RunAsync(tool, args, TimeSpan.FromSeconds(30));
        if (p.ExitCode != 0)
        {
            throw new Xunit.Sdk.XunitException($"`{tool} {string.Join(' ', args)}` failed ({p.ExitCode}); this test needs root "
                + $"(uid {Environment.GetEnvironmentVariable("UID") ?? "?"}):\n{p.StandardOutput}{p.StandardError}");
        }
    }

    public void Dispose()
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("umount", ["-l", Path]) { UseShellExecute = false, RedirectStandardError = true });
            p?.WaitForExit(10_000);
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }
}

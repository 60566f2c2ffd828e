namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>Where the repository, the built <c>shoal</c> executable and the shared corpus are.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The shared folder beside the repository (corpus, tools); read-only.</summary>
    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>
    /// The <c>shoal</c> executable under test: <c>SHOAL_EXE</c> when set (./test.sh points it at the native build
    /// from ./build.sh, the one users run), else the apphost built next to this test assembly.
    /// </summary>
    public static string ShoalExe
    {
        get
        {
            string candidate = Environment.GetEnvironmentVariable("SHOAL_EXE") is { Length: > 0 } exe
                ? Path.GetFullPath(exe) : Path.Combine(AppContext.BaseDirectory, "shoal");
            return File.Exists(candidate) ? candidate
                : throw new FileNotFoundException($"shoal executable not found at {candidate} (SHOAL_EXE, or the build next to the tests)");
        }
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Shoal.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new DirectoryNotFoundException("repository root (Shoal.slnx) not found");
    }
}

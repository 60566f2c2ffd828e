using System.CommandLine;

namespace Shoal.Cli.Output;

/// <summary>Options shared by commands, so every command spells them the same way.</summary>
internal static class CliOptions
{
    /// <summary>Global: show stack traces with errors. Recursive, so it is accepted after any subcommand.</summary>
    public static Option<bool> Verbose { get; } = new("--verbose", "-v")
    {
        Description = "Show details (stack traces) with errors",
        Recursive = true,
    };

    /// <summary>A fresh --json option for one command (each command owns its instance).</summary>
    public static Option<bool> Json() => new("--json")
    {
        Description = "Print machine-readable JSON (camelCase, documented in docs/cli.md)",
    };

    /// <summary>A fresh --max-peers option: connections per torrent, 1 to 10,000 (default 50).</summary>
    public static Option<int?> MaxPeers()
    {
        var option = new Option<int?>("--max-peers") { Description = "Most peers connected to this torrent at once (default 50)" };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int?>() is int n && n is < 1 or > 10_000)
            {
                r.AddError("--max-peers must be between 1 and 10000");
            }
        });
        return option;
    }
}

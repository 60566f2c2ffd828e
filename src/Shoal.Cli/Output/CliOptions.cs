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
}

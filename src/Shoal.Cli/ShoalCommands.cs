using System.CommandLine;

namespace Shoal.Cli;

/// <summary>Builds the command tree. Each command lives in its own file under Commands/.</summary>
internal static class ShoalCommands
{
    public static int Run(string[] args)
    {
        var root = new RootCommand("Shoal: a BitTorrent client")
        {
            Commands.DownloadCommand.Create(),
            Commands.SeedCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}

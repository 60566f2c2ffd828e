using System.CommandLine;
using System.CommandLine.Help;
using Shoal.Cli.Commands;
using Shoal.Cli.Output;

namespace Shoal.Cli;

/// <summary>
/// Builds the command tree and runs it through the one error path. Each command lives in Commands/&lt;Name&gt;Command.cs
/// as <c>internal static class XCommand { public static Command Create(); }</c> and is registered here. Commands
/// throw on failure; <see cref="CliErrors"/> turns the exception into one stderr line and an exit code.
/// </summary>
internal static class ShoalCommands
{
    public static RootCommand BuildRoot()
    {
        var root = new RootCommand("Shoal: a BitTorrent client");
        root.Options.Add(CliOptions.Verbose);
        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new RootHelpAction((HelpAction)help.Action!);
        root.Subcommands.Add(DownloadCommand.Create());
        root.Subcommands.Add(SeedCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(CreateCommand.Create());
        root.Subcommands.Add(ScrapeCommand.Create());
        root.Subcommands.Add(DhtCommand.Create());
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(DaemonCommand.Create());
        return root;
    }

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var root = BuildRoot();
        if (args.Length == 0)
        {
            args = ["--help"];
        }
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is not (HelpAction or RootHelpAction))
        {
            // An unknown token explains more than the "required command missing" that comes with it.
            var error = parseResult.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal))
                ?? parseResult.Errors[0];
            return CliErrors.ReportUsage($"{error.Message} (see 'shoal --help')", stderr);
        }
        var config = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            Output = stdout,
            Error = stderr,
        };
        try
        {
            return parseResult.Invoke(config);
        }
        catch (Exception ex)
        {
            return CliErrors.Report(ex, parseResult.GetValue(CliOptions.Verbose), stderr);
        }
    }
}

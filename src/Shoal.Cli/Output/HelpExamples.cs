using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Shoal.Cli.Output;

/// <summary>
/// The help action of <c>shoal</c> itself (also what a bare <c>shoal</c> runs): the usual generated help, then
/// examples and the exit codes. Subcommand help is left as generated.
/// </summary>
internal sealed class RootHelpAction(HelpAction inner) : SynchronousCommandLineAction
{
    public override bool ClearsParseErrors => true;

    public override int Invoke(ParseResult parseResult)
    {
        int code = inner.Invoke(parseResult);
        if (parseResult.CommandResult.Command is RootCommand)
        {
            parseResult.InvocationConfiguration.Output.Write(Text);
        }
        return code;
    }

    /// <summary>Shown after the generated help of <c>shoal</c>.</summary>
    public const string Text = """
        Examples:
          shoal info ubuntu.torrent                   what a torrent holds (files, trackers, info hash)
          shoal download ubuntu.torrent -o ~/Downloads
                                                      download, verify every piece, exit 0 when complete
          shoal download 'magnet:?xt=urn:btih:...' --save-torrent t.torrent
                                                      fetch the metadata from peers, then download
          shoal download t.torrent --seed -v          keep seeding when done; per-file progress and debug log
          shoal create ./folder -t http://tracker.example/announce -o folder.torrent
                                                      make a torrent from a file or folder
          shoal seed folder.torrent --data .          seed data already on disk
          shoal verify folder.torrent --data .        check data against a torrent without downloading
          shoal info t.torrent --json | jq .files     machine-readable output (stable camelCase JSON)

        Exit codes:
          0    success (and 'shoal' alone, which prints this help)
          1    other failure (I/O, network, a torrent that failed)
          2    bad input: bad or missing arguments, malformed torrent or magnet, missing file
          130  interrupted (Ctrl+C); run the same download again to resume

        Run 'shoal <command> --help' for a command's options.

        """;
}

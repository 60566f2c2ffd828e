using Shoal.Bencoding;
using Shoal.Engine.Creation;
using Shoal.Protocol.Metainfo;

namespace Shoal.Cli.Output;

/// <summary>
/// The single error path of the CLI: every exception that escapes a command lands here and becomes one line on
/// stderr (<c>shoal: error: ...</c>) and an exit code. Stack traces only with --verbose.
/// </summary>
internal static class CliErrors
{
    public static int Report(Exception ex, bool verbose, TextWriter stderr)
    {
        int code = Classify(ex);
        if (code == ExitCodes.Interrupted)
        {
            stderr.WriteLine("shoal: interrupted");
            return code;
        }
        stderr.WriteLine($"shoal: error: {OneLine(MessageFor(ex))}");
        if (verbose)
        {
            stderr.WriteLine(ex.ToString());
        }
        return code;
    }

    /// <summary>Reports a usage or parse error (always bad input).</summary>
    public static int ReportUsage(string message, TextWriter stderr)
    {
        stderr.WriteLine($"shoal: error: {OneLine(message)}");
        return ExitCodes.BadInput;
    }

    public static int Classify(Exception ex) => ex switch
    {
        OperationCanceledException => ExitCodes.Interrupted,
        CliInputException or MetainfoException or BencodeException or TorrentCreationException => ExitCodes.BadInput,
        FileNotFoundException or DirectoryNotFoundException => ExitCodes.BadInput,
        _ => ExitCodes.Failure,
    };

    private static string MessageFor(Exception ex) => ex switch
    {
        FileNotFoundException f when f.FileName is not null => $"'{f.FileName}' does not exist",
        BencodeException b => $"not a valid torrent: {b.Message}",
        NotImplementedException n => $"not implemented yet: {n.Message}",
        _ => ex.Message,
    };

    private static string OneLine(string message) =>
        message.ReplaceLineEndings(" ").Trim();
}

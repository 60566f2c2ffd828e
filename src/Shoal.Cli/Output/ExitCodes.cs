namespace Shoal.Cli.Output;

/// <summary>The process exit codes every command uses.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Anything that is not the user's input: I/O failures, network errors, bugs.</summary>
    public const int Failure = 1;

    /// <summary>The input is wrong: bad arguments, a missing file, a malformed torrent or magnet.</summary>
    public const int BadInput = 2;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Interrupted = 130;
}

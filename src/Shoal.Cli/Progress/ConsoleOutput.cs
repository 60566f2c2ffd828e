namespace Shoal.Cli.Progress;

/// <summary>
/// Where torrent commands write: results and JSON lines to stdout; progress to stderr (a live line redrawn in place
/// when stderr is a terminal, plain lines otherwise), so stdout stays clean for scripts.
/// </summary>
internal static class ConsoleOutput
{
    private static readonly Lock Gate = new();
    private static int _liveWidth;

    public static bool ProgressIsTerminal => !Console.IsErrorRedirected;

    /// <summary>Redraws the single live progress line on stderr.</summary>
    public static void WriteLiveLine(string text)
    {
        lock (Gate)
        {
            int width = Math.Max(_liveWidth, text.Length);
            Console.Error.Write("\r" + text.PadRight(width));
            Console.Error.Flush();
            _liveWidth = text.Length;
        }
    }

    /// <summary>Ends the live line so the next output starts on a fresh line.</summary>
    public static void ClearLiveLine()
    {
        lock (Gate)
        {
            if (_liveWidth > 0)
            {
                Console.Error.WriteLine();
                _liveWidth = 0;
            }
        }
    }

    /// <summary>A line on stdout (flushed: tests and scripts wait for lines such as "listening on port N").</summary>
    public static void WriteLine(string text)
    {
        lock (Gate)
        {
            ClearLiveLine();
            Console.Out.WriteLine(text);
            Console.Out.Flush();
        }
    }

    /// <summary>A line on stderr (progress when not on a terminal, warnings).</summary>
    public static void WriteError(string text)
    {
        lock (Gate)
        {
            ClearLiveLine();
            Console.Error.WriteLine(text);
        }
    }
}

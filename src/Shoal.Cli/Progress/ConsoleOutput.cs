namespace Shoal.Cli.Progress;

/// <summary>Shared console state: whether a live progress line is showing on the terminal (so logs can clear it first).</summary>
internal static class ConsoleOutput
{
    private static readonly Lock Gate = new();
    private static int _liveWidth;

    public static bool IsTerminal => !Console.IsOutputRedirected;

    /// <summary>Redraws the single live line (terminal only).</summary>
    public static void WriteLiveLine(string text)
    {
        lock (Gate)
        {
            int width = Math.Max(_liveWidth, text.Length);
            Console.Out.Write("\r" + text.PadRight(width));
            Console.Out.Flush();
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
                Console.Out.WriteLine();
                _liveWidth = 0;
            }
        }
    }

    public static void WriteLine(string text)
    {
        lock (Gate)
        {
            if (_liveWidth > 0)
            {
                Console.Out.WriteLine();
                _liveWidth = 0;
            }
            Console.Out.WriteLine(text);
        }
    }
}

using System.Text;

namespace Shoal.Cli.Progress;

/// <summary>
/// Where torrent commands write: results and JSON lines to stdout; progress to stderr (a live block of lines redrawn
/// in place when stderr is a terminal, plain lines otherwise), so stdout stays clean for scripts. Other output goes
/// above the live block: the block is erased, the line written, and the block drawn again below it.
/// </summary>
internal static class ConsoleOutput
{
    private const string ClearLine = "\u001b[2K";
    private const string CursorUp = "\u001b[1A";
    private static readonly Lock Gate = new();
    private static IReadOnlyList<string> _live = [];

    public static bool ProgressIsTerminal => !Console.IsErrorRedirected;

    /// <summary>Whether the console shows block characters and arrows (a UTF-8 terminal).</summary>
    public static bool Unicode => Console.OutputEncoding.CodePage == Encoding.UTF8.CodePage;

    /// <summary>The terminal's width in columns (80 when it cannot be read).</summary>
    public static int Width => Size(static () => Console.WindowWidth, "COLUMNS", 80);

    /// <summary>The terminal's height in lines (24 when it cannot be read).</summary>
    public static int Height => Size(static () => Console.WindowHeight, "LINES", 24);

    /// <summary>Redraws the live block on stderr with these lines (each must fit the terminal width).</summary>
    public static void WriteLive(IReadOnlyList<string> lines)
    {
        lock (Gate)
        {
            var sb = new StringBuilder();
            Erase(sb);
            Draw(sb, lines);
            Console.Error.Write(sb.ToString());
            Console.Error.Flush();
        }
    }

    /// <summary>Redraws the single live progress line on stderr.</summary>
    public static void WriteLiveLine(string text) => WriteLive([text]);

    /// <summary>Ends the live block; with <paramref name="keep"/> it stays on screen, otherwise it is erased.</summary>
    public static void EndLive(bool keep)
    {
        lock (Gate)
        {
            if (_live.Count == 0)
            {
                return;
            }
            var sb = new StringBuilder();
            if (keep)
            {
                sb.Append('\n');
            }
            else
            {
                Erase(sb);
            }
            _live = [];
            Console.Error.Write(sb.ToString());
            Console.Error.Flush();
        }
    }

    /// <summary>Ends the live block, leaving its last state on screen, so the next output starts on a fresh line.</summary>
    public static void ClearLiveLine() => EndLive(keep: true);

    /// <summary>A line on stdout (flushed: tests and scripts wait for lines such as "listening on port N").</summary>
    public static void WriteLine(string text)
    {
        lock (Gate)
        {
            // Only a stdout that shares the screen with the block needs the block moved out of its way.
            var live = Console.IsOutputRedirected ? [] : _live;
            var sb = new StringBuilder();
            Erase(sb, live);
            Console.Error.Write(sb.ToString());
            Console.Error.Flush();
            Console.Out.WriteLine(text);
            Console.Out.Flush();
            Redraw(live);
        }
    }

    /// <summary>A line on stderr (progress when not on a terminal, warnings, log lines), written above the live block.</summary>
    public static void WriteError(string text)
    {
        lock (Gate)
        {
            var live = _live;
            var sb = new StringBuilder();
            Erase(sb, live);
            sb.Append(text).Append('\n');
            Console.Error.Write(sb.ToString());
            Redraw(live);
        }
    }

    private static void Redraw(IReadOnlyList<string> live)
    {
        if (live.Count > 0)
        {
            var sb = new StringBuilder();
            Draw(sb, live);
            Console.Error.Write(sb.ToString());
        }
        Console.Error.Flush();
    }

    private static void Erase(StringBuilder sb) => Erase(sb, _live);

    /// <summary>The cursor sits at the end of the block's last line: clear it and every line above it in the block.</summary>
    private static void Erase(StringBuilder sb, IReadOnlyList<string> live)
    {
        if (live.Count == 0)
        {
            return;
        }
        sb.Append('\r').Append(ClearLine);
        for (int i = 1; i < live.Count; i++)
        {
            sb.Append(CursorUp).Append(ClearLine);
        }
        if (ReferenceEquals(live, _live))
        {
            _live = [];
        }
    }

    private static void Draw(StringBuilder sb, IReadOnlyList<string> lines)
    {
        for (int i = 0; i < lines.Count; i++)
        {
            if (i > 0)
            {
                sb.Append('\n');
            }
            sb.Append(lines[i]);
        }
        _live = lines;
    }

    private static int Size(Func<int> read, string variable, int fallback)
    {
        try
        {
            int value = read();
            if (value > 0)
            {
                return value;
            }
        }
        catch (IOException)
        {
        }
        catch (PlatformNotSupportedException)
        {
        }
        return int.TryParse(Environment.GetEnvironmentVariable(variable), out int v) && v > 0 ? v : fallback;
    }
}

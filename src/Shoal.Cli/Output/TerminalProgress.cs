using System.Diagnostics;
using Shoal.Cli.Progress;

namespace Shoal.Cli.Output;

/// <summary>
/// A one-line progress bar on stderr for long local work (hashing), redrawn a few times a second, shown only when
/// stderr is a terminal so scripts and logs never see escape sequences. Erased when done.
/// </summary>
internal sealed class TerminalProgress : IDisposable
{
    private readonly Func<(long Done, long Total)> _poll;
    private readonly string _label;
    private readonly Timer? _timer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private readonly bool _unicode = ConsoleOutput.Unicode;
    private bool _disposed;

    public TerminalProgress(string label, Func<(long Done, long Total)> poll)
    {
        _label = label;
        _poll = poll;
        if (ConsoleOutput.ProgressIsTerminal)
        {
            _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>The line for one redraw: label, bar, percent, bytes and average rate, cut to the width.</summary>
    internal static string Line(string label, long done, long total, TimeSpan elapsed, int width, bool unicode)
    {
        double fraction = total <= 0 ? 0 : (double)done / total;
        double seconds = Math.Max(elapsed.TotalSeconds, 0.001);
        string tail = $" {ProgressBar.Percent(fraction)}  {HumanFormat.Size(done)}/{HumanFormat.Size(total)}  {HumanFormat.Rate(done / seconds)}";
        int bar = Math.Clamp(width - label.Length - tail.Length - 3, 10, 40);
        return ProgressBar.Fit($"{label} [{ProgressBar.Render(fraction, bar, unicode)}]{tail}", width, unicode);
    }

    private void Draw()
    {
        lock (_gate)
        {
            var (done, total) = _poll();
            if (_disposed || total <= 0)
            {
                return;
            }
            ConsoleOutput.WriteLiveLine(Line(_label, done, total, _clock.Elapsed, ConsoleOutput.Width - 1, _unicode));
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (_gate)
        {
            _disposed = true;
            ConsoleOutput.EndLive(keep: false);
        }
    }
}

using System.Diagnostics;
using System.Globalization;

namespace Shoal.Cli.Output;

/// <summary>
/// A one-line progress display on stderr, redrawn a few times a second, shown only when stderr is a terminal so
/// scripts and logs never see carriage returns.
/// </summary>
internal sealed class TerminalProgress : IDisposable
{
    private readonly Func<(long Done, long Total)> _poll;
    private readonly string _label;
    private readonly Timer? _timer;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly Lock _gate = new();
    private bool _drawn;
    private bool _disposed;

    public TerminalProgress(string label, Func<(long Done, long Total)> poll)
    {
        _label = label;
        _poll = poll;
        if (!Console.IsErrorRedirected)
        {
            _timer = new Timer(_ => Draw(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
        }
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
            double seconds = Math.Max(_clock.Elapsed.TotalSeconds, 0.001);
            string line = string.Create(CultureInfo.InvariantCulture,
                $"\r{_label} {100.0 * done / total,5:0.0}%  {HumanFormat.Size(done)} / {HumanFormat.Size(total)}  {HumanFormat.Rate(done / seconds)}   ");
            Console.Error.Write(line);
            _drawn = true;
        }
    }

    public void Dispose()
    {
        _timer?.Dispose();
        lock (_gate)
        {
            _disposed = true;
            if (_drawn)
            {
                Console.Error.Write("\r\u001b[2K");
            }
            _drawn = false;
        }
    }
}

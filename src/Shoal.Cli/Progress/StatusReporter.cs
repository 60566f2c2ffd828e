using Shoal.Engine.Session;
using Shoal.Protocol.Metainfo;

namespace Shoal.Cli.Progress;

/// <summary>
/// Sends each status snapshot of <c>download</c>/<c>seed</c> to the one output form in use: JSON lines on stdout
/// (<c>--json</c>, unchanged contract), the live bar block on a terminal, or a plain line on stderr otherwise.
/// </summary>
internal sealed class StatusReporter
{
    private readonly TorrentRunSpec _spec;
    private readonly DownloadView? _view;

    public StatusReporter(TorrentRunSpec spec, IReadOnlyList<TorrentFile> files)
    {
        _spec = spec;
        Live = ConsoleOutput.ProgressIsTerminal && !spec.JsonOutput;
        _view = Live ? new DownloadView(files, showFiles: spec.Verbose, ConsoleOutput.Unicode) : null;
    }

    /// <summary>True when progress is the live block on a terminal (redrawn twice a second).</summary>
    public bool Live { get; }

    public void Report(TorrentStatus s, string evt, bool force)
    {
        if (_spec.JsonOutput)
        {
            ConsoleOutput.WriteLine(StatusFormatter.StatusJson(evt, s));
        }
        else if (_spec.Quiet && !force)
        {
            return;
        }
        else if (_view is not null)
        {
            // Per-file figures only when they are shown (--verbose): reading them builds the list of every file.
            ConsoleOutput.WriteLive(_view.Render(s, ConsoleOutput.Width - 1, ConsoleOutput.Height, _view.ShowFiles ? FileBytesDone(s) : null));
        }
        else
        {
            ConsoleOutput.WriteError(StatusFormatter.Line(s));
        }
    }

    /// <summary>Bytes verified per file, in torrent order (the status has none before the session publishes).</summary>
    private static IReadOnlyList<long>? FileBytesDone(TorrentStatus s) =>
        s.Files.Count == 0 ? null : [.. s.Files.Select(f => f.BytesCompleted)];
}

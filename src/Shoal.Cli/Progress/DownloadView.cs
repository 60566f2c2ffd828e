using Shoal.Cli.Output;
using Shoal.Engine.Session;
using Shoal.Protocol.Metainfo;

namespace Shoal.Cli.Progress;

/// <summary>
/// The lines of the live terminal display of <c>download</c>/<c>seed</c>: one status line with a bar, a reason line
/// when the torrent is stalled or failed, and with <c>--verbose</c> one line per file (the unfinished ones first
/// when they do not all fit). Pure: status in, lines out, so it is tested without a terminal.
/// </summary>
internal sealed class DownloadView
{
    private const int MinBar = 10;
    private const int MaxBar = 40;
    private const int FileBar = 12;
    private readonly IReadOnlyList<TorrentFile> _files;
    private readonly int[] _fileIndexes;

    public DownloadView(IReadOnlyList<TorrentFile> files, bool showFiles, bool unicode)
    {
        _files = files;
        ShowFiles = showFiles;
        Unicode = unicode;
        // Padding files (BEP 47) are an on-disk artefact, not something the user asked for.
        _fileIndexes = [.. Enumerable.Range(0, files.Count).Where(i => !files[i].IsPadding)];
    }

    public bool ShowFiles { get; }

    public bool Unicode { get; }

    /// <summary>
    /// The lines for one redraw, each at most <paramref name="width"/> columns. <paramref name="fileBytesDone"/>
    /// (bytes verified per file, in torrent order) is optional; without it files show only once all are complete.
    /// </summary>
    public IReadOnlyList<string> Render(TorrentStatus s, int width, int height, IReadOnlyList<long>? fileBytesDone = null)
    {
        width = Math.Max(20, width);
        var lines = new List<string> { StatusLine(s, width) };
        string? reason = s.Error ?? s.Stalled;
        if (reason is not null)
        {
            string label = s.Error is not null ? "error: " : "stalled: ";
            lines.Add(ProgressBar.Fit("  " + label + ProgressBar.Printable(reason), width, Unicode));
        }
        if (ShowFiles && _fileIndexes.Length > 1)
        {
            // Keep the block shorter than the screen: a block taller than the terminal cannot be redrawn in place.
            int room = Math.Max(3, Math.Min(20, height - lines.Count - 3));
            AddFileLines(lines, s, width, room, fileBytesDone);
        }
        return lines;
    }

    private string StatusLine(TorrentStatus s, int width)
    {
        // Padded to the longest common state so the bar does not change length when the state does.
        string state = StatusFormatter.State(s.State).PadRight(11);
        string down = Unicode ? "↓" : "down";
        string up = Unicode ? "↑" : "up";
        string tail = $" {ProgressBar.Percent(s.Progress)}  {HumanFormat.Size(s.BytesDone)}/{HumanFormat.Size(s.TotalBytes)}"
            + $"  {down} {HumanFormat.Rate(s.DownloadRate)}  {up} {HumanFormat.Rate(s.UploadRate)}  {s.PeersConnected} peers";
        if (s.State == TorrentState.Downloading)
        {
            tail += "  eta " + (s.Eta is { } eta ? StatusFormatter.Duration(eta) : "--");
        }
        int bar = Math.Clamp(width - state.Length - tail.Length - 3, MinBar, MaxBar);
        return ProgressBar.Fit($"{state} [{ProgressBar.Render(s.Progress, bar, Unicode)}]{tail}", width, Unicode);
    }

    private void AddFileLines(List<string> lines, TorrentStatus s, int width, int room, IReadOnlyList<long>? done)
    {
        bool known = done is not null && done.Count == _files.Count;
        double Fraction(int i) => _files[i].Length == 0 || s.IsComplete ? 1
            : known ? (double)done![i] / _files[i].Length : double.NaN;

        IEnumerable<int> order = _fileIndexes;
        int completeCount = _fileIndexes.Count(i => Fraction(i) >= 1);
        if (_fileIndexes.Length > room)
        {
            // Files being fetched now, then those not started, then the finished ones.
            order = _fileIndexes.OrderBy(i => Fraction(i) switch
            {
                double.NaN => 1,
                >= 1 => 2,
                > 0 => 0,
                _ => 1,
            });
        }
        var shown = order.Take(_fileIndexes.Length > room ? room - 1 : room).ToList();
        foreach (int i in shown)
        {
            double f = Fraction(i);
            string pct = double.IsNaN(f) ? "     -" : ProgressBar.Percent(f);
            string bar = ProgressBar.Render(double.IsNaN(f) ? 0 : f, FileBar, Unicode);
            string head = $"  [{bar}] {pct}  ";
            string size = "  " + HumanFormat.Size(_files[i].Length);
            int nameRoom = width - head.Length - size.Length;
            string name = ProgressBar.FitMiddle(ProgressBar.Printable(_files[i].Path), Math.Max(8, nameRoom), Unicode);
            lines.Add(ProgressBar.Fit(head + name + size, width, Unicode));
        }
        int hidden = _fileIndexes.Length - shown.Count;
        if (hidden > 0)
        {
            lines.Add(ProgressBar.Fit($"  + {hidden} more files ({completeCount} of {_fileIndexes.Length} complete)", width, Unicode));
        }
    }
}

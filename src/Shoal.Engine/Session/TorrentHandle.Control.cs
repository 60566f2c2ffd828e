namespace Shoal.Engine.Session;

public sealed partial class TorrentHandle
{
    internal TorrentSession Session => _session;

    /// <summary>
    /// Pauses: disconnects every peer, sends <c>stopped</c> to trackers and stops dialling; pieces, partial pieces
    /// and files stay as they are. Completes once the torrent loop has paused (a torrent still checking pauses when
    /// its check ends). Pausing a paused or stopped torrent does nothing.
    /// </summary>
    public Task PauseAsync() => _session.PauseAsync();

    /// <summary>
    /// Resumes a paused torrent without re-checking data: announces again and reconnects. On a torrent in
    /// <see cref="TorrentState.Error"/> (the cause fixed, e.g. disk space freed) it clears the error, re-checks the
    /// data (writes lost in the fault are found missing) and runs again. Completes once the loop has taken it.
    /// </summary>
    public Task ResumeAsync() => _session.ResumeAsync();

    /// <summary>
    /// Sets this torrent's limits in bytes/s for piece payload (0 = none); takes effect at once. The engine's global
    /// limits (<see cref="ShoalEngine.MaxDownloadRate"/>) apply on top.
    /// </summary>
    public void SetRateLimits(long maxDownloadRate, long maxUploadRate) => _session.SetRateLimits(maxDownloadRate, maxUploadRate);

    /// <summary>
    /// Sets every file's priority (one entry per file, torrent order). Skipped files are not downloaded, except the
    /// parts in pieces shared with a wanted file. Throws <see cref="ArgumentException"/> if the count is wrong.
    /// </summary>
    public void SetFilePriorities(IReadOnlyList<FilePriority> priorities) => _session.SetFilePriorities(priorities);

    /// <summary>Sets one file's priority.</summary>
    public void SetFilePriority(int fileIndex, FilePriority priority) => _session.SetFilePriority(fileIndex, priority);

    /// <summary>Picks pieces in order (true: for streaming) or rarest first (false, the default).</summary>
    public void SetSequential(bool sequential) => _session.SetSequential(sequential);

    /// <summary>
    /// Re-checks every piece on disk against its hash (state <see cref="TorrentState.Checking"/>, progress in
    /// <see cref="TorrentStatus.VerifyProgress"/>); peers are disconnected for the check and the torrent then goes
    /// back to what it was doing (paused stays paused). Pieces that fail are downloaded again. Completes with the
    /// number of valid pieces.
    /// </summary>
    public Task<int> VerifyAsync(CancellationToken ct = default) => _session.VerifyAsync(ct);
}

using Shoal.Engine.Peers;

namespace Shoal.Engine.Session;

/// <summary>
/// User commands from <see cref="TorrentHandle"/>: each is posted to the loop as a <see cref="SessionEventKind.Control"/>
/// event carrying a <see cref="ControlCommand"/>, whose task completes once the loop has applied it.
/// </summary>
internal sealed partial class TorrentSession
{
    private abstract record ControlCommand
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed record PauseCommand : ControlCommand;

    private sealed record ResumeCommand : ControlCommand;

    /// <summary>Torrent-level bandwidth buckets; set by the engine (parent = the engine's global group).</summary>
    internal BandwidthGroup? Bandwidth { get; init; }

    public Task PauseAsync() => throw new NotImplementedException();

    public Task ResumeAsync() => throw new NotImplementedException();

    public void SetRateLimits(long maxDownloadRate, long maxUploadRate) => throw new NotImplementedException();

    public void SetFilePriorities(IReadOnlyList<FilePriority> priorities) => throw new NotImplementedException();

    public void SetFilePriority(int fileIndex, FilePriority priority) => throw new NotImplementedException();

    public void SetSequential(bool sequential) => throw new NotImplementedException();

    public Task<int> VerifyAsync(CancellationToken ct) => throw new NotImplementedException();

    private void OnControl(object command)
    {
        AssertOnLoop();
        _ = command;
    }
}

namespace Shoal.Engine.Creation;

/// <summary>
/// Hashing progress, updated by the hashing workers and polled by whoever shows it (a terminal progress line).
/// Polling instead of callbacks keeps the hot loop free of anything but one interlocked add per read.
/// </summary>
public sealed class CreationProgress
{
    private long _bytesHashed;

    /// <summary>Total bytes to hash; set once the files are collected.</summary>
    public long TotalBytes { get; internal set; }

    public long BytesHashed => Interlocked.Read(ref _bytesHashed);

    internal void Add(long bytes) => Interlocked.Add(ref _bytesHashed, bytes);
}

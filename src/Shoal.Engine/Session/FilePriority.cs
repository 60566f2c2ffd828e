namespace Shoal.Engine.Session;

/// <summary>
/// How much a file is wanted. <see cref="Skip"/> files are not downloaded (a piece shared with a wanted file still
/// is); among wanted pieces, <see cref="High"/> ones are started first and <see cref="Low"/> ones last.
/// </summary>
public enum FilePriority
{
    /// <summary>Do not download (Transmission's "unwanted").</summary>
    Skip,
    Low,
    Normal,
    High,
}

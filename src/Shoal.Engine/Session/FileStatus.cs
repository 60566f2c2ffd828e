namespace Shoal.Engine.Session;

/// <summary>One file of a torrent, as the status snapshot shows it (Transmission's files / fileStats).</summary>
/// <param name="Index">Position in the torrent's file list.</param>
/// <param name="Path">Path inside the torrent, '/'-separated, starting with the torrent name for multi-file torrents.</param>
/// <param name="Length">File length in bytes.</param>
/// <param name="BytesCompleted">Bytes of this file that lie in verified pieces.</param>
/// <param name="Priority">The file's priority (<see cref="FilePriority.Skip"/> = not wanted).</param>
public sealed record FileStatus(int Index, string Path, long Length, long BytesCompleted, FilePriority Priority)
{
    public bool Wanted => Priority != FilePriority.Skip;

    public double Progress => Length == 0 ? 1 : (double)BytesCompleted / Length;
}

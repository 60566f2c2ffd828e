namespace Shoal.Engine.Session;

public sealed partial record TorrentStatus
{
    /// <summary>Connected peers (empty while paused or stopped).</summary>
    public IReadOnlyList<PeerStatus> Peers { get; init; } = [];

    /// <summary>Every file with its bytes completed and priority, in torrent order.</summary>
    public IReadOnlyList<FileStatus> Files { get; init; } = [];

    /// <summary>Bytes in wanted pieces (all pieces unless files are skipped): Transmission's sizeWhenDone.</summary>
    public long WantedBytes { get; init; }

    /// <summary>Verified bytes among the wanted pieces; <c>WantedBytes - WantedBytesDone</c> is leftUntilDone.</summary>
    public long WantedBytesDone { get; init; }

    /// <summary>Every wanted piece is verified (the whole torrent when no file is skipped).</summary>
    public bool WantedComplete => WantedBytesDone >= WantedBytes;

    /// <summary>When the torrent was added (<see cref="TorrentOptions.AddedAt"/> or the session's start).</summary>
    public DateTimeOffset AddedAt { get; init; }

    /// <summary>When every wanted piece was first verified, or null.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>Uploaded / downloaded (uploaded / verified bytes when nothing was downloaded, e.g. a seed).</summary>
    public double Ratio => Downloaded > 0 ? (double)Uploaded / Downloaded : BytesDone > 0 ? (double)Uploaded / BytesDone : 0;

    /// <summary>Pieces are picked in order (streaming).</summary>
    public bool Sequential { get; init; }

    /// <summary>The torrent's own download limit in bytes/s, 0 = none (the engine's global limit applies as well).</summary>
    public long DownloadLimit { get; init; }

    /// <summary>The torrent's own upload limit in bytes/s, 0 = none.</summary>
    public long UploadLimit { get; init; }

    /// <summary>Fraction of pieces checked while <see cref="TorrentState.Checking"/> (0..1), else 0.</summary>
    public double VerifyProgress { get; init; }
}

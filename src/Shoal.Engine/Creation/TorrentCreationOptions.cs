namespace Shoal.Engine.Creation;

/// <summary>What to put into a new torrent besides the files themselves.</summary>
public sealed record TorrentCreationOptions
{
    /// <summary>The file or folder to share.</summary>
    public required string SourcePath { get; init; }

    /// <summary>Tracker tiers (BEP 12). The first URL becomes 'announce'; 'announce-list' is written for more than one.</summary>
    public IReadOnlyList<IReadOnlyList<string>> TrackerTiers { get; init; } = [];

    /// <summary>Piece length in bytes (a power of two, 16 KiB to 16 MiB); null chooses one with <see cref="PieceSizing.Choose"/>.</summary>
    public int? PieceLength { get; init; }

    /// <summary>BEP 27 private flag.</summary>
    public bool IsPrivate { get; init; }

    public string? Comment { get; init; }

    /// <summary>BEP 19 web seeds (url-list).</summary>
    public IReadOnlyList<string> WebSeeds { get; init; } = [];

    public string? CreatedBy { get; init; } = TorrentCreator.DefaultCreatedBy;

    /// <summary>Written as 'creation date' (Unix seconds) when set; null leaves it out (reproducible output).</summary>
    public DateTimeOffset? CreationDate { get; init; }

    /// <summary>Hashing threads; null uses every core.</summary>
    public int? Workers { get; init; }
}

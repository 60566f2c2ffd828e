namespace Shoal.Engine;

public sealed partial record EngineOptions
{
    /// <summary>Global download limit (piece payload, all torrents) in bytes/s; 0 = none. Changeable later through <see cref="ShoalEngine.MaxDownloadRate"/>.</summary>
    public long MaxDownloadRate { get; init; }

    /// <summary>Global upload limit in bytes/s; 0 = none. Changeable later through <see cref="ShoalEngine.MaxUploadRate"/>.</summary>
    public long MaxUploadRate { get; init; }
}

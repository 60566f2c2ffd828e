namespace Shoal.Engine.Creation;

/// <summary>One file that goes into a new torrent.</summary>
/// <param name="PathComponents">Path below the torrent's folder (for a single-file torrent: just its name).</param>
/// <param name="Length">Length in bytes when collected.</param>
/// <param name="FullPath">Where to read it from (symlinks are followed when opened).</param>
public sealed record SourceFile(IReadOnlyList<string> PathComponents, long Length, string FullPath)
{
    /// <summary>The path with '/' separators.</summary>
    public string Path => string.Join('/', PathComponents);
}

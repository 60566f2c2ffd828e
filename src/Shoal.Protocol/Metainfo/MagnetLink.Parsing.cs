namespace Shoal.Protocol.Metainfo;

public sealed partial record MagnetLink
{
    /// <summary>Parses a magnet URI; throws <see cref="MetainfoException"/> with one clear line.</summary>
    public static MagnetLink Parse(string uri) => throw new NotImplementedException("magnet parser: being written");

    public static bool LooksLikeMagnet(string text) => text.StartsWith("magnet:", StringComparison.OrdinalIgnoreCase);

    /// <summary>Formats the link as a magnet URI.</summary>
    public string ToUri() => throw new NotImplementedException("magnet parser: being written");
}

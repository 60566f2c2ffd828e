using System.Text.Json;
using System.Text.Json.Serialization;

namespace Shoal.Cli.Output;

/// <summary>Writes a command's JSON result to stdout: camelCase, indented, nulls kept so the shape is stable.</summary>
internal static class JsonOutput
{
    public static void Write<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> typeInfo, TextWriter stdout)
    {
        stdout.WriteLine(JsonSerializer.Serialize(value, typeInfo));
    }

    /// <summary>ISO-8601 UTC with a Z, seconds precision (what .torrent files carry).</summary>
    public static string? Iso8601(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Source-generated serializers for every JSON shape the CLI prints (no reflection at run time).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(Commands.TorrentInfoJson))]
[JsonSerializable(typeof(Commands.MagnetInfoJson))]
[JsonSerializable(typeof(Commands.CreateResultJson))]
[JsonSerializable(typeof(Commands.VerifyResultJson))]
internal sealed partial class CliJsonContext : JsonSerializerContext;

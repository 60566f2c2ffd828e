using System.Text.Json.Serialization;

namespace Shoal.Daemon.State;

/// <summary>Source-generated serialisers for the state folder's files (camelCase, indented so people can read them).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(DaemonSettings))]
[JsonSerializable(typeof(TorrentRecord))]
internal sealed partial class StateJsonContext : JsonSerializerContext;

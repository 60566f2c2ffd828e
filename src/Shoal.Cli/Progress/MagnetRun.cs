using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Serialization;
using Shoal.Engine;
using Shoal.Engine.Metadata;
using Shoal.Protocol.Extensions;
using Shoal.Protocol.Metainfo;

namespace Shoal.Cli.Progress;

/// <summary>The magnet part of <c>shoal download</c>: resolve x.pe peers, fetch the metadata, optionally save it.</summary>
internal static class MagnetRun
{
    /// <summary>Resolves the magnet's <c>x.pe</c> peers; ones that do not parse or resolve are skipped with a warning.</summary>
    public static async Task<List<IPEndPoint>> ResolvePeersAsync(MagnetLink magnet, CancellationToken ct)
    {
        var peers = new List<IPEndPoint>();
        foreach (string p in magnet.Peers)
        {
            if (!PeerAddress.TryParse(p, out string host, out int port, out string? error))
            {
                ConsoleOutput.WriteError($"warning: magnet x.pe '{p}' skipped: {error}");
                continue;
            }
            try
            {
                peers.AddRange(await PeerAddress.ResolveAsync(host, port, ct).ConfigureAwait(false));
            }
            catch (SocketException ex)
            {
                ConsoleOutput.WriteError($"warning: magnet x.pe '{p}' skipped: {ex.Message}");
            }
        }
        return peers;
    }

    /// <summary>
    /// Fetches the metadata and turns it into a torrent (trackers from the magnet, info bytes untouched), written to
    /// <c>--save-torrent</c> if given. Moves the peers that served it to the front of <paramref name="peers"/>.
    /// Failures throw (exit 1 through the CLI's error path).
    /// </summary>
    public static async Task<TorrentMetainfo> FetchAsync(ShoalEngine engine, MagnetLink magnet, List<IPEndPoint> peers,
        TorrentRunSpec spec, CancellationToken ct)
    {
        if (peers.Count == 0 && magnet.Trackers.Count == 0 && engine.DhtNode is null)
        {
            throw new MetadataFetchException("no way to find peers: the magnet link has no tracker and no x.pe peer, and the DHT is off (--no-dht); "
                + "give --peer HOST:PORT or drop --no-dht");
        }
        if (!spec.JsonOutput)
        {
            string dht = engine.DhtNode is null ? "" : ", DHT";
            ConsoleOutput.WriteLine($"fetching metadata for {magnet.InfoHash.ToHex()} ({peers.Count} peers, {magnet.Trackers.Count} trackers{dht})");
        }
        FetchedMetadata fetched;
        try
        {
            fetched = await engine.FetchMetadataAsync(magnet, peers, ct).ConfigureAwait(false);
        }
        catch (MetadataFetchException ex)
        {
            throw new MetadataFetchException($"cannot fetch the metadata: {ex.Message}");
        }

        byte[] torrent = MagnetTorrentFile.Build(fetched.RawInfo.Span, magnet.Trackers);
        TorrentMetainfo meta;
        try
        {
            meta = TorrentMetainfo.Parse(torrent);
        }
        catch (MetainfoException ex)
        {
            // Verified against the hash, so the magnet itself names a torrent we cannot use (not bad user input).
            throw new InvalidOperationException($"the torrent's metadata is not usable: {ex.Message}", ex);
        }
        if (spec.SaveTorrentPath is { } path)
        {
            string temp = path + ".part";
            await File.WriteAllBytesAsync(temp, torrent, CancellationToken.None).ConfigureAwait(false);
            File.Move(temp, path, overwrite: true);
        }
        if (spec.JsonOutput)
        {
            ConsoleOutput.WriteLine(JsonSerializer.Serialize(
                new MetadataEventJson("metadata", magnet.InfoHash.ToHex(), fetched.RawInfo.Length, fetched.Peers.Count, spec.SaveTorrentPath),
                MagnetJsonContext.Default.MetadataEventJson));
        }
        else
        {
            ConsoleOutput.WriteLine($"metadata: {fetched.RawInfo.Length} bytes verified from {fetched.Peers.Count} peers"
                + (spec.SaveTorrentPath is null ? "" : $", saved to {spec.SaveTorrentPath}"));
        }
        foreach (var ep in fetched.Peers.Reverse())
        {
            peers.Remove(ep);
            peers.Insert(0, ep);
        }
        return meta;
    }
}

/// <summary>The <c>--json</c> line printed once a magnet's metadata is verified.</summary>
internal sealed record MetadataEventJson(string Event, string InfoHash, int Size, int Peers, string? SavedTo);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(MetadataEventJson))]
internal sealed partial class MagnetJsonContext : JsonSerializerContext;

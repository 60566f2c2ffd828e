using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Cli.Progress;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal seed FILE.torrent --data DIR [--port N] [--peer HOST:PORT]... [--dht-node HOST:PORT]... [--no-dht] [--dht-state FILE]</c>: checks the data, then serves it until
/// interrupted. Incomplete data is seeded as it is, with a warning.
/// </summary>
internal static class SeedCommand
{
    public static Command Create()
    {
        var torrent = new Argument<FileInfo>("torrent") { Description = "The .torrent file" };
        var data = new Option<DirectoryInfo>("--data", "-d") { Description = "Folder holding the data (DIR/name)", Required = true };
        var port = new Option<int?>("--port", "-p") { Description = "TCP port to listen on; 0 picks a free one (default 6881, or any free port if taken)" };
        var peer = new Option<string[]>("--peer") { Description = "Connect to this peer (HOST:PORT); repeatable" };
        var trace = new Option<FileInfo>("--trace") { Description = "Write every peer message, decoded, to this file" };
        var dhtNode = DhtSettings.NodeOption();
        var noDht = DhtSettings.NoDhtOption();
        var dhtState = DhtSettings.StateOption();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines; only errors and the final result" };
        var maxDown = RateOption.Create("--max-down", "download");
        var maxUp = RateOption.Create("--max-up", "upload");
        var maxPeers = CliOptions.MaxPeers();
        var json = CliOptions.Json();
        json.Description = "JSON lines on stdout: listening, status every second, then complete/stopped/error";
        var command = new Command("seed", "Seed a torrent from existing data")
        {
            torrent, data, port, peer, trace, quiet, json, dhtNode, noDht, dhtState, maxDown, maxUp, maxPeers,
        };
        command.SetAction((result, ct) => TorrentRun.RunAsync(new TorrentRunSpec
        {
            TorrentPath = result.GetValue(torrent)!.FullName,
            Directory = result.GetValue(data)!.FullName,
            Port = result.GetValue(port) ?? -1,
            Peers = result.GetValue(peer) ?? [],
            SeedOnly = true,
            TracePath = result.GetValue(trace)?.FullName,
            Verbose = result.GetValue(CliOptions.Verbose),
            Quiet = result.GetValue(quiet),
            JsonOutput = result.GetValue(json),
            MaxDownloadRate = RateOption.Parse(result.GetValue(maxDown), "--max-down"),
            MaxUploadRate = RateOption.Parse(result.GetValue(maxUp), "--max-up"),
            DhtNodes = result.GetValue(dhtNode) ?? [],
            NoDht = result.GetValue(noDht),
            DhtStatePath = result.GetValue(dhtState)?.FullName,
            MaxPeers = result.GetValue(maxPeers),
        }, ct));
        return command;
    }
}

using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Cli.Progress;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal download FILE.torrent|MAGNET [--save-torrent FILE] [-o DIR] [--port N] [--peer HOST:PORT]... [--seed] [--resume-dir DIR] [--dht-node HOST:PORT]... [--no-dht] [--dht-state FILE] [--trace FILE] [--verbose|--quiet] [--json]</c>.
/// Exits 0 once every piece is verified, written and flushed (with <c>--seed</c>, keeps seeding until interrupted).
/// </summary>
internal static class DownloadCommand
{
    public static Command Create()
    {
        var torrent = new Argument<string>("torrent") { Description = "The .torrent file, or a magnet link (magnet:?xt=urn:btih:...)" };
        var saveTorrent = new Option<FileInfo>("--save-torrent") { Description = "For a magnet link: write the fetched metadata as a .torrent file" };
        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Download folder (default: current folder)" };
        var port = new Option<int?>("--port", "-p") { Description = "TCP port to listen on; 0 picks a free one (default 6881, or any free port if taken)" };
        var peer = new Option<string[]>("--peer") { Description = "Connect to this peer (HOST:PORT); repeatable; works without a tracker", AllowMultipleArgumentsPerToken = false };
        var seed = new Option<bool>("--seed") { Description = "Keep seeding after the download completes, until interrupted" };
        var trace = new Option<FileInfo>("--trace") { Description = "Write every peer message, decoded, to this file" };
        var resumeDir = new Option<DirectoryInfo>("--resume-dir") { Description = "Folder for resume data (default: OUTPUT/.shoal)" };
        var dhtNode = DhtSettings.NodeOption();
        var noDht = DhtSettings.NoDhtOption();
        var dhtState = DhtSettings.StateOption();
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress lines; only errors and the final result" };
        var maxDown = RateOption.Create("--max-down", "download");
        var maxUp = RateOption.Create("--max-up", "upload");
        var maxPeers = CliOptions.MaxPeers();
        var json = CliOptions.Json();
        json.Description = "JSON lines on stdout: listening, status every second, then complete/stopped/error";
        var command = new Command("download", "Download a torrent")
        {
            torrent, output, port, peer, seed, trace, quiet, json, saveTorrent, resumeDir, dhtNode, noDht, dhtState, maxDown, maxUp, maxPeers,
        };
        command.SetAction((result, ct) => TorrentRun.RunAsync(new TorrentRunSpec
        {
            TorrentPath = TorrentArgument(result.GetValue(torrent)!),
            SaveTorrentPath = result.GetValue(saveTorrent)?.FullName,
            Directory = result.GetValue(output)?.FullName ?? Environment.CurrentDirectory,
            ResumeDirectory = result.GetValue(resumeDir)?.FullName,
            Port = result.GetValue(port) ?? -1,
            Peers = result.GetValue(peer) ?? [],
            SeedAfter = result.GetValue(seed),
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

    /// <summary>A magnet link stays as typed; a file path becomes absolute.</summary>
    private static string TorrentArgument(string text) =>
        Shoal.Protocol.Metainfo.MagnetLink.LooksLikeMagnet(text) ? text : Path.GetFullPath(text);
}

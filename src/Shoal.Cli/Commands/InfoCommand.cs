using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Protocol.Metainfo;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal info &lt;file.torrent|magnet&gt; [--json]</c>: shows what a torrent or magnet link describes.</summary>
internal static class InfoCommand
{
    /// <summary>Torrent files past this size are refused before reading (real ones are a few MiB at most).</summary>
    public const long MaxTorrentFileSize = 64L * 1024 * 1024;

    public static Command Create()
    {
        var source = new Argument<string>("torrent") { Description = "A .torrent file or a magnet: link" };
        var json = CliOptions.Json();
        var command = new Command("info", "Show the contents of a .torrent file or a magnet link");
        command.Arguments.Add(source);
        command.Options.Add(json);
        command.SetAction(parseResult =>
        {
            string input = parseResult.GetValue(source)!;
            var stdout = parseResult.InvocationConfiguration.Output;
            bool asJson = parseResult.GetValue(json);
            if (MagnetLink.LooksLikeMagnet(input))
            {
                var magnet = MagnetLink.Parse(input);
                if (asJson)
                {
                    JsonOutput.Write(MagnetInfoJson.From(magnet), CliJsonContext.Default.MagnetInfoJson, stdout);
                }
                else
                {
                    InfoText.WriteMagnet(magnet, stdout);
                }
                return ExitCodes.Success;
            }
            var metainfo = TorrentMetainfo.Parse(ReadTorrentFile(input));
            if (asJson)
            {
                JsonOutput.Write(TorrentInfoJson.From(metainfo), CliJsonContext.Default.TorrentInfoJson, stdout);
            }
            else
            {
                InfoText.WriteTorrent(metainfo, stdout);
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Reads a .torrent file, refusing missing paths, folders and absurd sizes as bad input.</summary>
    public static byte[] ReadTorrentFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new CliInputException($"'{path}' is a folder, not a .torrent file");
        }
        var file = new FileInfo(path);
        if (!file.Exists)
        {
            throw new CliInputException($"'{path}' does not exist");
        }
        if (file.Length > MaxTorrentFileSize)
        {
            throw new CliInputException($"'{path}' is {HumanFormat.Size(file.Length)}, too large to be a .torrent file");
        }
        return File.ReadAllBytes(path);
    }
}

/// <summary>JSON shape of <c>shoal info --json</c> for a .torrent file (documented in docs/cli.md).</summary>
internal sealed record TorrentInfoJson(
    string Name,
    string InfoHash,
    int PieceLength,
    int PieceCount,
    long TotalSize,
    IReadOnlyList<FileJson> Files,
    IReadOnlyList<IReadOnlyList<string>> Trackers,
    IReadOnlyList<string> WebSeeds,
    bool Private,
    string? CreatedBy,
    string? Comment,
    string? CreationDate)
{
    public static TorrentInfoJson From(TorrentMetainfo m) => new(
        m.Name,
        m.InfoHash.ToHex(),
        m.PieceLength,
        m.PieceCount,
        m.TotalLength,
        [.. m.Files.Where(f => !f.IsPadding).Select(f => new FileJson(f.Path, f.Length))],
        m.AnnounceTiers,
        m.WebSeeds,
        m.IsPrivate,
        m.CreatedBy,
        m.Comment,
        JsonOutput.Iso8601(m.CreationDate));
}

/// <summary>One file in <see cref="TorrentInfoJson"/>.</summary>
internal sealed record FileJson(string Path, long Length);

/// <summary>JSON shape of <c>shoal info --json</c> for a magnet link.</summary>
internal sealed record MagnetInfoJson(string InfoHash, string? Name, IReadOnlyList<string> Trackers,
    IReadOnlyList<string> Peers, bool Magnet)
{
    public static MagnetInfoJson From(MagnetLink m) =>
        new(m.InfoHash.ToHex(), m.DisplayName, m.Trackers, m.Peers, Magnet: true);
}

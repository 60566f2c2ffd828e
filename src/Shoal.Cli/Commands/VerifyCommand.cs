using System.CommandLine;
using Shoal.Cli.Output;
using Shoal.Engine.Storage;
using Shoal.Protocol.Metainfo;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal verify &lt;file.torrent&gt; --data DIR [--json]</c>: re-checks every piece of the data in DIR (same layout
/// as download and seed) against the torrent's SHA-1 hashes, without creating or changing any file. Exit 0 only when
/// every piece is present and good; 1 when any is bad or missing; 2 for bad input.
/// </summary>
internal static class VerifyCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("torrent") { Description = "The .torrent file" };
        var data = new Option<string>("--data", "-d") { Description = "Folder holding the data (DIR/name)", Required = true };
        var json = CliOptions.Json();
        var command = new Command("verify", "Re-check every piece of downloaded data against the torrent's hashes");
        command.Arguments.Add(source);
        command.Options.Add(data);
        command.Options.Add(json);
        command.SetAction(async (parseResult, ct) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var metainfo = TorrentMetainfo.Parse(InfoCommand.ReadTorrentFile(parseResult.GetValue(source)!));
            string root = parseResult.GetValue(data)!;
            if (!Directory.Exists(root))
            {
                throw new CliInputException($"data folder '{root}' does not exist");
            }
            var started = System.Diagnostics.Stopwatch.StartNew();
            using var storage = TorrentStorage.OpenForChecking(metainfo, root);
            // A one-shot, read-only process: mapping saves the copy out of the page cache (see CheckReadMode.MemoryMap
            // for the SIGBUS trade-off, which here can only end this command).
            var good = await PieceVerifier.CheckExistingAsync(metainfo, storage, null, ct, readMode: CheckReadMode.MemoryMap);
            var bad = Enumerable.Range(0, metainfo.PieceCount).Where(i => !good[i]).ToArray();
            var result = new VerifyResultJson(metainfo.Name, metainfo.InfoHash.ToHex(), metainfo.PieceCount, good.CountSet,
                bad.Length, bad, Math.Round(started.Elapsed.TotalSeconds, 3));
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(result, CliJsonContext.Default.VerifyResultJson, stdout);
            }
            else
            {
                stdout.WriteLine($"{metainfo.Name}: {good.CountSet}/{metainfo.PieceCount} pieces good, {bad.Length} bad or missing ({result.Seconds:0.###} s)");
                if (bad.Length > 0)
                {
                    stdout.WriteLine($"bad or missing pieces: {Ranges(bad)}");
                }
            }
            return bad.Length == 0 ? ExitCodes.Success : ExitCodes.Failure;
        });
        return command;
    }

    /// <summary>Compact list of piece indices: "0-3, 7, 9-10".</summary>
    private static string Ranges(int[] sorted)
    {
        var parts = new List<string>();
        for (int i = 0; i < sorted.Length;)
        {
            int j = i;
            while (j + 1 < sorted.Length && sorted[j + 1] == sorted[j] + 1)
            {
                j++;
            }
            parts.Add(i == j ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(", ", parts);
    }
}

/// <summary>JSON of <c>shoal verify --json</c>.</summary>
internal sealed record VerifyResultJson(string Name, string InfoHash, int PieceCount, int GoodPieces, int BadPieces,
    int[] BadPieceIndices, double Seconds);

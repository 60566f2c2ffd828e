using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Shoal.Cli.Output;
using Shoal.Engine.Creation;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal create &lt;file-or-folder&gt; -o out.torrent [...]</c>: makes a .torrent, hashing on every core.</summary>
internal static class CreateCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("path") { Description = "The file or folder to share" };
        var output = new Option<string>("--output", "-o") { Description = "Where to write the .torrent", Required = true };
        var trackers = new Option<string[]>("--tracker", "-t")
        {
            Description = "Tracker announce URL; repeat for more tiers, or join URLs with ',' for one tier",
            DefaultValueFactory = _ => [],
        };
        var pieceSize = new Option<string?>("--piece-size", "-p")
        {
            Description = "Piece length: bytes, or with K/M suffix (power of two, 16K..16M); default: chosen for 1000-2000 pieces",
        };
        var isPrivate = new Option<bool>("--private") { Description = "Mark private (BEP 27): trackers only, no DHT/PEX" };
        var comment = new Option<string?>("--comment", "-c") { Description = "Free-text comment" };
        var webSeeds = new Option<string[]>("--web-seed", "-w")
        {
            Description = "Web seed URL (BEP 19); repeatable",
            DefaultValueFactory = _ => [],
        };
        var createdBy = new Option<string>("--created-by")
        {
            Description = "The 'created by' text",
            DefaultValueFactory = _ => TorrentCreator.DefaultCreatedBy,
        };
        var noDate = new Option<bool>("--no-date") { Description = "Leave out the creation date (reproducible output)" };
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite the output file if it exists" };
        var json = CliOptions.Json();

        var command = new Command("create", "Make a .torrent file from a file or folder");
        command.Arguments.Add(source);
        foreach (var o in new Option[] { output, trackers, pieceSize, isPrivate, comment, webSeeds, createdBy, noDate, force, json })
        {
            command.Options.Add(o);
        }
        command.SetAction(async (parseResult, ct) =>
        {
            string outPath = Path.GetFullPath(parseResult.GetValue(output)!);
            CheckOutput(outPath, parseResult.GetValue(force));
            var options = new TorrentCreationOptions
            {
                SourcePath = parseResult.GetValue(source)!,
                TrackerTiers = ParseTiers(parseResult.GetValue(trackers) ?? []),
                PieceLength = ParsePieceSize(parseResult.GetValue(pieceSize)),
                IsPrivate = parseResult.GetValue(isPrivate),
                Comment = parseResult.GetValue(comment),
                WebSeeds = [.. (parseResult.GetValue(webSeeds) ?? []).Select(u => CheckUrl(u, "web seed"))],
                CreatedBy = parseResult.GetValue(createdBy),
                CreationDate = parseResult.GetValue(noDate) ? null : DateTimeOffset.UtcNow,
            };

            var progress = new CreationProgress();
            var clock = Stopwatch.StartNew();
            CreatedTorrent created;
            using (new TerminalProgress("hashing", () => (progress.BytesHashed, progress.TotalBytes)))
            {
                created = await Task.Run(() => TorrentCreator.Create(options, progress, ct), ct);
            }
            double seconds = clock.Elapsed.TotalSeconds;
            WriteAtomically(outPath, created.TorrentFile);

            var stdout = parseResult.InvocationConfiguration.Output;
            if (parseResult.GetValue(json))
            {
                JsonOutput.Write(CreateResultJson.From(created, outPath), CliJsonContext.Default.CreateResultJson, stdout);
            }
            else
            {
                stdout.WriteLine($"Created {outPath}");
                stdout.WriteLine($"Info hash:     {created.InfoHash.ToHex()}");
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Size:          {HumanFormat.Size(created.TotalLength)} in {created.Files.Count} file(s), {created.PieceCount} pieces of {HumanFormat.Size(created.PieceLength)}"));
                stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Hashed in:     {seconds:0.00} s ({HumanFormat.Rate(created.TotalLength / Math.Max(seconds, 1e-6))})"));
            }
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Parses "262144", "256K", "256KiB", "1M", "4MiB" into bytes; bad text is bad input.</summary>
    public static int? ParsePieceSize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        string t = text.Trim();
        long multiplier = 1;
        string[] suffixes = ["KiB", "MiB", "KB", "MB", "K", "M"];
        foreach (var s in suffixes)
        {
            if (t.EndsWith(s, StringComparison.OrdinalIgnoreCase))
            {
                multiplier = char.ToUpperInvariant(s[0]) == 'K' ? 1024 : 1024 * 1024;
                t = t[..^s.Length].Trim();
                break;
            }
        }
        if (!long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out long value) ||
            value > long.MaxValue / multiplier || !PieceSizing.IsAcceptable(value * multiplier))
        {
            throw new CliInputException(
                $"--piece-size '{text}' must be a power of two from 16K to 16M (e.g. 262144, 256K, 1M)");
        }
        return (int)(value * multiplier);
    }

    /// <summary>Each --tracker is one tier; commas inside it separate trackers of that tier.</summary>
    public static IReadOnlyList<IReadOnlyList<string>> ParseTiers(IEnumerable<string> values) =>
        [.. values
            .Select(v => (IReadOnlyList<string>)[.. v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(u => CheckUrl(u, "tracker"))])
            .Where(t => t.Count > 0)];

    private static string CheckUrl(string url, string what)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            throw new CliInputException($"{what} URL '{url}' is not an absolute URL");
        }
        return url;
    }

    private static void CheckOutput(string outPath, bool force)
    {
        if (Directory.Exists(outPath))
        {
            throw new CliInputException($"output '{outPath}' is a folder");
        }
        if (File.Exists(outPath) && !force)
        {
            throw new CliInputException($"output '{outPath}' already exists (use --force to overwrite)");
        }
        string? dir = Path.GetDirectoryName(outPath);
        if (dir is not null && !Directory.Exists(dir))
        {
            throw new CliInputException($"output folder '{dir}' does not exist");
        }
    }

    // Write beside the target and rename, so a crash never leaves a truncated .torrent behind.
    private static void WriteAtomically(string path, byte[] bytes)
    {
        string temp = path + ".partial-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        try
        {
            File.WriteAllBytes(temp, bytes);
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}

/// <summary>JSON shape of <c>shoal create --json</c>.</summary>
internal sealed record CreateResultJson(string Output, string InfoHash, string Name, int PieceLength, int PieceCount,
    long TotalSize, int FileCount)
{
    public static CreateResultJson From(CreatedTorrent t, string output) =>
        new(output, t.InfoHash.ToHex(), t.Name, t.PieceLength, t.PieceCount, t.TotalLength, t.Files.Count);
}

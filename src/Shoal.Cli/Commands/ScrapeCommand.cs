using Shoal.Cli.Output;
using System.CommandLine;
using System.Text.Json;
using Shoal.Engine.Trackers;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Cli.Commands;

/// <summary><c>shoal scrape &lt;file.torrent|magnet&gt; [--json]</c>: seeders, leechers and completed per tracker.</summary>
internal static class ScrapeCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("torrent") { Description = "A .torrent file or a magnet link" };
        var json = CliOptions.Json();
        var command = new Command("scrape", "Ask each tracker of a torrent for its seeder, leecher and download counts");
        command.Arguments.Add(source);
        command.Options.Add(json);
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(source)!, parse.GetValue(json), ct));
        return command;
    }

    private static async Task<int> RunAsync(string source, bool json, CancellationToken ct)
    {
        InfoHash infoHash;
        IReadOnlyList<IReadOnlyList<string>> tiers;
        // Bad input (malformed torrent, missing file) propagates to the CLI's single error path: exit 2, one line.
        if (MagnetLink.LooksLikeMagnet(source))
        {
            var magnet = MagnetLink.Parse(source);
            infoHash = magnet.InfoHash;
            // Magnet trackers carry no tier structure: each is its own tier.
            tiers = [.. magnet.Trackers.Select(t => (IReadOnlyList<string>)[t])];
        }
        else
        {
            var metainfo = TorrentMetainfo.Parse(await File.ReadAllBytesAsync(source, ct));
            infoHash = metainfo.InfoHash;
            tiers = metainfo.AnnounceTiers;
        }

        if (tiers.Sum(t => t.Count) == 0)
        {
            throw new CliInputException("the torrent lists no trackers to scrape");
        }
        var options = new TrackerOptions { HttpTimeout = TimeSpan.FromSeconds(15), UdpBaseTimeout = TimeSpan.FromSeconds(5), UdpMaxAttempts = 2 };
        var results = await TrackerScraper.ScrapeAllAsync(tiers, infoHash, options, ct);
        if (json)
        {
            WriteJson(infoHash, results);
        }
        else
        {
            WriteText(infoHash, results);
        }
        return results.Any(r => r.Result.IsSuccess) ? 0 : 1;
    }

    private static void WriteText(InfoHash infoHash, IReadOnlyList<TrackerScrape> results)
    {
        Console.WriteLine($"info hash {infoHash.ToHex()}");
        foreach (var (tier, r) in results)
        {
            string what = r switch
            {
                { IsSuccess: true, Files: [var f, ..] } => $"seeders {f.Seeders}, leechers {f.Leechers}, completed {f.Completed}",
                { NotSupported: true } => $"scrape not supported ({r.Error})",
                _ => $"error: {r.Error}",
            };
            Console.WriteLine($"tier {tier}  {r.Url}  {what}");
        }
    }

    private static void WriteJson(InfoHash infoHash, IReadOnlyList<TrackerScrape> results)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var w = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("infoHash", infoHash.ToHex());
            w.WriteStartArray("trackers");
            foreach (var (tier, r) in results)
            {
                w.WriteStartObject();
                w.WriteString("url", r.Url);
                w.WriteNumber("tier", tier);
                w.WriteBoolean("supported", !r.NotSupported);
                if (r is { IsSuccess: true, Files: [var f, ..] })
                {
                    w.WriteNumber("seeders", f.Seeders);
                    w.WriteNumber("leechers", f.Leechers);
                    w.WriteNumber("completed", f.Completed);
                    w.WriteNull("error");
                }
                else
                {
                    w.WriteNull("seeders");
                    w.WriteNull("leechers");
                    w.WriteNull("completed");
                    w.WriteString("error", r.Error);
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stdout.WriteByte((byte)'\n');
    }
}

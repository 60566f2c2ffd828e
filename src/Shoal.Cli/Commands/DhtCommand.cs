using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Shoal.Engine.Dht;
using Shoal.Protocol;

namespace Shoal.Cli.Commands;

/// <summary>
/// <c>shoal dht [--port N] [--dht-node HOST:PORT]... [--no-default-routers] [--state FILE] [--get-peers HASH] [--json]</c>:
/// joins the mainline DHT, optionally looks up the peers of an info hash, and prints the routing table's state.
/// </summary>
internal static class DhtCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "UDP port to bind (0 = any free port)", DefaultValueFactory = _ => 6881 };
        var bind = new Option<string>("--bind") { Description = "Address to bind (0.0.0.0, ::, 127.0.0.1...)", DefaultValueFactory = _ => "0.0.0.0" };
        var nodes = new Option<string[]>("--dht-node") { Description = "Bootstrap node HOST:PORT (repeatable)", AllowMultipleArgumentsPerToken = false };
        var noRouters = new Option<bool>("--no-default-routers") { Description = "Do not contact the well-known public routers" };
        var state = new Option<string?>("--state") { Description = "Routing table file to load and save" };
        var getPeers = new Option<string?>("--get-peers") { Description = "Info hash (40 hex digits) to look up" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds before giving up", DefaultValueFactory = _ => 60 };
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var command = new Command("dht", "Join the DHT, optionally find the peers of an info hash, and show the routing table");
        foreach (var o in new Option[] { port, bind, nodes, noRouters, state, getPeers, timeout, json })
        {
            command.Options.Add(o);
        }
        command.SetAction(async (parseResult, ct) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            if (!IPAddress.TryParse(parseResult.GetValue(bind), out var address) || parseResult.GetValue(port) is < 0 or > 65535)
            {
                return Usage(stderr, "--bind must be an IP address and --port 0..65535");
            }
            var bootstrap = new List<EndPoint>();
            foreach (var text in parseResult.GetValue(nodes) ?? [])
            {
                if (!TryParseEndPoint(text, out var ep))
                {
                    return Usage(stderr, $"--dht-node '{text}' is not HOST:PORT");
                }
                bootstrap.Add(ep);
            }
            InfoHash? target = null;
            if (parseResult.GetValue(getPeers) is { } hex)
            {
                if (hex.Length != 40 || !hex.All(Uri.IsHexDigit))
                {
                    return Usage(stderr, "--get-peers needs a 40-digit hex info hash");
                }
                target = InfoHash.FromHex(hex);
            }
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(TimeSpan.FromSeconds(Math.Max(1, parseResult.GetValue(timeout))));
            await using var node = new DhtNode(new DhtOptions
            {
                LocalEndPoint = new IPEndPoint(address, parseResult.GetValue(port)),
                BootstrapNodes = bootstrap,
                UseDefaultRouters = !parseResult.GetValue(noRouters),
                RoutingTablePath = parseResult.GetValue(state),
            });
            await node.StartAsync(deadline.Token);
            await node.BootstrapAsync(ct: deadline.Token);
            DhtLookupResult? lookup = target is { } h ? await node.LookupPeersAsync(h, deadline.Token) : null;
            var report = DhtReport.From(node.Snapshot(), lookup);
            if (parseResult.GetValue(json))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(report, DhtJsonContext.Default.DhtReport));
            }
            else
            {
                WriteText(report, stdout);
            }
            return 0;
        });
        return command;
    }

    private static int Usage(TextWriter stderr, string message)
    {
        stderr.WriteLine($"shoal dht: {message}");
        return 2;
    }

    /// <summary>Accepts <c>1.2.3.4:6881</c>, <c>[::1]:6881</c> and <c>host.name:6881</c>.</summary>
    internal static bool TryParseEndPoint(string text, out EndPoint endPoint)
    {
        endPoint = null!;
        if (IPEndPoint.TryParse(text, out var ip) && ip.Port != 0 && text.Contains(':', StringComparison.Ordinal))
        {
            endPoint = ip;
            return true;
        }
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int p)
            || p is < 1 or > 65535 || Uri.CheckHostName(text[..colon]) == UriHostNameType.Unknown)
        {
            return false;
        }
        endPoint = new DnsEndPoint(text[..colon], p);
        return true;
    }

    private static void WriteText(DhtReport r, TextWriter o)
    {
        o.WriteLine($"node id:   {r.NodeId}");
        o.WriteLine($"listening: {r.EndPoint}");
        o.WriteLine($"nodes:     {r.Nodes} ({r.Good} good, {r.Questionable} questionable, {r.Bad} bad) in {r.Buckets.Count} buckets");
        foreach (var b in r.Buckets.Where(b => b.Nodes > 0))
        {
            o.WriteLine($"  bucket {b.Index,3}: {b.Nodes} nodes ({b.Good} good), {b.Replacements} waiting");
        }
        o.WriteLine($"stored:    {r.StoredPeers} peers for {r.StoredInfoHashes} info hashes");
        if (r.Lookup is { } l)
        {
            o.WriteLine($"lookup:    {l.Peers.Count} peers, {l.Rounds} rounds, {l.Queries} queries ({l.Timeouts} timed out)");
            foreach (var p in l.Peers)
            {
                o.WriteLine($"  {p}");
            }
        }
    }
}

/// <summary>JSON shape of <c>shoal dht --json</c>.</summary>
internal sealed record DhtReport(string NodeId, string EndPoint, int Nodes, int Good, int Questionable, int Bad,
    IReadOnlyList<DhtBucketReport> Buckets, int StoredInfoHashes, int StoredPeers, DhtLookupReport? Lookup)
{
    public static DhtReport From(DhtSnapshot s, DhtLookupResult? l) => new(
        s.Id.ToHex(), s.LocalEndPoint.ToString(), s.Nodes, s.Good, s.Questionable, s.Bad,
        [.. s.Buckets.Select(b => new DhtBucketReport(b.Index, b.Nodes, b.Good, b.Questionable, b.Replacements))],
        s.StoredInfoHashes, s.StoredPeers,
        l is null ? null : new DhtLookupReport(l.Target.ToHex(), [.. l.Peers.Select(p => p.ToString())], l.Rounds, l.FirstPeerRound, l.QueriesSent, l.Timeouts));
}

internal sealed record DhtBucketReport(int Index, int Nodes, int Good, int Questionable, int Replacements);

internal sealed record DhtLookupReport(string InfoHash, IReadOnlyList<string> Peers, int Rounds, int? FirstPeerRound, int Queries, int Timeouts);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(DhtReport))]
internal sealed partial class DhtJsonContext : JsonSerializerContext;

using System.CommandLine;
using System.Net;
using Shoal.Cli.Output;
using Shoal.Engine;

namespace Shoal.Cli.Progress;

/// <summary>
/// The DHT options of <c>download</c> and <c>seed</c> (<c>--dht-node</c>, <c>--no-dht</c>, <c>--dht-state</c>) and
/// how they become <see cref="EngineDhtOptions"/>. Without <c>--dht-node</c> the well-known routers are used; with it,
/// only the given nodes (so tests never leave the machine).
/// </summary>
internal static class DhtSettings
{
    public static Option<string[]> NodeOption() => new("--dht-node")
    {
        Description = "Bootstrap the DHT from this node (HOST:PORT); repeatable; replaces the default public routers",
        AllowMultipleArgumentsPerToken = false,
    };

    public static Option<bool> NoDhtOption() => new("--no-dht")
    {
        Description = "Do not use the DHT (peers only from trackers, --peer and x.pe)",
    };

    public static Option<FileInfo> StateOption() => new("--dht-state")
    {
        Description = "DHT routing table file, loaded at start and saved at exit (default: $XDG_STATE_HOME/shoal/dht.dat)",
    };

    /// <summary>
    /// <c>$XDG_STATE_HOME/shoal/dht.dat</c>, else <c>~/.local/state/shoal/dht.dat</c> (on Windows, under the local
    /// application data folder); null when no home folder is known.
    /// </summary>
    public static string? DefaultStatePath()
    {
        string? state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state) || !Path.IsPathRooted(state))
        {
            if (OperatingSystem.IsWindows())
            {
                string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
                return string.IsNullOrEmpty(local) ? null : Path.Combine(local, "shoal", "dht.dat");
            }
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (string.IsNullOrEmpty(home))
            {
                return null;
            }
            state = Path.Combine(home, ".local", "state");
        }
        return Path.Combine(state, "shoal", "dht.dat");
    }

    /// <summary>The engine's DHT settings for a run, or null with <c>--no-dht</c>. Bad <c>--dht-node</c> values are bad input.</summary>
    public static EngineDhtOptions? Build(TorrentRunSpec spec)
    {
        if (spec.NoDht)
        {
            if (spec.DhtNodes.Count > 0)
            {
                throw new CliInputException("--dht-node and --no-dht contradict each other");
            }
            return null;
        }
        var nodes = new List<EndPoint>();
        foreach (string text in spec.DhtNodes)
        {
            if (!PeerAddress.TryParse(text, out string host, out int port, out string? error, "--dht-node"))
            {
                throw new CliInputException(error!);
            }
            // Names are resolved at bootstrap; one that does not resolve is skipped there, not an error here.
            nodes.Add(IPAddress.TryParse(host, out var ip) ? new IPEndPoint(ip, port) : new DnsEndPoint(host, port));
        }
        return new EngineDhtOptions
        {
            BootstrapNodes = nodes,
            UseDefaultRouters = nodes.Count == 0,
            StatePath = spec.DhtStatePath ?? DefaultStatePath(),
        };
    }
}

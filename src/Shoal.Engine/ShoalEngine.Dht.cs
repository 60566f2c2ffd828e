using System.Net;
using System.Net.Sockets;
using Shoal.Engine.Dht;

namespace Shoal.Engine;

public sealed partial class ShoalEngine
{
    private DhtService? _dht;

    /// <summary>The engine's DHT node (BEP 5), once started with <see cref="EngineOptions.Dht"/> set; else null.</summary>
    public DhtNode? DhtNode => _dht?.Node;

    /// <summary>Contacts in the DHT routing table (0 without a DHT).</summary>
    public int DhtNodeCount => _dht?.NodeCount ?? 0;

    /// <summary>For torrents and magnet fetches: the running DHT, or null.</summary>
    internal DhtService? DhtService => _dht;

    /// <summary>Starts the DHT node next to the TCP listener (same port number by default), if configured.</summary>
    private void StartDht(IPAddress listenAddress)
    {
        if (_options.Dht is not { } dht || _dht is not null)
        {
            return;
        }
        // One family per node; the mainline DHT is overwhelmingly IPv4, so a wildcard listener gets an IPv4 node.
        var address = listenAddress.Equals(IPAddress.IPv6Any) ? IPAddress.Any : listenAddress;
        try
        {
            _dht = DhtService.Start(dht, address, ListenPort, _options.TimeProvider, _options.LoggerFactory);
        }
        catch (SocketException ex)
        {
            throw new IOException($"cannot start the DHT on UDP port {dht.Port ?? ListenPort}: {ex.Message}", ex);
        }
    }

    private async ValueTask StopDhtAsync()
    {
        if (_dht is { } dht)
        {
            _dht = null;
            await dht.DisposeAsync().ConfigureAwait(false);
        }
    }
}

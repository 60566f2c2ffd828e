using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Shoal.Engine.Peers;

namespace Shoal.Engine;

/// <summary>Engine-wide settings.</summary>
public sealed partial record EngineOptions
{
    /// <summary>TCP port to listen on; 0 picks a free one (see <see cref="ShoalEngine.ListenPort"/>).</summary>
    public int Port { get; init; }

    /// <summary>Address to listen on. Default: every IPv6 and IPv4 address (dual mode where the OS allows it).</summary>
    public IPAddress? ListenAddress { get; init; }

    /// <summary>Connections per torrent.</summary>
    public int MaxConnectionsPerTorrent { get; init; } = 50;

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>The DHT (BEP 5) node this engine runs, or null for none. See <see cref="EngineDhtOptions"/>.</summary>
    public EngineDhtOptions? Dht { get; init; }

    /// <summary>Receives every peer-wire message, decoded (the CLI's <c>--trace FILE</c>).</summary>
    public IPeerTraceSink? Trace { get; init; }
}

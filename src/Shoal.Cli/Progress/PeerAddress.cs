using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Shoal.Cli.Progress;

/// <summary>Parses <c>--peer</c> values: <c>HOST:PORT</c>, <c>1.2.3.4:PORT</c>, <c>[::1]:PORT</c>.</summary>
internal static class PeerAddress
{
    public static bool TryParse(string text, out string host, out int port, out string? error, string option = "--peer")
    {
        host = "";
        port = 0;
        error = null;
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            error = $"{option} '{text}': expected HOST:PORT";
            return false;
        }
        host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            host = host[1..^1];
        }
        else if (host.Contains(':', StringComparison.Ordinal))
        {
            error = $"{option} '{text}': write IPv6 addresses as [ADDRESS]:PORT";
            return false;
        }
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535)
        {
            error = $"{option} '{text}': port must be 1-65535";
            return false;
        }
        return true;
    }

    /// <summary>Resolves a parsed peer; host names may give several addresses (IPv4 first).</summary>
    public static async Task<IPEndPoint[]> ResolveAsync(string host, int port, CancellationToken ct)
    {
        if (IPAddress.TryParse(host, out var ip))
        {
            return [new IPEndPoint(ip, port)];
        }
        var addresses = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
        return addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1)
            .Select(a => new IPEndPoint(a, port)).ToArray();
    }
}

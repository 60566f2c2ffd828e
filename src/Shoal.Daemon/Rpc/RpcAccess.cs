using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Shoal.Daemon.Rpc;

/// <summary>
/// Who may talk to the RPC (and the web page). Loopback clients always may; others only when credentials are set
/// (and then must send them) or their address is on the allow-list. With credentials set every client must send
/// them. Without credentials, a loopback client must also name the server by an IP address or "localhost" in its
/// Host header, which stops DNS-rebinding pages from reaching the RPC through a name they control.
/// </summary>
public sealed class RpcAccess
{
    private readonly byte[]? _credentials;
    private readonly IReadOnlyList<IPNetwork> _allow;

    public RpcAccess(string? user, string? password, IReadOnlyList<IPNetwork> allow)
    {
        if ((user is null) != (password is null))
        {
            throw new ArgumentException("give both a user and a password, or neither");
        }
        _credentials = user is null ? null : Encoding.UTF8.GetBytes($"{user}:{password}");
        _allow = allow;
    }

    public bool RequiresAuth => _credentials is not null;

    /// <summary>Null when the request may go on; otherwise the status code to answer with.</summary>
    public int? Check(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var remote = context.Connection.RemoteIpAddress;
        bool loopback = remote is null || IPAddress.IsLoopback(remote) || remote.IsIPv4MappedToIPv6 && IPAddress.IsLoopback(remote.MapToIPv4());
        bool allowed = remote is not null && _allow.Any(n => n.Contains(remote) || remote.IsIPv4MappedToIPv6 && n.Contains(remote.MapToIPv4()));
        if (!loopback && !allowed && _credentials is null)
        {
            return StatusCodes.Status403Forbidden;
        }
        if (_credentials is not null && !Authenticated(context.Request))
        {
            context.Response.Headers.WWWAuthenticate = "Basic realm=\"Shoal\"";
            return StatusCodes.Status401Unauthorized;
        }
        if (_credentials is null && loopback && !HostIsLiteral(context.Request.Host.Host))
        {
            return StatusCodes.Status421MisdirectedRequest;
        }
        return null;
    }

    private bool Authenticated(HttpRequest request)
    {
        string? header = request.Headers.Authorization;
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        byte[] given;
        try
        {
            given = Convert.FromBase64String(header[6..].Trim());
        }
        catch (FormatException)
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(given, _credentials);
    }

    private static bool HostIsLiteral(string host) =>
        host.Length == 0 || host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || IPAddress.TryParse(host.Trim('[', ']'), out _);
}

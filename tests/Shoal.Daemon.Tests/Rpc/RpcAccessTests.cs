using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Shoal.Daemon.Rpc;

namespace Shoal.Daemon.Tests.Rpc;

public sealed class RpcAccessTests
{
    private static DefaultHttpContext Request(string remote, string host = "127.0.0.1:9091", string? auth = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Request.Host = new HostString(host);
        if (auth is not null)
        {
            context.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(auth));
        }
        return context;
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("::ffff:127.0.0.1")]
    public void Loopback_clients_are_served_without_credentials(string remote) =>
        Assert.Null(new RpcAccess(null, null, []).Check(Request(remote)));

    [Fact]
    public void A_remote_client_is_refused_without_credentials_or_allow_list() =>
        Assert.Equal(403, new RpcAccess(null, null, []).Check(Request("192.168.1.20", "192.168.1.2:9091")));

    [Theory]
    [InlineData("192.168.1.20", null)]
    [InlineData("::ffff:192.168.1.20", null)]
    [InlineData("10.0.0.7", 403)]
    public void The_allow_list_admits_its_networks_only(string remote, int? expected)
    {
        var access = new RpcAccess(null, null, [IPNetwork.Parse("192.168.1.0/24")]);
        Assert.Equal(expected, access.Check(Request(remote, "192.168.1.2:9091")));
    }

    [Theory]
    [InlineData(null, 401)]
    [InlineData("alice:wrong", 401)]
    [InlineData("alice", 401)]
    [InlineData("alice:s3cret", null)]
    public void With_credentials_every_client_must_send_them(string? auth, int? expected)
    {
        var access = new RpcAccess("alice", "s3cret", []);
        Assert.Equal(expected, access.Check(Request("127.0.0.1", auth: auth)));
        Assert.Equal(expected, access.Check(Request("203.0.113.9", "example.org:9091", auth)));
    }

    [Fact]
    public void A_refused_login_asks_for_basic_auth()
    {
        var context = Request("127.0.0.1");
        Assert.Equal(401, new RpcAccess("u", "p", []).Check(context));
        Assert.StartsWith("Basic", context.Response.Headers.WWWAuthenticate.ToString());
    }

    [Theory]
    [InlineData("evil.example:9091", 421)]
    [InlineData("localhost:9091", null)]
    [InlineData("[::1]:9091", null)]
    public void Without_credentials_a_loopback_request_must_name_an_address_or_localhost(string host, int? expected) =>
        Assert.Equal(expected, new RpcAccess(null, null, []).Check(Request("127.0.0.1", host)));

    [Fact]
    public void A_user_without_a_password_is_a_configuration_error() =>
        Assert.Throws<ArgumentException>(() => new RpcAccess("u", null, []));
}

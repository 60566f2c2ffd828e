using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Shoal.Daemon.Rpc;

/// <summary>
/// HTTP for <c>/transmission/rpc</c>: access check, then the session-id handshake (a request without the current
/// <c>X-Transmission-Session-Id</c> gets 409 carrying it; browsers cannot read that header across origins, which
/// closes the CSRF hole), then one JSON request per POST. GET never changes anything: it only ever answers 409/405.
/// </summary>
public sealed class RpcEndpoint
{
    public const string Path = "/transmission/rpc";
    public const string SessionHeader = "X-Transmission-Session-Id";
    private const int MaxBody = RpcHandler.MaxTorrentBytes / 3 * 4 + 64 * 1024;
    private readonly RpcHandler _handler;
    private readonly RpcAccess _access;
    private readonly ILogger _log;

    public RpcEndpoint(RpcHandler handler, RpcAccess access, ILogger log)
    {
        _handler = handler;
        _access = access;
        _log = log;
    }

    /// <summary>A fresh random id for each daemon run.</summary>
    public static string NewSessionId() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', 'x').Replace('/', 'y');

    public string SessionId { get; } = NewSessionId();

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.Headers.CacheControl = "no-store";
        if (_access.Check(context) is { } refused)
        {
            response.StatusCode = refused;
            await response.WriteAsync(refused switch
            {
                401 => "401: Unauthorized",
                403 => "403: Forbidden (only loopback clients, unless --rpc-user/--rpc-password or --allow is set)",
                _ => "421: use an IP address or localhost to reach this server",
            }).ConfigureAwait(false);
            return;
        }
        if (!string.Equals(context.Request.Headers[SessionHeader], SessionId, StringComparison.Ordinal))
        {
            response.StatusCode = StatusCodes.Status409Conflict;
            response.Headers[SessionHeader] = SessionId;
            await response.WriteAsync($"409: Conflict\n{SessionHeader}: {SessionId}\n").ConfigureAwait(false);
            return;
        }
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "POST";
            return;
        }
        response.Headers[SessionHeader] = SessionId;
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (body is null)
        {
            response.StatusCode = StatusCodes.Status400BadRequest;
            await response.WriteAsync("400: the body must be one JSON object").ConfigureAwait(false);
            return;
        }
        var reply = new JsonObject();
        var tag = body["tag"];
        string method = body["method"] is JsonValue m && m.GetValueKind() == JsonValueKind.String ? m.GetValue<string>() : "";
        try
        {
            var args = body["arguments"] as JsonObject;
            reply["arguments"] = await _handler.InvokeAsync(method, args).ConfigureAwait(false);
            reply["result"] = "success";
        }
        catch (RpcException ex)
        {
            reply["arguments"] = new JsonObject();
            reply["result"] = ex.Message;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            _log.LogWarning("rpc {Method} failed: {Error}", method, ex.Message);
            reply["arguments"] = new JsonObject();
            reply["result"] = ex.Message;
        }
        if (tag is JsonValue t && t.GetValueKind() == JsonValueKind.Number)
        {
            reply["tag"] = t.DeepClone();
        }
        response.ContentType = "application/json; charset=UTF-8";
        await response.WriteAsync(reply.ToJsonString()).ConfigureAwait(false);
    }

    private static async Task<JsonObject?> ReadBodyAsync(HttpContext context)
    {
        if (context.Request.ContentLength > MaxBody)
        {
            return null;
        }
        try
        {
            using var buffer = new MemoryStream();
            var stream = context.Request.Body;
            byte[] chunk = new byte[16 * 1024];
            int n;
            while ((n = await stream.ReadAsync(chunk, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > MaxBody)
                {
                    return null;
                }
                buffer.Write(chunk, 0, n);
            }
            return JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), documentOptions: new JsonDocumentOptions { MaxDepth = 64 }) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}

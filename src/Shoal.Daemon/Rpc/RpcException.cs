namespace Shoal.Daemon.Rpc;

/// <summary>A request that fails as a whole: its message becomes the response's <c>result</c> string.</summary>
public sealed class RpcException(string message) : Exception(message);

using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Dht;

public sealed partial class DhtNode
{
    private readonly ConcurrentDictionary<ushort, PendingQuery> _pending = new();
    private int _nextTransaction = Random.Shared.Next(ushort.MaxValue);
    private long _handlerErrors, _received, _sent, _malformed, _rateLimited, _oversized, _answered, _timedOut;

    /// <summary>The last exception a datagram handler threw (a bug); for diagnostics.</summary>
    public Exception? LastHandlerError { get; private set; }

    private sealed class PendingQuery(IPEndPoint endPoint, KrpcMethod method)
    {
        public IPEndPoint EndPoint { get; } = endPoint;

        public KrpcMethod Method { get; } = method;

        public TaskCompletionSource<KrpcMessage?> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>
    /// The single receive loop: every datagram is size-checked, decoded, then either matched to a pending query
    /// (by transaction id and source endpoint) or answered as a query. Bad input is counted and dropped.
    /// </summary>
    private async Task ReceiveLoopAsync(CancellationToken ct)
    {
        var buffer = new byte[65536];
        EndPoint any = _socket!.AddressFamily == AddressFamily.InterNetwork
            ? new IPEndPoint(IPAddress.Any, 0)
            : new IPEndPoint(IPAddress.IPv6Any, 0);
        while (!ct.IsCancellationRequested)
        {
            SocketReceiveFromResult r;
            try
            {
                r = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue; // ICMP errors surface here on some platforms; the socket itself is fine
            }
            Interlocked.Increment(ref _received);
            var from = CompactFormat.Normalize((IPEndPoint)r.RemoteEndPoint);
            if (r.ReceivedBytes > _options.MaxPacketSize)
            {
                Interlocked.Increment(ref _oversized);
                continue;
            }
            try
            {
                await HandleDatagramAsync(buffer.AsMemory(0, r.ReceivedBytes), from, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                // a failed reply send concerns one peer only
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A bug triggered by one datagram must not deafen the node: count it, keep the last for diagnosis.
                Interlocked.Increment(ref _handlerErrors);
                LastHandlerError = e;
            }
        }
    }

    private async Task HandleDatagramAsync(ReadOnlyMemory<byte> data, IPEndPoint from, CancellationToken ct)
    {
        if (!KrpcCodec.TryDecode(data, out var message, out _))
        {
            Interlocked.Increment(ref _malformed);
            lock (_gate)
            {
                _limiter.TryTake(from.Address, _options.MalformedPenalty, Now);
            }
            return;
        }
        switch (message)
        {
            case KrpcQuery query:
                await HandleQueryAsync(query, from, ct).ConfigureAwait(false);
                break;
            default:
                CompletePending(message!, from);
                break;
        }
    }

    private void CompletePending(KrpcMessage message, IPEndPoint from)
    {
        if (message.TransactionId.Length != 2)
        {
            return; // ours are always two bytes
        }
        ushort tid = BinaryPrimitives.ReadUInt16BigEndian(message.TransactionId);
        if (!_pending.TryGetValue(tid, out var pending) || !pending.EndPoint.Equals(from))
        {
            return; // unsolicited, late, or spoofed from another address
        }
        if (_pending.TryRemove(new KeyValuePair<ushort, PendingQuery>(tid, pending)))
        {
            if (message is KrpcResponse response)
            {
                OnResponse(response, from);
            }
            pending.Completion.TrySetResult(message);
        }
    }

    /// <summary>
    /// Sends a query and waits for its reply: a <see cref="KrpcResponse"/>, a <see cref="KrpcError"/>, or null on
    /// timeout (which counts as a failure of that node in the routing table).
    /// </summary>
    private async Task<KrpcMessage?> QueryAsync(IPEndPoint to, Func<byte[], KrpcQuery> build, CancellationToken ct)
    {
        to = CompactFormat.Normalize(to);
        if (to.AddressFamily != LocalEndPoint.AddressFamily)
        {
            return null;
        }
        ushort tid;
        PendingQuery pending;
        do
        {
            tid = (ushort)Interlocked.Increment(ref _nextTransaction);
            pending = new PendingQuery(to, KrpcMethod.Unknown);
        }
        while (!_pending.TryAdd(tid, pending));
        var tidBytes = new byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(tidBytes, tid);
        var query = build(tidBytes) with { Version = _options.Version };
        using var timeout = new CancellationTokenSource(_options.QueryTimeout, _options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, ct, _stopping.Token);
        try
        {
            await SendAsync(KrpcCodec.Encode(query), to, linked.Token).ConfigureAwait(false);
            return await pending.Completion.Task.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            Interlocked.Increment(ref _timedOut);
            lock (_gate)
            {
                _table.RecordFailure(to, Now);
            }
            return null;
        }
        catch (SocketException)
        {
            lock (_gate)
            {
                _table.RecordFailure(to, Now);
            }
            return null;
        }
        catch (ObjectDisposedException)
        {
            return null; // the node is shutting down under a running lookup
        }
        finally
        {
            _pending.TryRemove(new KeyValuePair<ushort, PendingQuery>(tid, pending));
        }
    }

    private async ValueTask SendAsync(byte[] datagram, IPEndPoint to, CancellationToken ct)
    {
        await _socket!.SendToAsync(datagram, SocketFlags.None, to, ct).ConfigureAwait(false);
        Interlocked.Increment(ref _sent);
    }

    private DhtCounters Counters() => new(
        Interlocked.Read(ref _received), Interlocked.Read(ref _sent), Interlocked.Read(ref _malformed),
        Interlocked.Read(ref _rateLimited), Interlocked.Read(ref _oversized), Interlocked.Read(ref _answered),
        Interlocked.Read(ref _timedOut), Interlocked.Read(ref _handlerErrors));
}

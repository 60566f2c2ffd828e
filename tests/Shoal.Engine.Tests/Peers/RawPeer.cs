using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Shoal.Protocol;

namespace Shoal.Engine.Tests.Peers;

/// <summary>A scripted peer on a raw socket, for driving an engine with exact bytes (including wrong ones).</summary>
internal sealed class RawPeer : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;

    private RawPeer(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
    }

    public static async Task<RawPeer> ConnectAsync(int port)
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await s.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return new RawPeer(s);
    }

    public static RawPeer FromAccepted(Socket s) => new(s);

    public static byte[] Handshake(InfoHash hash, PeerId id)
    {
        var hs = new byte[68];
        hs[0] = 19;
        Encoding.ASCII.GetBytes("BitTorrent protocol").CopyTo(hs, 1);
        hash.Span.CopyTo(hs.AsSpan(28));
        id.Span.CopyTo(hs.AsSpan(48));
        return hs;
    }

    public Task SendAsync(byte[] bytes) => _stream.WriteAsync(bytes).AsTask();

    public Task SendMessageAsync(byte id, params int[] ints)
    {
        var m = new byte[5 + ints.Length * 4];
        BinaryPrimitives.WriteInt32BigEndian(m, 1 + ints.Length * 4);
        m[4] = id;
        for (int i = 0; i < ints.Length; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(m.AsSpan(5 + i * 4), ints[i]);
        }
        return SendAsync(m);
    }

    public Task SendPieceAsync(int piece, int begin, byte[] block)
    {
        var m = new byte[13 + block.Length];
        BinaryPrimitives.WriteInt32BigEndian(m, 9 + block.Length);
        m[4] = 7;
        BinaryPrimitives.WriteInt32BigEndian(m.AsSpan(5), piece);
        BinaryPrimitives.WriteInt32BigEndian(m.AsSpan(9), begin);
        block.CopyTo(m, 13);
        return SendAsync(m);
    }

    public Task SendBitfieldAsync(byte[] bits)
    {
        var m = new byte[5 + bits.Length];
        BinaryPrimitives.WriteInt32BigEndian(m, 1 + bits.Length);
        m[4] = 5;
        bits.CopyTo(m, 5);
        return SendAsync(m);
    }

    /// <summary>Reads exactly n bytes; null if the connection closed first.</summary>
    public async Task<byte[]?> ReadAsync(int n, TimeSpan timeout)
    {
        var buf = new byte[n];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            int got = await _stream.ReadAtLeastAsync(buf, n, throwOnEndOfStream: false, cts.Token);
            return got < n ? null : buf;
        }
        catch (IOException)
        {
            return null; // reset by the engine: closed
        }
    }

    /// <summary>Reads one message: (id, body); id -1 is keep-alive; null when the connection closed.</summary>
    public async Task<(int Id, byte[] Body)?> ReadMessageAsync(TimeSpan timeout)
    {
        var len = await ReadAsync(4, timeout);
        if (len is null)
        {
            return null;
        }
        int n = BinaryPrimitives.ReadInt32BigEndian(len);
        if (n == 0)
        {
            return (-1, []);
        }
        var body = await ReadAsync(n, timeout);
        return body is null ? null : (body[0], body[1..]);
    }

    /// <summary>Reads until the engine closes the connection (true) or the timeout passes (false).</summary>
    public async Task<bool> WaitForCloseAsync(TimeSpan timeout)
    {
        var buf = new byte[64 * 1024];
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                int n = await _stream.ReadAsync(buf, cts.Token);
                if (n == 0)
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        return ValueTask.CompletedTask;
    }
}

using System.Buffers.Binary;
using System.Net.Sockets;

namespace Shoal.Interop.Tests.Infrastructure;

public sealed partial class HostilePeer
{
    private async Task PlayAsync(NetworkStream stream, int id, CancellationToken ct)
    {
        switch (Scenario)
        {
            case HostileScenario.WrongInfoHash:
                await SendAsync(stream, ct, Handshake(wrongInfoHash: true));
                Log($"#{id} sent a handshake with the wrong info hash");
                break;
            case HostileScenario.HugeLengthPrefix:
                var huge = new byte[5 + 1024];
                BinaryPrimitives.WriteUInt32BigEndian(huge, uint.MaxValue);
                huge[4] = 7;
                await SendAsync(stream, ct, Handshake(false), huge);
                Log($"#{id} sent a 0xFFFFFFFF length prefix");
                break;
            case HostileScenario.BitfieldWrongSize:
                await SendAsync(stream, ct, Handshake(false), FullBitfield(extraBytes: 1));
                Log($"#{id} sent a bitfield one byte too long");
                break;
            case HostileScenario.BitfieldSpareBits:
                await SendAsync(stream, ct, Handshake(false), FullBitfield(spareBits: true));
                Log($"#{id} sent a bitfield with spare bits set");
                break;
            case HostileScenario.HaveOutOfRange:
                await SendAsync(stream, ct, Handshake(false), Ints(4, Torrent.PieceCount));
                Log($"#{id} sent have({Torrent.PieceCount}) for a torrent of {Torrent.PieceCount} pieces");
                break;
            case HostileScenario.RequestTooLarge:
                await RequestTooLargeAsync(stream, id, ct);
                break;
            case HostileScenario.UnrequestedPiece:
                // The block goes out while Shoal is still choked by us, so it cannot have requested it (no fast
                // extension either): sending it after an unchoke raced with a real request for piece 0.
                await SendAsync(stream, ct, Handshake(false), FullBitfield(), PieceMessage(0, 0, Block), Message(1, []));
                Log($"#{id} sent bitfield, a block of piece 0 that was never requested, then unchoke");
                break;
            case HostileScenario.SplitAndChained:
                await ServeFragmentedAsync(stream, id, ct);
                break;
        }
    }

    /// <summary>Declares interest, waits (bounded) for an unchoke, then asks for 32 KiB in one request.</summary>
    private async Task RequestTooLargeAsync(NetworkStream stream, int id, CancellationToken ct)
    {
        await SendAsync(stream, ct, Handshake(false), Message(2, []));
        Log($"#{id} sent interested; waiting for unchoke");
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(TimeSpan.FromSeconds(20));
        try
        {
            while (true)
            {
                var (msgId, _) = await ReadMessageAsync(stream, wait.Token);
                if (msgId == 1)
                {
                    Log($"#{id} unchoked");
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            Log($"#{id} no unchoke within 20 s; requesting anyway");
        }
        await SendAsync(stream, ct, Ints(6, 0, 0, 2 * Block));
        Log($"#{id} sent request(0, 0, {2 * Block})");
    }

    /// <summary>
    /// An honest seeder whose bytes arrive in awkward shapes: every write is cut at random points (so length prefixes
    /// and headers straddle reads), and answers to several requests plus keep-alives are chained into one buffer.
    /// </summary>
    private async Task ServeFragmentedAsync(NetworkStream stream, int id, CancellationToken ct)
    {
        var rng = new Random(id);
        var opening = Concat([Handshake(false), FullBitfield(), new byte[4], Message(1, [])]);
        await WriteFragmentedAsync(stream, opening, rng, ct);
        Log($"#{id} sent handshake, bitfield, keep-alive, unchoke (fragmented)");
        var pending = new List<byte[]>();
        while (true)
        {
            var (msgId, payload) = await ReadMessageAsync(stream, ct);
            if (msgId == 6 && payload.Length == 12)
            {
                int index = BinaryPrimitives.ReadInt32BigEndian(payload);
                int begin = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4));
                int length = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(8));
                long at = (long)index * Torrent.PieceLength + begin;
                if (index < 0 || index >= Torrent.PieceCount || begin < 0 || length <= 0 || length > Block
                    || begin + length > Torrent.PieceLength || at + length > Torrent.TotalLength)
                {
                    Log($"#{id} ignoring bad request({index}, {begin}, {length})");
                    continue;
                }
                pending.Add(PieceMessage(index, begin, length));
                Interlocked.Add(ref _bytesServed, length);
            }
            if (pending.Count > 0 && (stream.DataAvailable == false || pending.Count >= 8))
            {
                // Chain the answers with keep-alives between them, then cut the whole buffer at random points.
                var chained = Concat(pending.SelectMany(p => new[] { p, new byte[4] }));
                pending.Clear();
                await WriteFragmentedAsync(stream, chained, rng, ct);
            }
        }
    }

    private static async Task WriteFragmentedAsync(NetworkStream stream, byte[] data, Random rng, CancellationToken ct)
    {
        for (int at = 0, writes = 0; at < data.Length; writes++)
        {
            int n = Math.Min(data.Length - at, rng.Next(4) == 0 ? rng.Next(1, 6) : rng.Next(1, 4000));
            await stream.WriteAsync(data.AsMemory(at, n), ct);
            await stream.FlushAsync(ct);
            at += n;
            if (writes % 16 == 0)
            {
                await Task.Delay(1, ct); // let the segment go out on its own
            }
        }
    }

    private byte[] PieceMessage(int index, int begin, int length)
    {
        var payload = new byte[8 + length];
        BinaryPrimitives.WriteInt32BigEndian(payload, index);
        BinaryPrimitives.WriteInt32BigEndian(payload.AsSpan(4), begin);
        Content.AsSpan((int)((long)index * Torrent.PieceLength + begin), length).CopyTo(payload.AsSpan(8));
        return Message(7, payload);
    }

    /// <summary>Reads one message from the client; id -1 is a keep-alive. Refuses absurd lengths from the client.</summary>
    private static async Task<(int Id, byte[] Payload)> ReadMessageAsync(NetworkStream stream, CancellationToken ct)
    {
        var header = new byte[4];
        await stream.ReadExactlyAsync(header, ct);
        uint length = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (length == 0)
        {
            return (-1, []);
        }
        if (length > 1024 * 1024)
        {
            throw new InvalidDataException($"client sent a message of {length} bytes");
        }
        var body = new byte[length];
        await stream.ReadExactlyAsync(body, ct);
        return (body[0], body[1..]);
    }

    private static byte[] Concat(IEnumerable<byte[]> parts)
    {
        var list = parts.ToList();
        var all = new byte[list.Sum(p => p.Length)];
        int at = 0;
        foreach (var p in list)
        {
            p.CopyTo(all, at);
            at += p.Length;
        }
        return all;
    }
}

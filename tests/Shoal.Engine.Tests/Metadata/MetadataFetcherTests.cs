using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Shoal.Engine.Metadata;
using Shoal.Protocol;
using Shoal.Protocol.Extensions;
using Shoal.Protocol.PeerWire;

namespace Shoal.Engine.Tests.Metadata;

public class MetadataFetcherTests
{
    private static readonly byte[] Info = Enumerable.Range(0, 40000).Select(i => (byte)(i % 251)).ToArray();
    private static readonly InfoHash Hash = InfoHash.Compute(Info);

    [Fact]
    public async Task Fetches_and_verifies_from_one_peer()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var seed = new MetadataSeed(Info, corrupt: false);
        var fetcher = new MetadataFetcher(Hash, PeerId.CreateRandom());
        var result = await fetcher.FetchAsync([seed.EndPoint], [], cts.Token);
        Assert.Equal(Info, result.RawInfo.ToArray());
        Assert.Equal([seed.EndPoint], result.Peers);
    }

    [Fact]
    public async Task A_lying_peer_does_not_stop_the_download()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var liar = new MetadataSeed(Info, corrupt: true);
        await using var honest = new MetadataSeed(Info, corrupt: false);
        var fetcher = new MetadataFetcher(Hash, PeerId.CreateRandom(), new MetadataFetchOptions { MaxRequestsPerPeer = 1 });
        var result = await fetcher.FetchAsync([liar.EndPoint, honest.EndPoint], [], cts.Token);
        Assert.Equal(Info, result.RawInfo.ToArray());
        Assert.DoesNotContain(honest.EndPoint, fetcher.Banned);
    }

    [Fact]
    public async Task A_lone_liar_is_banned_after_the_single_source_retry()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var liar = new MetadataSeed(Info, corrupt: true);
        var fetcher = new MetadataFetcher(Hash, PeerId.CreateRandom());
        await Assert.ThrowsAsync<MetadataFetchException>(() => fetcher.FetchAsync([liar.EndPoint], [], cts.Token));
        Assert.Equal([liar.EndPoint], fetcher.Banned);
    }

    [Fact]
    public async Task Gives_up_when_no_peer_can_help()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var ep = (IPEndPoint)closed.LocalEndpoint;
        closed.Stop(); // nothing listens there any more
        var fetcher = new MetadataFetcher(Hash, PeerId.CreateRandom());
        var ex = await Assert.ThrowsAsync<MetadataFetchException>(() => fetcher.FetchAsync([ep], [], cts.Token));
        Assert.Contains("none of the 1 peers", ex.Message);
        await Assert.ThrowsAsync<MetadataFetchException>(() => new MetadataFetcher(Hash, PeerId.CreateRandom()).FetchAsync([], [], cts.Token));
    }

    /// <summary>A loopback peer that only serves metadata (optionally with one byte flipped in every piece).</summary>
    private sealed class MetadataSeed : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _cts = new();
        private readonly Task _loop;

        public MetadataSeed(byte[] info, bool corrupt)
        {
            _listener.Start();
            EndPoint = (IPEndPoint)_listener.LocalEndpoint;
            _loop = Task.Run(() => AcceptAsync(info, corrupt));
        }

        public IPEndPoint EndPoint { get; }

        private async Task AcceptAsync(byte[] info, bool corrupt)
        {
            try
            {
                while (true)
                {
                    var client = await _listener.AcceptTcpClientAsync(_cts.Token);
                    _ = Task.Run(() => ServeAsync(client, info, corrupt));
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        private async Task ServeAsync(TcpClient client, byte[] info, bool corrupt)
        {
            using var owned = client;
            var stream = client.GetStream();
            try
            {
                byte[] hs = new byte[Handshake.Length];
                await stream.ReadExactlyAsync(hs, _cts.Token);
                byte[] reply = new byte[Handshake.Length];
                new Handshake(ReservedBits.Shoal, new InfoHash(hs.AsSpan(28, 20)), PeerId.CreateRandom()).Write(reply);
                await stream.WriteAsync(reply, _cts.Token);
                var ext = new ExtensionHandshake { Messages = new Dictionary<string, byte> { ["ut_metadata"] = 3 }, MetadataSize = info.Length };
                await WriteAsync(stream, PeerMessage.Extended(0, ext.Encode()));
                await WriteAsync(stream, PeerMessage.HaveAll);
                byte[] served = (byte[])info.Clone();
                if (corrupt)
                {
                    served[^1] ^= 0xff;
                }
                var server = new MetadataServer(served, isPrivate: false);
                byte[] lengthPrefix = new byte[4];
                while (true)
                {
                    await stream.ReadExactlyAsync(lengthPrefix, _cts.Token);
                    int length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(lengthPrefix);
                    Assert.InRange(length, 0, 1 << 20);
                    byte[] body = new byte[length];
                    await stream.ReadExactlyAsync(body, _cts.Token);
                    if (length < 2 || body[0] != 20 || body[1] != 3)
                    {
                        continue; // only ut_metadata (the id this seed asked for is 3) interests it
                    }
                    Assert.True(UtMetadata.TryDecode(new ReadOnlySequence<byte>(body, 2, length - 2), out var m, out _));
                    if (server.Respond(m) is { } answer)
                    {
                        await WriteAsync(stream, PeerMessage.Extended(LocalExtensions.UtMetadataId, answer));
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or EndOfStreamException or ObjectDisposedException)
            {
            }
        }

        private async Task WriteAsync(Stream stream, PeerMessage message)
        {
            var writer = new ArrayBufferWriter<byte>();
            PeerMessageWriter.Write(writer, message);
            await stream.WriteAsync(writer.WrittenMemory, _cts.Token);
        }

        public async ValueTask DisposeAsync()
        {
            await _cts.CancelAsync();
            _listener.Stop();
            await _loop;
            _cts.Dispose();
        }
    }
}

using System.Net;
using System.Net.Sockets;
using Shoal.Interop.Tests.Infrastructure;
using Shoal.Interop.Tests.Swarm;

namespace Shoal.Interop.Tests.Magnet;

/// <summary>
/// A libtorrent seeder that dials <c>shoal download MAGNET</c> while Shoal is still fetching the metadata: the
/// incoming connection is used for the fetch (not refused as an unknown torrent), then the download completes.
/// </summary>
[Collection(SwarmScope.Collection)]
public sealed class IncomingDuringFetchInteropTests
{
    [Fact]
    public async Task Libtorrent_dialling_in_during_a_magnet_fetch_supplies_the_metadata()
    {
        using var scope = new SwarmScope("shoal-magnet-in");
        var payload = await TestSwarms.SingleFileAsync(scope, seed: 81);
        // The magnet's only x.pe peer answers the BEP 3 handshake (with the extension bit) and then says nothing, so
        // the fetch keeps waiting on it: the metadata can only come from the peer that dials in.
        using var mute = new MutePeer(Convert.FromHexString(payload.Torrent.InfoHash));
        int port = Ports.Free();
        string outDir = scope.Dir.Sub("shoal-out");
        string magnet = $"magnet:?xt=urn:btih:{payload.Torrent.InfoHash}&x.pe=127.0.0.1:{mute.Port}";
        var shoal = scope.Add("shoal download", ShoalProcess.Start(["download", magnet, "-o", outDir, "--port", $"{port}", "--verbose", "--no-dht"]));
        await shoal.WaitForPortAsync();
        scope.Add("libtorrent seeder (dials shoal)", await LibtorrentPeer.StartSeederAsync(payload.Torrent.TorrentPath, payload.SaveDir,
            peers: [$"127.0.0.1:{port}"]));

        await scope.Expect("shoal magnet download", () => shoal.WaitForExitAsync(SwarmScope.TransferTimeout));
        TestSwarms.AssertShoalDownloaded(scope, shoal, payload, outDir);
        Assert.True(shoal.Output.Contains("connected to us", StringComparison.Ordinal),
            $"shoal's log does not show the fetch taking the incoming connection\n{scope.Report()}");
    }

    /// <summary>Accepts connections, answers the handshake for one info hash, then holds them open in silence.</summary>
    private sealed class MutePeer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly List<Socket> _held = [];

        public MutePeer(byte[] infoHash)
        {
            _listener.Start();
            _ = Task.Run(() => AcceptAsync(infoHash));
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        private async Task AcceptAsync(byte[] infoHash)
        {
            try
            {
                while (true)
                {
                    var s = await _listener.AcceptSocketAsync(_stop.Token);
                    lock (_held)
                    {
                        _held.Add(s);
                    }
                    var theirs = new byte[68];
                    await s.ReceiveAsync(theirs.AsMemory(), _stop.Token); // contents do not matter
                    var hs = new byte[68];
                    hs[0] = 19;
                    "BitTorrent protocol"u8.CopyTo(hs.AsSpan(1));
                    hs[25] = 0x10; // extension protocol
                    infoHash.CopyTo(hs, 28);
                    "-XX0000-mutemutemute"u8.CopyTo(hs.AsSpan(48));
                    await s.SendAsync(hs, _stop.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_held)
            {
                _held.ForEach(s => s.Dispose());
            }
            _stop.Dispose();
        }
    }
}

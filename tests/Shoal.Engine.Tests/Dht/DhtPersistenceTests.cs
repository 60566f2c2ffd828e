using Shoal.Engine.Dht;
using Shoal.Protocol.Dht;

namespace Shoal.Engine.Tests.Dht;

public sealed class DhtPersistenceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("shoal-dht-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Routing_table_is_saved_on_stop_and_reused_on_start()
    {
        var ct = DhtTestNodes.Deadline();
        string path = Path.Combine(_dir, "sub", "dht.dat");
        var peers = new List<DhtNode>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                peers.Add(await DhtTestNodes.StartAsync());
            }
            NodeId savedId;
            await using (var node = await DhtTestNodes.StartAsync(DhtTestNodes.Options(path)))
            {
                await node.BootstrapAsync(peers.Select(p => (System.Net.EndPoint)p.LocalEndPoint), ct);
                Assert.Equal(5, node.Snapshot().Nodes);
                savedId = node.Id;
            }
            Assert.True(File.Exists(path));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
            Assert.True(RoutingTableFile.TryLoad(path, out var fileId, out var saved));
            Assert.Equal(savedId, fileId);
            Assert.Equal(peers.Select(p => p.LocalEndPoint).OrderBy(e => e.Port), saved.Select(n => n.EndPoint).OrderBy(e => e.Port));

            await using var again = await DhtTestNodes.StartAsync(DhtTestNodes.Options(path));
            Assert.Equal(savedId, again.Id);
            Assert.Equal(5, await again.BootstrapAsync(ct: ct)); // no bootstrap endpoints: only the saved contacts
        }
        finally
        {
            await Task.WhenAll(peers.Select(p => p.DisposeAsync().AsTask()));
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not bencode")]
    [InlineData("d2:id3:abce")]
    [InlineData("li1ee")]
    public void Damaged_table_file_is_ignored(string content)
    {
        string path = Path.Combine(_dir, "bad.dat");
        File.WriteAllText(path, content);
        Assert.False(RoutingTableFile.TryLoad(path, out _, out _));
    }

    [Fact]
    public void Missing_table_file_is_not_an_error() => Assert.False(RoutingTableFile.TryLoad(Path.Combine(_dir, "none"), out _, out _));
}

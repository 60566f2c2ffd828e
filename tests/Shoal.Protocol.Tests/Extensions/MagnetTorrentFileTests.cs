using Shoal.Bencoding;
using Shoal.Protocol.Extensions;
using Shoal.Protocol.Metainfo;

namespace Shoal.Protocol.Tests.Extensions;

public class MagnetTorrentFileTests
{
    // Keys deliberately out of canonical order: a re-encoding would change the hash.
    private static readonly byte[] Info = "d6:lengthi5e4:name1:a12:piece lengthi16384e6:pieces20:AAAAAAAAAAAAAAAAAAAA4:zzzzi1e7:privatei0ee"u8.ToArray();

    [Fact]
    public void Keeps_the_info_bytes_so_the_hash_matches()
    {
        byte[] file = MagnetTorrentFile.Build(Info, ["http://t1/announce", "udp://t2:80", "http://t1/announce"]);
        var meta = TorrentMetainfo.Parse(file);
        Assert.Equal(InfoHash.Compute(Info), meta.InfoHash);
        Assert.Equal(Info, meta.RawInfo.ToArray());
        Assert.Equal([["http://t1/announce"], ["udp://t2:80"]], meta.AnnounceTiers.Select(t => t.ToArray()).ToArray());
        var dict = BencodeReader.DecodeDictionary(file);
        Assert.Equal("http://t1/announce", dict.Get<BString>("announce")!.ToUtf8String());
    }

    [Fact]
    public void Without_trackers_only_the_info_is_written()
    {
        byte[] file = MagnetTorrentFile.Build(Info, []);
        Assert.Equal([.. "d4:info"u8, .. Info, (byte)'e'], file);
    }
}

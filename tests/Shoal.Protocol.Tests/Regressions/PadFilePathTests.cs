using Shoal.Bencoding;
using static Shoal.Protocol.Tests.Regressions.HostileTorrent;

namespace Shoal.Protocol.Tests.Regressions;

/// <summary>
/// Found by fuzzing (metainfo target): a pad file whose <c>path</c> is an empty list, or one that sanitising empties,
/// was accepted with no path components at all, because pad files skip the pass that gives empty paths a name.
/// Storage then refused the whole torrent ("file has an empty path").
/// </summary>
public class PadFilePathTests
{
    private static byte[] WithPad(BValue[] padPath)
    {
        var info = MultiFileInfo("t", (P("a"), 20_000), (P("b"), 5));
        var files = (BList)info.Get("files")!;
        var pad = new BDictionary { ["attr"] = new BString("p"), ["length"] = new BInteger(16379), ["path"] = new BList(padPath) };
        var withPad = new BList([files[0], pad, files[1]]);
        info["files"] = withPad;
        info["pieces"] = new BString(new byte[20 * 3]);
        return Torrent(info);
    }

    [Fact]
    public void Pad_file_with_an_empty_path_gets_a_name()
    {
        AssertRefusedOrNeutralised(WithPad([]));
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("")]
    public void Pad_file_whose_path_sanitises_to_nothing_gets_a_name(string component)
    {
        AssertRefusedOrNeutralised(WithPad(P(component, component)));
    }

    [Fact]
    public void Pad_file_without_a_path_key_still_parses()
    {
        var info = MultiFileInfo("t", (P("a"), 20_000), (P("b"), 5));
        var files = (BList)info.Get("files")!;
        info["files"] = new BList([files[0], new BDictionary { ["attr"] = new BString("p"), ["length"] = new BInteger(16379) }, files[1]]);
        info["pieces"] = new BString(new byte[20 * 3]);
        var torrent = ParseMeasured(Torrent(info), out _);
        Assert.NotNull(torrent);
        Assert.NotEmpty(torrent.Files[1].PathComponents);
        AssertRefusedOrNeutralised(Torrent(info));
    }
}

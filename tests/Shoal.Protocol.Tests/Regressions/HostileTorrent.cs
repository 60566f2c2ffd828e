using System.Text;
using Shoal.Bencoding;
using Shoal.Protocol.Metainfo;

namespace Shoal.Protocol.Tests.Regressions;

/// <summary>Builds hostile torrents and checks the only two acceptable outcomes: refused, or neutralised.</summary>
internal static class HostileTorrent
{
    public const long AllocationBudget = 16 * 1024 * 1024;

    public static readonly string Root = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "shoal-hostile-root"));

    public static BDictionary MultiFileInfo(string name, params (BValue[] Path, long Length)[] files)
    {
        var list = new BList();
        long total = 0;
        foreach (var (path, length) in files)
        {
            list.Add(new BDictionary { ["length"] = new BInteger(length), ["path"] = new BList(path) });
            total += length;
        }
        return new BDictionary
        {
            ["name"] = new BString(name),
            ["piece length"] = new BInteger(16384),
            ["files"] = list,
            ["pieces"] = new BString(new byte[20 * (int)Math.Max(1, (total + 16383) / 16384)]),
        };
    }

    public static BValue[] P(params string[] components) => [.. components.Select(c => (BValue)new BString(c))];

    public static byte[] Torrent(BDictionary info) => BencodeWriter.Encode(new BDictionary { ["info"] = info });

    /// <summary>Parses and measures; returns the torrent or null when it was refused with <see cref="MetainfoException"/>.</summary>
    public static TorrentMetainfo? ParseMeasured(byte[] bytes, out long allocated)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            return TorrentMetainfo.Parse(bytes);
        }
        catch (MetainfoException)
        {
            return null;
        }
        finally
        {
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }
    }

    /// <summary>Refused, or every file lands under the download folder with safe, distinct components.</summary>
    public static void AssertRefusedOrNeutralised(byte[] bytes)
    {
        var torrent = ParseMeasured(bytes, out long allocated);
        Assert.True(allocated < AllocationBudget, $"allocated {allocated} bytes for a {bytes.Length}-byte torrent");
        if (torrent is null)
        {
            return;
        }
        AssertSafeComponent(torrent.Name);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in torrent.Files)
        {
            Assert.NotEmpty(file.PathComponents);
            foreach (var component in file.PathComponents)
            {
                AssertSafeComponent(component);
            }
            string full = Path.GetFullPath(Path.Combine([Root, torrent.Name, .. file.PathComponents]));
            Assert.StartsWith(Root + Path.DirectorySeparatorChar + torrent.Name, full, StringComparison.Ordinal);
            if (!file.IsPadding)
            {
                Assert.True(seen.Add(file.Path), $"two files share the path '{file.Path}'");
            }
        }
    }

    private static void AssertSafeComponent(string c)
    {
        Assert.False(string.IsNullOrEmpty(c));
        Assert.NotEqual(".", c);
        Assert.NotEqual("..", c);
        Assert.True(c.IndexOfAny(['/', '\\', '\0']) < 0, $"component '{c.Replace("\0", "\\0", StringComparison.Ordinal)}' has a separator or NUL");
        Assert.False(c.Length >= 2 && c[1] == ':', $"component '{c}' looks like a drive");
        Assert.True(Encoding.UTF8.GetByteCount(c) <= 255, $"component of {Encoding.UTF8.GetByteCount(c)} UTF-8 bytes");
    }
}

using Shoal.Engine.Storage;

namespace Shoal.Engine.Tests.Storage;

public class DataDeletionTests
{
    [Fact]
    public void Deletes_the_torrent_files_and_its_emptied_folders_but_not_others()
    {
        using var root = new TempFolder();
        var (meta, _) = TestTorrent.Create("album", 16 * 1024,
            [new TestTorrent.Spec("cd1/a.bin", 1000), new TestTorrent.Spec("cd2/b.bin", 2000), new TestTorrent.Spec("c.bin", 10)]);
        string album = Path.Combine(root.Path, "album");
        Directory.CreateDirectory(Path.Combine(album, "cd1"));
        Directory.CreateDirectory(Path.Combine(album, "cd2"));
        File.WriteAllBytes(Path.Combine(album, "cd1", "a.bin"), new byte[1000]);
        File.WriteAllBytes(Path.Combine(album, "cd2", "b.bin"), new byte[10]);
        // c.bin was never written; a stranger's file shares cd2; another torrent's file sits next to the album.
        File.WriteAllText(Path.Combine(album, "cd2", "notes.txt"), "mine");
        File.WriteAllText(Path.Combine(root.Path, "other.iso"), "other");
        using (var store = TorrentStorage.OpenForChecking(meta, root.Path))
        {
            Assert.Equal(2, DataDeletion.Delete(store));
        }

        Assert.False(File.Exists(Path.Combine(album, "cd1", "a.bin")));
        Assert.False(Directory.Exists(Path.Combine(album, "cd1")));
        Assert.False(File.Exists(Path.Combine(album, "cd2", "b.bin")));
        Assert.True(File.Exists(Path.Combine(album, "cd2", "notes.txt")));
        Assert.True(Directory.Exists(album));
        Assert.True(File.Exists(Path.Combine(root.Path, "other.iso")));
        Assert.True(Directory.Exists(root.Path));
    }

    [Fact]
    public void Single_file_torrent_leaves_the_download_folder()
    {
        using var root = new TempFolder();
        var (meta, _) = TestTorrent.Single("movie.mkv", 16 * 1024, 100);
        File.WriteAllBytes(Path.Combine(root.Path, "movie.mkv"), new byte[100]);
        using (var store = TorrentStorage.OpenForChecking(meta, root.Path))
        {
            Assert.Equal(1, DataDeletion.Delete(store));
        }
        Assert.False(File.Exists(Path.Combine(root.Path, "movie.mkv")));
        Assert.True(Directory.Exists(root.Path));
    }

    [Fact]
    public void A_symbolic_link_in_the_tree_is_not_followed()
    {
        using var root = new TempFolder();
        using var outside = new TempFolder();
        string victim = Path.Combine(outside.Path, "a.bin");
        File.WriteAllText(victim, "precious");
        var (meta, _) = TestTorrent.Create("t", 16 * 1024, [new TestTorrent.Spec("sub/a.bin", 8), new TestTorrent.Spec("b.bin", 8)]);
        Directory.CreateDirectory(Path.Combine(root.Path, "t"));
        // t/sub is a link to a folder outside the download folder.
        Directory.CreateSymbolicLink(Path.Combine(root.Path, "t", "sub"), outside.Path);
        File.WriteAllText(Path.Combine(root.Path, "t", "b.bin"), "12345678");
        using (var store = TorrentStorage.OpenForChecking(meta, root.Path))
        {
            Assert.Equal(1, DataDeletion.Delete(store));
        }
        Assert.True(File.Exists(victim));
        Assert.False(File.Exists(Path.Combine(root.Path, "t", "b.bin")));
    }
}

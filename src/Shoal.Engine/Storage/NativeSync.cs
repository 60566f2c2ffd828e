using System.Runtime.InteropServices;

namespace Shoal.Engine.Storage;

/// <summary>
/// <c>sync(2)</c>: writes back every dirty page and inode of every file system. Used instead of one fsync per file
/// when a flush covers many files whose handles are closed (a torrent of thousands of small files): each fsync would
/// force its own journal commit, while one sync commits them all. Linux only (it waits for the writes there).
/// </summary>
internal static partial class NativeSync
{
    public static void SyncAll()
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("sync() is used only on Linux");
        }
        Sync();
    }

    // The same library and import style as mincore (TorrentStorage.Mapping.cs).
    [LibraryImport("libc.so.6", EntryPoint = "sync")]
    private static partial void Sync();
}

namespace Shoal.Engine.Creation;

/// <summary>The input cannot make a torrent (missing path, empty folder, symlink loop, bad option); one clear line.</summary>
public sealed class TorrentCreationException(string message, Exception? inner = null) : Exception(message, inner);

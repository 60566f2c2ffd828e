using Microsoft.Extensions.Logging;
using Shoal.Engine.Peers;
using Shoal.Engine.Storage;

namespace Shoal.Engine.Session;

/// <summary>
/// Torrent faults (disk full, permission denied, files gone): the first one moves the torrent into
/// <see cref="TorrentState.Error"/> with a one-line reason and disconnects every peer, so no more blocks arrive to be
/// written; later failures of writes already queued are the same fault and are only counted. Verified data is left
/// as it is, and the resume data saved on stop still describes it, so a restart after the cause is fixed resumes.
/// </summary>
internal sealed partial class TorrentSession
{
    private int _diskFailures;

    /// <summary>The typed cause of the fault when it came from storage (null otherwise, or while healthy).</summary>
    internal StorageErrorKind? ErrorKind { get; private set; }

    private void OnDiskFailed(Exception ex)
    {
        AssertOnLoop();
        _diskFailures++;
        if (_state == TorrentState.Error)
        {
            _log.LogDebug("{Name}: another disk failure after the torrent failed: {Error}", _meta.Name, ex.Message);
            return;
        }
        ErrorKind = ex is StorageException se ? se.Kind : StorageErrorKind.Io;
        Fail(ex.Message);
        foreach (var p in _peers.Values.ToArray())
        {
            p.Connection.Close(new PeerDisconnect(DisconnectReason.Shutdown, "torrent failed: " + ex.Message));
        }
    }
}

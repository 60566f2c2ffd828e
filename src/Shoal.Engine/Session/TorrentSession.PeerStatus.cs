using System.Text;
using Shoal.Protocol;

namespace Shoal.Engine.Session;

/// <summary>The per-peer part of the status snapshot (the detail view of a UI, Transmission's <c>peers</c>).</summary>
internal sealed partial class TorrentSession
{
    private IReadOnlyList<PeerStatus> PeerSnapshot()
    {
        if (_peers.Count == 0)
        {
            return [];
        }
        var list = new PeerStatus[_peers.Count];
        int i = 0;
        var flags = new StringBuilder(8);
        foreach (var p in _peers.Values)
        {
            var c = p.Connection;
            flags.Clear();
            // Transmission's letters, in its order.
            if (!p.PeerChoking && p.AmInterested)
            {
                flags.Append('D');
            }
            else if (p.AmInterested)
            {
                flags.Append('d');
            }
            if (!p.PeerChoking && !p.AmInterested)
            {
                flags.Append('K');
            }
            if (!p.AmChoking && p.PeerInterested)
            {
                flags.Append('U');
            }
            else if (p.PeerInterested)
            {
                flags.Append('u');
            }
            if (!p.AmChoking && !p.PeerInterested)
            {
                flags.Append('?');
            }
            if (p.OptimisticUnchoke || ReferenceEquals(p, _optimistic))
            {
                flags.Append('O');
            }
            if (!c.IsOutgoing)
            {
                flags.Append('I');
            }
            list[i++] = new PeerStatus
            {
                EndPoint = c.RemoteEndPoint,
                Client = p.Extensions.Client is { Length: > 0 } v ? v : PeerClient.Describe(c.RemotePeerId),
                DownloadRate = c.Download.BytesPerSecond,
                UploadRate = c.Upload.BytesPerSecond,
                Downloaded = c.Download.Total,
                Uploaded = c.Upload.Total,
                Progress = p.Has.Length == 0 ? 0 : (double)p.Has.CountSet / p.Has.Length,
                AmChoking = p.AmChoking,
                AmInterested = p.AmInterested,
                PeerChoking = p.PeerChoking,
                PeerInterested = p.PeerInterested,
                IsIncoming = !c.IsOutgoing,
                RequestsOutstanding = p.Outstanding.Count,
                RequestsServing = p.Serving.Count,
                Flags = flags.ToString(),
            };
        }
        return list;
    }
}

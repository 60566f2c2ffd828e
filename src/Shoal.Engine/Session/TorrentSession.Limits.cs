using System.Net;

namespace Shoal.Engine.Session;

/// <summary>
/// Bounds on what untrusted sources can make the session hold. Trackers (each response capped by
/// <see cref="Trackers.TrackerOptions.MaxPeersPerResponse"/>, but a lying tracker can hand out fresh addresses on
/// every announce), PEX and DHT all add candidate peers; without a cap the candidate table would grow for as long as
/// the torrent runs. With one, a flood must not lock out the honest peers that arrive after it: one batch adds at
/// most <see cref="MaxNewCandidatesPerBatch"/>, and at the cap a newcomer takes the place of a dead or never-tried
/// candidate rather than being turned away.
/// </summary>
internal sealed partial class TorrentSession
{
    /// <summary>Candidate peers kept at most (explicit <c>--peer</c>s are always added).</summary>
    internal const int MaxCandidates = 4000;

    /// <summary>New candidates taken from one tracker response or peer batch at most.</summary>
    internal const int MaxNewCandidatesPerBatch = MaxCandidates / 4;

    private long _lastCandidatePrune;

    private void AddDiscoveredPeers(IEnumerable<IPEndPoint> peers, bool explicitPeers)
    {
        int added = 0;
        foreach (var ep in peers)
        {
            if (!explicitPeers && added >= MaxNewCandidatesPerBatch)
            {
                break;
            }
            int before = _candidates.Count;
            AddCandidate(ep, explicitPeers);
            added += _candidates.Count > before ? 1 : 0;
        }
    }

    /// <summary>
    /// True when another discovered peer may be added. At the cap, forgets (at most once a second) candidates that
    /// failed or proved useless and are not in use; failing that, evicts the oldest candidate never yet reached.
    /// </summary>
    private bool HasRoomForCandidate()
    {
        if (_candidates.Count < MaxCandidates)
        {
            return true;
        }
        if (_time.GetElapsedTime(_lastCandidatePrune) >= TimeSpan.FromSeconds(1))
        {
            _lastCandidatePrune = _time.GetTimestamp();
            foreach (var (ep, c) in _candidates.ToArray())
            {
                if (!c.Busy && !c.Explicit && (c.Failures > 0 || c.Useless))
                {
                    _candidates.Remove(ep);
                }
            }
            if (_candidates.Count < MaxCandidates)
            {
                return true;
            }
        }
        foreach (var (ep, c) in _candidates)
        {
            if (!c.Busy && !c.Explicit && c.PeerId is null)
            {
                _candidates.Remove(ep);
                return true;
            }
        }
        return false;
    }
}

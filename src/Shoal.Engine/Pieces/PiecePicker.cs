using Shoal.Protocol;

namespace Shoal.Engine.Pieces;

/// <summary>
/// Decides which blocks to request from which peer, and tracks every in-flight block.
/// <para>
/// <b>Threading: not thread-safe.</b> One picker belongs to one torrent loop, which is the only code that calls it.
/// </para>
/// Policy: finish started pieces first; then (sequential mode) the lowest wanted piece the peer has, or (default)
/// rarest first with a random choice among equally rare pieces; never a piece the peer lacks. When every remaining
/// block is requested, endgame: blocks outstanding at other peers may be requested again (up to
/// <see cref="MaxEndgameRequesters"/> peers per block) and <see cref="OnBlockReceived"/> names the peers to cancel.
/// Peers are identified by an int key the session gives each connection (unique while the connection lives).
/// </summary>
public sealed partial class PiecePicker
{
    /// <summary>At most this many peers have the same block requested in endgame.</summary>
    public const int MaxEndgameRequesters = 3;

    private readonly TorrentLengths _lengths;
    private readonly Random _random;
    private readonly BitField _have;
    private readonly bool[] _unwanted;
    private readonly AvailabilityBuckets _candidates;
    private readonly Dictionary<int, PieceProgress> _progress = [];
    private readonly List<PieceProgress> _active = [];
    private int _sequentialCursor;

    /// <param name="lengths">Piece and block sizes of the torrent.</param>
    /// <param name="random">Source for tie-breaking among equally rare pieces; inject a seeded one in tests.</param>
    public PiecePicker(TorrentLengths lengths, Random? random = null)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        _lengths = lengths;
        _random = random ?? new Random();
        _have = new BitField(lengths.PieceCount);
        _unwanted = new bool[lengths.PieceCount];
        _candidates = new AvailabilityBuckets(lengths.PieceCount);
    }

    public TorrentLengths Lengths => _lengths;

    public int PieceCount => _lengths.PieceCount;

    /// <summary>Pieces verified (ours to serve). Read-only view: change it through the picker's methods.</summary>
    public BitField Have => _have;

    public int HaveCount => _have.CountSet;

    /// <summary>Pick in piece order instead of rarest first (streaming).</summary>
    public bool Sequential { get; set; }

    /// <summary>Pieces with blocks in flight or received but not yet verified.</summary>
    public IReadOnlyList<PieceProgress> InProgress => _active;

    /// <summary>True when every wanted piece is verified.</summary>
    public bool IsComplete => _candidates.Count == 0 && _active.Count == 0;

    /// <summary>True when nothing is left to start and every block of every started piece is requested or received.</summary>
    public bool IsEndgame
    {
        get
        {
            if (_candidates.Count != 0 || _active.Count == 0)
            {
                return false;
            }
            foreach (PieceProgress p in _active)
            {
                if (p.UnrequestedCount > 0)
                {
                    return false;
                }
            }
            return true;
        }
    }

    public bool HasPiece(int piece) => _have[piece];

    public bool IsWanted(int piece) => !_unwanted[piece];

    /// <summary>How many connected peers have the piece.</summary>
    public int Availability(int piece) => _candidates.Availability(piece);

    public PieceProgress? GetProgress(int piece) => _progress.GetValueOrDefault(piece);

    /// <summary>Marks pieces we already have (from a data check or resume data).</summary>
    public void SetHave(BitField have)
    {
        ArgumentNullException.ThrowIfNull(have);
        CheckLength(have);
        for (int i = 0; i < have.Length; i++)
        {
            if (have[i])
            {
                MarkHave(i);
            }
        }
    }

    /// <summary>
    /// File selection hook: an unwanted piece is never started (pieces already started are finished). Wanting it again
    /// makes it a candidate again.
    /// </summary>
    public void SetWanted(int piece, bool wanted)
    {
        _unwanted[piece] = !wanted;
        if (!wanted)
        {
            _candidates.Remove(piece);
        }
        else if (!_have[piece] && !_progress.ContainsKey(piece))
        {
            _candidates.Add(piece);
            _sequentialCursor = Math.Min(_sequentialCursor, piece);
        }
    }

    /// <summary>A peer's bitfield arrived (or HaveAll as a full bitfield).</summary>
    public void AddPeerBitfield(BitField peerHas)
    {
        ArgumentNullException.ThrowIfNull(peerHas);
        CheckLength(peerHas);
        for (int i = 0; i < peerHas.Length; i++)
        {
            if (peerHas[i])
            {
                _candidates.Increment(i);
            }
        }
    }

    /// <summary>Undo <see cref="AddPeerBitfield"/> plus the peer's haves (pass the peer's current bitfield).</summary>
    public void RemovePeerBitfield(BitField peerHas)
    {
        ArgumentNullException.ThrowIfNull(peerHas);
        CheckLength(peerHas);
        for (int i = 0; i < peerHas.Length; i++)
        {
            if (peerHas[i])
            {
                _candidates.Decrement(i);
            }
        }
    }

    /// <summary>A peer announced a piece (call only when it is new for that peer).</summary>
    public void OnPeerHave(int piece)
    {
        CheckPiece(piece);
        _candidates.Increment(piece);
    }

    /// <summary>True when the peer has at least one piece we want and do not have (so we are interested).</summary>
    public bool IsInteresting(BitField peerHas)
    {
        ArgumentNullException.ThrowIfNull(peerHas);
        CheckLength(peerHas);
        foreach (PieceProgress p in _active)
        {
            if (peerHas[p.Piece] && !p.IsComplete)
            {
                return true;
            }
        }
        for (int pos = 0; pos < _candidates.Count; pos++)
        {
            if (peerHas[_candidates.PieceAt(pos)])
            {
                return true;
            }
        }
        return false;
    }

    private void MarkHave(int piece)
    {
        _have[piece] = true;
        _candidates.Remove(piece);
        if (_progress.Remove(piece, out PieceProgress? progress))
        {
            _active.Remove(progress);
        }
    }

    private void CheckLength(BitField field)
    {
        if (field.Length != _lengths.PieceCount)
        {
            throw new ArgumentException($"bitfield has {field.Length} pieces, torrent has {_lengths.PieceCount}");
        }
    }

    private void CheckPiece(int piece)
    {
        if (!_lengths.IsValidPiece(piece))
        {
            throw new ArgumentOutOfRangeException(nameof(piece), piece, $"piece index must be below {_lengths.PieceCount}");
        }
    }
}

namespace Shoal.Engine.Pieces;

/// <summary>
/// The candidate pieces (wanted, not had, not started) kept sorted by availability in one array, bucket by bucket:
/// bucket k holds the pieces k peers have. Moving a piece between neighbouring buckets is one swap with the bucket's
/// edge, so a peer's have/bitfield costs O(1) per piece, and removing or re-adding a piece costs O(highest
/// availability). Pieces outside the candidate set keep their availability count but sit past <see cref="Count"/>.
/// </summary>
/// <remarks>
/// Layout: <c>_order[0 .. _ends[0])</c> is bucket 0, <c>[_ends[k-1] .. _ends[k])</c> is bucket k, and the last
/// bucket ends at <see cref="Count"/>. Not thread-safe.
/// </remarks>
internal sealed class AvailabilityBuckets
{
    private readonly int[] _order;
    private readonly int[] _pos;
    private readonly int[] _avail;
    private readonly List<int> _ends;

    public AvailabilityBuckets(int pieceCount)
    {
        _order = new int[pieceCount];
        _pos = new int[pieceCount];
        _avail = new int[pieceCount];
        for (int i = 0; i < pieceCount; i++)
        {
            _order[i] = i;
            _pos[i] = i;
        }
        Count = pieceCount;
        _ends = [pieceCount];
    }

    /// <summary>Number of candidate pieces.</summary>
    public int Count { get; private set; }

    public int BucketCount => _ends.Count;

    public bool Contains(int piece) => _pos[piece] < Count;

    public int Availability(int piece) => _avail[piece];

    /// <summary>Start (inclusive) and end (exclusive) positions of bucket <paramref name="k"/>.</summary>
    public (int Start, int End) Bucket(int k) => (k == 0 ? 0 : _ends[k - 1], _ends[k]);

    public int PieceAt(int position) => _order[position];

    public void Increment(int piece)
    {
        int a = _avail[piece]++;
        if (!Contains(piece))
        {
            return;
        }
        EnsureBucket(a + 1);
        Swap(_pos[piece], _ends[a] - 1);
        _ends[a]--;
    }

    public void Decrement(int piece)
    {
        int a = _avail[piece];
        if (a == 0)
        {
            return; // a peer went away that we never counted; stay consistent rather than go negative
        }
        _avail[piece] = a - 1;
        if (!Contains(piece))
        {
            return;
        }
        Swap(_pos[piece], _ends[a - 1]);
        _ends[a - 1]++;
    }

    public void Remove(int piece)
    {
        if (!Contains(piece))
        {
            return;
        }
        for (int k = _avail[piece]; k < _ends.Count; k++)
        {
            Swap(_pos[piece], _ends[k] - 1);
            _ends[k]--;
        }
        Count--;
    }

    public void Add(int piece)
    {
        if (Contains(piece))
        {
            return;
        }
        int a = _avail[piece];
        EnsureBucket(a);
        Swap(_pos[piece], Count);
        Count++;
        int top = _ends.Count - 1;
        _ends[top]++;
        for (int k = top; k > a; k--)
        {
            Swap(_pos[piece], _ends[k - 1]);
            _ends[k - 1]++;
        }
    }

    private void EnsureBucket(int k)
    {
        while (_ends.Count <= k)
        {
            _ends.Add(Count);
        }
    }

    private void Swap(int i, int j)
    {
        if (i == j)
        {
            return;
        }
        int a = _order[i];
        int b = _order[j];
        _order[i] = b;
        _order[j] = a;
        _pos[b] = i;
        _pos[a] = j;
    }
}

using System.Security.Cryptography;

namespace Shoal.Protocol.Extensions;

/// <summary>What became of one received metadata piece.</summary>
public enum MetadataPieceOutcome
{
    /// <summary>Stored; more pieces are still missing.</summary>
    Stored,

    /// <summary>We already had this piece (or the assembler is finished); the bytes were dropped.</summary>
    Duplicate,

    /// <summary>Wrong piece index, length or total size: the sender is misbehaving; nothing was stored.</summary>
    Invalid,

    /// <summary>The last piece arrived and SHA-1 of the whole matches the info hash: <c>Metadata</c> is set.</summary>
    Complete,

    /// <summary>
    /// All pieces arrived but SHA-1 does not match the info hash. Everything was thrown away and the assembler
    /// starts over; <c>Contributors</c> lists the peers whose data was in the failed attempt.
    /// </summary>
    HashMismatch,
}

/// <summary>The result of <see cref="MetadataAssembler{TPeer}.OnData"/>.</summary>
public sealed record MetadataPieceResult<TPeer>(MetadataPieceOutcome Outcome, string? Error = null)
    where TPeer : notnull
{
    /// <summary>The verified info dictionary bytes (for <see cref="MetadataPieceOutcome.Complete"/>).</summary>
    public ReadOnlyMemory<byte> Metadata { get; init; }

    /// <summary>Peers that sent pieces of a set that failed the hash check (for <see cref="MetadataPieceOutcome.HashMismatch"/>).</summary>
    public IReadOnlyCollection<TPeer> Contributors { get; init; } = [];
}

/// <summary>
/// Collects the info dictionary of a magnet download in 16 KiB pieces (BEP 9) from several peers at once, then
/// verifies it against the info hash.
/// </summary>
/// <remarks>
/// Not thread-safe: the torrent loop owns it, like the piece picker. It holds no clock; the loop calls
/// <see cref="Release(TPeer, int)"/> when a request times out and <see cref="PeerGone"/> when a connection ends.
/// A piece is asked of one peer at a time; once every missing piece is in flight, a piece may be asked of a second
/// peer (the metadata is small, so duplicates cost little and a slow peer cannot stall the download).
/// The size is fixed at creation: if peers announce different sizes, the loop keeps one assembler per size it
/// tries, and a size that was a lie ends in <see cref="MetadataPieceOutcome.HashMismatch"/>.
/// </remarks>
public sealed class MetadataAssembler<TPeer>
    where TPeer : notnull
{
    /// <summary>How many peers may be asked for the same piece at once (first plus one duplicate).</summary>
    public const int MaxRequestsPerPiece = 2;

    private readonly byte[]?[] _pieces;
    private readonly TPeer?[] _senders;
    private readonly List<TPeer>[] _requested;
    private int _received;

    /// <summary>Creates an assembler; throws <see cref="ArgumentOutOfRangeException"/> for an implausible size.</summary>
    public MetadataAssembler(InfoHash infoHash, long metadataSize)
    {
        if (!UtMetadata.IsPlausibleSize(metadataSize))
        {
            throw new ArgumentOutOfRangeException(nameof(metadataSize), metadataSize,
                $"metadata size must be 1..{UtMetadata.MaxMetadataSize} bytes");
        }
        InfoHash = infoHash;
        MetadataSize = metadataSize;
        PieceCount = UtMetadata.PieceCount(metadataSize);
        _pieces = new byte[]?[PieceCount];
        _senders = new TPeer?[PieceCount];
        _requested = new List<TPeer>[PieceCount];
        for (int i = 0; i < PieceCount; i++)
        {
            _requested[i] = [];
        }
    }

    /// <summary>Creates an assembler unless the peer-claimed size is absurd (&lt;= 0 or over 16 MiB).</summary>
    public static bool TryCreate(InfoHash infoHash, long metadataSize, out MetadataAssembler<TPeer>? assembler, out string? error)
    {
        if (!UtMetadata.IsPlausibleSize(metadataSize))
        {
            assembler = null;
            error = $"metadata_size {metadataSize} is not plausible (1..{UtMetadata.MaxMetadataSize})";
            return false;
        }
        assembler = new MetadataAssembler<TPeer>(infoHash, metadataSize);
        error = null;
        return true;
    }

    public InfoHash InfoHash { get; }

    public long MetadataSize { get; }

    public int PieceCount { get; }

    /// <summary>Pieces stored in the current attempt.</summary>
    public int ReceivedCount => _received;

    /// <summary>True once verified metadata has been returned; the assembler then ignores everything.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>How many times a complete set failed the hash check.</summary>
    public int FailedAttempts { get; private set; }

    /// <summary>True if <paramref name="piece"/> is stored in the current attempt.</summary>
    public bool Has(int piece) => _pieces[piece] is not null;

    /// <summary>Number of requests outstanding to <paramref name="peer"/>.</summary>
    public int OutstandingFor(TPeer peer)
    {
        int n = 0;
        foreach (var list in _requested)
        {
            n += Contains(list, peer) ? 1 : 0;
        }
        return n;
    }

    /// <summary>
    /// Picks a piece to request from <paramref name="peer"/> and records the request: first a missing piece nobody
    /// was asked for, else a missing piece asked of fewer than <see cref="MaxRequestsPerPiece"/> other peers.
    /// Returns false when there is nothing useful to ask this peer.
    /// </summary>
    public bool TryPickRequest(TPeer peer, out int piece)
    {
        piece = -1;
        if (IsComplete)
        {
            return false;
        }
        for (int pass = 0; pass < 2 && piece < 0; pass++)
        {
            for (int i = 0; i < PieceCount; i++)
            {
                var asked = _requested[i];
                if (_pieces[i] is null && !Contains(asked, peer) &&
                    (pass == 0 ? asked.Count == 0 : asked.Count < MaxRequestsPerPiece))
                {
                    piece = i;
                    break;
                }
            }
        }
        if (piece < 0)
        {
            return false;
        }
        _requested[piece].Add(peer);
        return true;
    }

    /// <summary>Forgets the request for <paramref name="piece"/> to <paramref name="peer"/> (reject or timeout).</summary>
    public void Release(TPeer peer, int piece)
    {
        if ((uint)piece < (uint)PieceCount)
        {
            Remove(_requested[piece], peer);
        }
    }

    /// <summary>Forgets every request to a peer that went away.</summary>
    public void PeerGone(TPeer peer)
    {
        foreach (var list in _requested)
        {
            Remove(list, peer);
        }
    }

    /// <summary>
    /// Takes a data message from <paramref name="peer"/>. Unrequested data for a missing piece is accepted (the hash
    /// check guards the result); data failing <see cref="UtMetadata.Validate"/> is <see cref="MetadataPieceOutcome.Invalid"/>.
    /// </summary>
    public MetadataPieceResult<TPeer> OnData(TPeer peer, in UtMetadataMessage message)
    {
        if (message.Type != UtMetadataType.Data)
        {
            throw new ArgumentException("not a data message", nameof(message));
        }
        if (!UtMetadata.Validate(message, MetadataSize, out string? error))
        {
            Release(peer, message.Piece);
            return new(MetadataPieceOutcome.Invalid, error);
        }
        int piece = message.Piece;
        Remove(_requested[piece], peer);
        if (IsComplete || _pieces[piece] is not null)
        {
            return new(MetadataPieceOutcome.Duplicate);
        }
        _pieces[piece] = message.Data.ToArray();
        _senders[piece] = peer;
        _received++;
        return _received < PieceCount ? new(MetadataPieceOutcome.Stored) : Finish();
    }

    private MetadataPieceResult<TPeer> Finish()
    {
        byte[] metadata = new byte[MetadataSize];
        for (int i = 0; i < PieceCount; i++)
        {
            _pieces[i]!.CopyTo(metadata, (long)i * UtMetadata.PieceLength);
        }
        Span<byte> hash = stackalloc byte[InfoHash.Length];
        SHA1.HashData(metadata, hash);
        if (hash.SequenceEqual(InfoHash.Span))
        {
            IsComplete = true;
            Array.Clear(_pieces);
            return new(MetadataPieceOutcome.Complete) { Metadata = metadata };
        }

        var contributors = new List<TPeer>();
        foreach (var sender in _senders)
        {
            if (sender is not null && !Contains(contributors, sender))
            {
                contributors.Add(sender);
            }
        }
        FailedAttempts++;
        Array.Clear(_pieces);
        Array.Clear(_senders);
        foreach (var list in _requested)
        {
            list.Clear();
        }
        _received = 0;
        return new(MetadataPieceOutcome.HashMismatch, "metadata does not match the info hash") { Contributors = contributors };
    }

    private static bool Contains(List<TPeer> list, TPeer peer)
    {
        foreach (var p in list)
        {
            if (EqualityComparer<TPeer>.Default.Equals(p, peer))
            {
                return true;
            }
        }
        return false;
    }

    private static void Remove(List<TPeer> list, TPeer peer)
    {
        for (int i = list.Count - 1; i >= 0; i--)
        {
            if (EqualityComparer<TPeer>.Default.Equals(list[i], peer))
            {
                list.RemoveAt(i);
            }
        }
    }
}

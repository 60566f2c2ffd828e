using System.Security.Cryptography;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Engine.Storage;

public static partial class PieceVerifier
{
    /// <summary>
    /// Hashes a stretch of consecutive pieces fed as a byte stream in spans of any size: splits the stream at piece
    /// boundaries, hashes a piece that lies whole in one span in one call, and carries a piece that straddles spans
    /// in an <see cref="IncrementalHash"/>. Lets the caller feed data straight from wherever it lies (a small,
    /// cache-hot read buffer or a mapped view) without first assembling whole pieces. One per worker thread.
    /// </summary>
    internal sealed class RunHasher(TorrentMetainfo meta, bool[] valid) : IDisposable
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
        private readonly byte[] _hash = new byte[SHA1.HashSizeInBytes];
        private int _piece;
        private int _stop;
        private int _leftInPiece;
        private bool _pending;

        /// <summary>Pieces found valid since this hasher was made.</summary>
        public int Good { get; private set; }

        /// <summary>Bytes still expected before piece <c>stop - 1</c> ends.</summary>
        public long Remaining { get; private set; }

        /// <summary>Expects the bytes of pieces [<paramref name="first"/>, <paramref name="stop"/>) next.</summary>
        public void Begin(int first, int stop)
        {
            TorrentLengths lengths = meta.Lengths;
            Abandon();
            _piece = first;
            _stop = stop;
            _leftInPiece = lengths.PieceSize(first);
            Remaining = lengths.PieceOffset(stop - 1) + lengths.PieceSize(stop - 1) - lengths.PieceOffset(first);
        }

        /// <summary>Feeds the next bytes of the stretch (at most <see cref="Remaining"/>).</summary>
        public void Feed(ReadOnlySpan<byte> data)
        {
            if (data.Length > Remaining)
            {
                throw new InvalidOperationException($"fed {data.Length} bytes, {Remaining} left in the stretch");
            }
            Remaining -= data.Length;
            while (!data.IsEmpty)
            {
                int take = Math.Min(data.Length, _leftInPiece);
                if (!_pending && take == _leftInPiece)
                {
                    // The whole piece is in this span: one call, no incremental state.
                    Complete(Matches(meta, _piece, data[..take]));
                }
                else
                {
                    _sha.AppendData(data[..take]);
                    _pending = true;
                    _leftInPiece -= take;
                    if (_leftInPiece == 0)
                    {
                        _sha.GetHashAndReset(_hash);
                        _pending = false;
                        Complete(_hash.AsSpan().SequenceEqual(meta.PieceHash(_piece)));
                    }
                }
                data = data[take..];
            }
        }

        /// <summary>Zeros for a BEP 47 pad file, fed without reading anything.</summary>
        public void FeedZeros(long count)
        {
            ReadOnlySpan<byte> zeros = Zeros;
            while (count > 0)
            {
                int n = (int)Math.Min(count, zeros.Length);
                Feed(zeros[..n]);
                count -= n;
            }
        }

        /// <summary>The data ran out: the piece in progress (and the rest of the stretch) stays invalid.</summary>
        public void Abandon()
        {
            if (_pending)
            {
                _sha.GetHashAndReset(_hash);
                _pending = false;
            }
            Remaining = 0;
        }

        public void Dispose() => _sha.Dispose();

        private void Complete(bool ok)
        {
            if (ok)
            {
                valid[_piece] = true;
                Good++;
            }
            _piece++;
            _leftInPiece = _piece < _stop ? meta.Lengths.PieceSize(_piece) : 0;
        }
    }

    private static readonly byte[] Zeros = new byte[64 * 1024];
}

using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;

namespace Shoal.Benchmarks;

/// <summary>
/// Piece hashing: one SHA-1 over a contiguous 1 MiB piece (the re-read verify path and `shoal verify`) against an
/// incremental SHA-1 over the piece's 64 separate 16 KiB block buffers (the in-memory assembly path, which skips
/// the re-read). Both should run at the SHA-1 speed of the CPU with no allocation.
/// </summary>
[MemoryDiagnoser]
public class HashingBenchmarks
{
    private const int PieceLength = 1024 * 1024;
    private const int BlockSize = 16 * 1024;
    private readonly byte[] _hash = new byte[SHA1.HashSizeInBytes];
    private byte[] _piece = [];
    private byte[][] _blocks = [];
    private IncrementalHash _incremental = null!;

    [GlobalSetup]
    public void Setup()
    {
        _piece = RandomNumberGenerator.GetBytes(PieceLength);
        _blocks = Enumerable.Range(0, PieceLength / BlockSize).Select(i => _piece.AsSpan(i * BlockSize, BlockSize).ToArray()).ToArray();
        _incremental = IncrementalHash.CreateHash(HashAlgorithmName.SHA1);
    }

    [GlobalCleanup]
    public void Cleanup() => _incremental.Dispose();

    [Benchmark(Baseline = true, Description = "SHA-1 of a contiguous 1 MiB piece")]
    public int Contiguous() => SHA1.HashData(_piece, _hash);

    [Benchmark(Description = "incremental SHA-1 over 64 block buffers")]
    public int Blocks()
    {
        foreach (byte[] b in _blocks)
        {
            _incremental.AppendData(b);
        }
        return _incremental.GetHashAndReset(_hash);
    }
}

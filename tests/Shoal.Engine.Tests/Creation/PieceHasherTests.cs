using System.Security.Cryptography;
using Shoal.Engine.Creation;

namespace Shoal.Engine.Tests.Creation;

public class PieceHasherTests
{
    // Naive reference: SHA-1 of each piece-length slice of the whole concatenation, single-threaded.
    private static byte[] Reference(byte[] all, int pieceLength)
    {
        int count = (all.Length + pieceLength - 1) / pieceLength;
        var result = new byte[count * 20];
        for (int i = 0; i < count; i++)
        {
            int begin = i * pieceLength;
            SHA1.HashData(all.AsSpan(begin, Math.Min(pieceLength, all.Length - begin)), result.AsSpan(i * 20, 20));
        }
        return result;
    }

    [Theory]
    [InlineData(1, 16 * 1024 * 1024)]
    [InlineData(2, 16 * 1024 * 1024)]
    [InlineData(3, 16 * 1024)]
    [InlineData(4, 32 * 1024)]
    [InlineData(7, 16 * 1024)]
    public void Multi_file_hashes_match_a_naive_hash_of_the_concatenation(int workers, int readSize)
    {
        using var dir = new CreationTempDir();
        // Lengths chosen so pieces straddle files, one piece spans three files, and empty files sit in between.
        int[] lengths = [40_000, 0, 5, 3, 16_384, 0, 100_001, 1, 77_777];
        var files = new List<SourceFile>();
        var all = new List<byte>();
        for (int i = 0; i < lengths.Length; i++)
        {
            string name = $"f{i:D2}";
            all.AddRange(dir.Write(name, lengths[i], seed: i));
            files.Add(new SourceFile([name], lengths[i], Path.Combine(dir.Path, name)));
        }

        byte[] pieces = PieceHasher.Hash(files, 16 * 1024, workers: workers, readSize: readSize);

        Assert.Equal(Convert.ToHexString(Reference([.. all], 16 * 1024)), Convert.ToHexString(pieces));
    }

    [Fact]
    public void Single_short_piece_is_hashed_whole()
    {
        using var dir = new CreationTempDir();
        var bytes = dir.Write("one", 10, seed: 1);
        byte[] pieces = PieceHasher.Hash([new SourceFile(["one"], 10, Path.Combine(dir.Path, "one"))], 16 * 1024, workers: 4);
        Assert.Equal(SHA1.HashData(bytes), pieces);
    }

    [Fact]
    public void Progress_counts_every_byte()
    {
        using var dir = new CreationTempDir();
        dir.Write("a", 300_000, seed: 2);
        var progress = new CreationProgress();
        PieceHasher.Hash([new SourceFile(["a"], 300_000, Path.Combine(dir.Path, "a"))], 16 * 1024, progress, workers: 2);
        Assert.Equal(300_000, progress.BytesHashed);
    }

    [Fact]
    public void A_file_shorter_than_listed_is_an_error_not_a_short_piece()
    {
        using var dir = new CreationTempDir();
        dir.Write("a", 1000, seed: 3);
        var ex = Assert.Throws<IOException>(() =>
            PieceHasher.Hash([new SourceFile(["a"], 5000, Path.Combine(dir.Path, "a"))], 16 * 1024, workers: 1));
        Assert.Contains("shrank", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Cancellation_stops_hashing()
    {
        using var dir = new CreationTempDir();
        dir.Write("a", 100_000, seed: 4);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() =>
            PieceHasher.Hash([new SourceFile(["a"], 100_000, Path.Combine(dir.Path, "a"))], 16 * 1024, workers: 2,
                cancellationToken: cts.Token));
    }
}

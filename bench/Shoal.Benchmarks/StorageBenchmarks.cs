using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Shoal.Engine.Storage;
using Shoal.Protocol;
using Shoal.Protocol.Metainfo;

namespace Shoal.Benchmarks;

/// <summary>Block writes through the file layout and handle cache, and a full data check.</summary>
[MemoryDiagnoser]
public class StorageBenchmarks
{
    private const int PieceLength = 256 * 1024;
    private const int FileCount = 16;
    private const long FileLength = 4L * 1024 * 1024 + 4321;

    private string _root = "";
    private TorrentMetainfo _meta = null!;
    private TorrentStorage _storage = null!;
    private byte[] _block = [];
    private long _offset;

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "shoal-bench-" + Guid.NewGuid().ToString("N"));
        var files = new List<TorrentFile>();
        for (int i = 0; i < FileCount; i++)
        {
            files.Add(new TorrentFile([$"f{i}.bin"], FileLength, i * FileLength));
        }
        long total = FileCount * FileLength;
        var lengths = new TorrentLengths(total, PieceLength);
        _meta = new TorrentMetainfo
        {
            InfoHash = new InfoHash(new byte[20]),
            RawInfo = Array.Empty<byte>(),
            Name = "bench",
            PieceLength = PieceLength,
            PieceHashes = new byte[lengths.PieceCount * 20],
            Lengths = lengths,
            Files = files,
            IsMultiFile = true,
        };
        _storage = TorrentStorage.Open(_meta, _root);
        _block = RandomNumberGenerator.GetBytes(TorrentLengths.BlockSize);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _storage.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Description = "write one 16 KiB block (async)")]
    public async Task WriteBlockAsync()
    {
        await _storage.WriteAsync(_offset, _block);
        _offset = (_offset + TorrentLengths.BlockSize) % (_meta.TotalLength - TorrentLengths.BlockSize);
    }

    [Benchmark(Description = "write one 16 KiB block (sync)")]
    public void WriteBlock()
    {
        _storage.Write(_offset, _block);
        _offset = (_offset + TorrentLengths.BlockSize) % (_meta.TotalLength - TorrentLengths.BlockSize);
    }

    [Benchmark(Description = "map a block to file segments")]
    public int MapBlock()
    {
        int n = 0;
        foreach (FileSegment s in _storage.Layout.Map(FileLength - 100, TorrentLengths.BlockSize))
        {
            n += s.Length;
        }
        return n;
    }
}

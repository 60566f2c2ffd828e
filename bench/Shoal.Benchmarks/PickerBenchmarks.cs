using BenchmarkDotNet.Attributes;
using Shoal.Engine.Pieces;
using Shoal.Protocol;

namespace Shoal.Benchmarks;

/// <summary>Picker decisions on a torrent with many pieces and a partly seeded swarm.</summary>
[MemoryDiagnoser]
public class PickerBenchmarks
{
    [Params(1_000, 20_000)]
    public int Pieces { get; set; }

    private PiecePicker _picker = null!;
    private BitField _peer = null!;
    private readonly BlockRequest[] _buffer = new BlockRequest[16];
    private int _peerKey;

    [IterationSetup]
    public void Setup()
    {
        var rng = new Random(1);
        _picker = new PiecePicker(new TorrentLengths((long)Pieces * 256 * 1024, 256 * 1024), new Random(2));
        for (int p = 0; p < 40; p++)
        {
            var f = new BitField(Pieces);
            for (int i = 0; i < Pieces; i++)
            {
                f[i] = rng.Next(4) != 0;
            }
            _picker.AddPeerBitfield(f);
            _peer = f;
        }
    }

    [Benchmark(Description = "pick 16 blocks, receive them, verify completed pieces", OperationsPerInvoke = 1000)]
    public int PickReceiveVerify()
    {
        int total = 0;
        for (int round = 0; round < 1000; round++)
        {
            int n = _picker.PickBlocks(_peer, _peerKey, _buffer);
            for (int i = 0; i < n; i++)
            {
                BlockRequest r = _buffer[i];
                if (_picker.OnBlockReceived(_peerKey, r.Piece, r.Begin, r.Length).Result == BlockResult.PieceComplete)
                {
                    _picker.OnPieceVerified(r.Piece);
                }
            }
            total += n;
            _peerKey = (_peerKey + 1) % 8;
        }
        return total;
    }

    [Benchmark(Description = "peer have (availability update)")]
    public void PeerHave()
    {
        _picker.OnPeerHave(_peerKey++ % Pieces);
    }
}

using System.Buffers;
using System.Net;
using CsCheck;
using Shoal.Protocol.Extensions;

namespace Shoal.Protocol.Tests.Extensions;

public class ExtensionPropertyTests
{
    [Fact]
    public void Decoders_never_throw_on_arbitrary_bytes()
    {
        Gen.Byte.Array[0, 300].Sample(bytes =>
        {
            var payload = new ReadOnlySequence<byte>(bytes);
            UtMetadata.TryDecode(payload, out _, out _);
            UtPex.TryDecode(payload, out _, out _);
        });
    }

    [Fact]
    public void Decoders_never_throw_on_mutated_valid_messages()
    {
        byte[] data = UtMetadata.EncodeData(1, 20000, new byte[3616]);
        byte[] pex = UtPex.Encode(new UtPexMessage([new PexPeer(IPEndPoint.Parse("1.2.3.4:5"), PexFlags.Reachable)], [IPEndPoint.Parse("[::1]:7")]));
        Gen.Select(Gen.Int[0, 60], Gen.Byte, Gen.Int[0, 70]).Sample((at, value, cut) =>
        {
            foreach (byte[] original in new[] { data, pex })
            {
                byte[] copy = (byte[])original.Clone();
                copy[at % copy.Length] = value;
                var payload = new ReadOnlySequence<byte>(copy, 0, Math.Max(0, copy.Length - cut));
                if (UtMetadata.TryDecode(payload, out var m, out _) && m.Type == UtMetadataType.Data)
                {
                    UtMetadata.Validate(m, 20000, out _);
                }
                UtPex.TryDecode(payload, out _, out _);
            }
        });
    }

    [Fact]
    public void Pex_round_trips_any_list_within_the_caps()
    {
        var genPeer = Gen.Select(Gen.UInt, Gen.Int[1, 65535], Gen.Byte[0, 31])
            .Select((ip, port, flags) => new PexPeer(new IPEndPoint(new IPAddress(ip), port), (PexFlags)flags));
        genPeer.Array[0, 50].Sample(peers =>
        {
            var distinct = peers.DistinctBy(p => p.EndPoint).ToList();
            Assert.True(UtPex.TryDecode(new ReadOnlySequence<byte>(UtPex.Encode(new UtPexMessage(distinct, []))), out var back, out _));
            Assert.Equal(distinct, back!.Added);
        });
    }
}

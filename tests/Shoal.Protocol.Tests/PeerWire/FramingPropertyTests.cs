using CsCheck;
using Shoal.Protocol.PeerWire;

namespace Shoal.Protocol.Tests.PeerWire;

public class FramingPropertyTests
{
    private static readonly Gen<PeerMessage> GenMessage = Gen.OneOf(
        Gen.OneOfConst(PeerMessage.KeepAlive, PeerMessage.Choke, PeerMessage.Unchoke, PeerMessage.Interested,
            PeerMessage.NotInterested, PeerMessage.HaveAll, PeerMessage.HaveNone),
        Gen.Int.Select(PeerMessage.Have),
        Gen.Int.Select(PeerMessage.Suggest),
        Gen.Int.Select(PeerMessage.AllowedFast),
        Gen.UShort.Select(PeerMessage.Port),
        Gen.Select(Gen.Int, Gen.Int, Gen.Int, PeerMessage.Request),
        Gen.Select(Gen.Int, Gen.Int, Gen.Int, PeerMessage.Cancel),
        Gen.Select(Gen.Int, Gen.Int, Gen.Int, PeerMessage.Reject),
        Gen.Byte.Array[0, 64].Select(b => PeerMessage.Bitfield(b)),
        Gen.Select(Gen.Int, Gen.Int, Gen.Byte.Array[0, 3000], (i, b, d) => PeerMessage.Piece(i, b, d)),
        Gen.Select(Gen.Byte, Gen.Byte.Array[0, 200], (e, p) => PeerMessage.Extended(e, p)),
        Gen.Select(Gen.Byte.Where(b => !Enum.IsDefined((MessageId)b)), Gen.Byte.Array[0, 40],
            (id, body) => PeerMessage.Unknown(id, new System.Buffers.ReadOnlySequence<byte>(body))));

    [Fact]
    public void Any_message_sequence_in_any_chunking_decodes_to_itself()
    {
        Gen.Select(GenMessage.Array[0, 20], Gen.Int[1, 40].Array[1, 10]).Sample((messages, chunks) =>
        {
            var wire = messages.SelectMany(m => PeerMessageWriterTests.Encode(m)).ToArray();
            var (decoded, error) = Segments.Feed(wire, chunks);
            Assert.Null(error);
            Assert.Equal(messages.Select(m => Snapshot.Of(m)), decoded);
        }, iter: 300);
    }

    [Fact]
    public void Random_bytes_never_throw_and_never_claim_more_than_they_have()
    {
        Gen.Select(Gen.Byte.Array[0, 200], Gen.Int[1, 7].Array[1, 5]).Sample((bytes, chunks) =>
        {
            var buffer = Segments.Split(bytes, chunks);
            for (int guard = 0; guard < 200; guard++)
            {
                long before = buffer.Length;
                var status = PeerMessageReader.TryRead(ref buffer, out _, out var error);
                if (status != FrameStatus.Done)
                {
                    Assert.Equal(before, buffer.Length);
                    Assert.Equal(status == FrameStatus.Invalid, error.Reason is not null);
                    return;
                }
                Assert.True(buffer.Length < before);
            }
        }, iter: 1000);
    }
}

using System.Buffers;
using System.Net;
using System.Text;
using Shoal.Bencoding;
using Shoal.Protocol.Extensions;

namespace Shoal.Protocol.Tests.Extensions;

public class UtPexTests
{
    private static IPEndPoint Ep(string text) => IPEndPoint.Parse(text);

    private static UtPexMessage Decode(byte[] payload)
    {
        Assert.True(UtPex.TryDecode(new ReadOnlySequence<byte>(payload), out var message, out string? error), error);
        return message!;
    }

    [Fact]
    public void Encodes_compact_lists_and_flags()
    {
        var message = new UtPexMessage(
            [new PexPeer(Ep("1.2.3.4:6881"), PexFlags.SeedOrUploadOnly | PexFlags.Reachable)],
            [Ep("5.6.7.8:80")]);
        byte[] wire = UtPex.Encode(message);
        byte[] expected = [.. "d5:added6:"u8, 1, 2, 3, 4, 0x1a, 0xe1, .. "7:added.f1:"u8, 0x12, .. "7:dropped6:"u8, 5, 6, 7, 8, 0, 80, (byte)'e'];
        Assert.Equal(Encoding.Latin1.GetString(expected), Encoding.Latin1.GetString(wire));
    }

    [Fact]
    public void Round_trips_ipv4_and_ipv6()
    {
        var message = new UtPexMessage(
            [
                new PexPeer(Ep("10.0.0.1:1000"), PexFlags.PrefersEncryption),
                new PexPeer(Ep("[2001:db8::1]:2000"), PexFlags.SupportsUtp),
                new PexPeer(Ep("[::ffff:10.0.0.2]:3000")),
            ],
            [Ep("10.0.0.9:9"), Ep("[2001:db8::9]:99")]);
        var decoded = Decode(UtPex.Encode(message));
        Assert.Equal(
            [new PexPeer(Ep("10.0.0.1:1000"), PexFlags.PrefersEncryption), new PexPeer(Ep("10.0.0.2:3000")), new PexPeer(Ep("[2001:db8::1]:2000"), PexFlags.SupportsUtp)],
            decoded.Added);
        Assert.Equal([Ep("10.0.0.9:9"), Ep("[2001:db8::9]:99")], decoded.Dropped);
        Assert.Equal(0, decoded.Skipped);
    }

    [Fact]
    public void Encoding_keeps_at_most_50_added_and_50_dropped()
    {
        var many = Enumerable.Range(1, 120).Select(i => Ep($"10.0.{i / 250}.{i % 250}:{1000 + i}")).ToList();
        var decoded = Decode(UtPex.Encode(new UtPexMessage(many.Select(e => new PexPeer(e)).ToList(), many)));
        Assert.Equal(50, decoded.Added.Count);
        Assert.Equal(50, decoded.Dropped.Count);
        Assert.Equal(many.Take(50), decoded.Added.Select(p => p.EndPoint));
    }

    [Fact]
    public void Decoding_trims_huge_lists_and_skips_port_zero_and_partial_entries()
    {
        byte[] added = new byte[6 * 300 + 3];
        for (int i = 0; i < 300; i++)
        {
            added[(i * 6) + 0] = 10;
            added[(i * 6) + 3] = (byte)i;
            added[(i * 6) + 5] = i == 0 ? (byte)0 : (byte)1; // the first has port 0
        }
        var dict = new BDictionary { ["added"] = new BString(added), ["added.f"] = new BString(new byte[] { 0xff, 0x02 }) };
        var decoded = Decode(BencodeWriter.Encode(dict));
        Assert.Equal(UtPex.MaxDecodedPerList, decoded.Added.Count);
        Assert.Equal(Ep("10.0.0.1:1"), decoded.Added[0].EndPoint);
        Assert.Equal(PexFlags.SeedOrUploadOnly, decoded.Added[0].Flags); // flags stay aligned past the skipped entry
        Assert.Equal(PexFlags.None, decoded.Added[1].Flags); // no flag byte for it
        Assert.Equal(1 + 1 + (300 - 101), decoded.Skipped); // port 0, partial tail, over the cap
    }

    [Fact]
    public void Missing_or_mistyped_lists_are_empty()
    {
        var decoded = Decode("d5:addedi5e7:dropped0:e"u8.ToArray());
        Assert.True(decoded.IsEmpty);
    }

    [Theory]
    [InlineData("le")]
    [InlineData("d5:added")]
    [InlineData("x")]
    public void Payloads_that_are_not_dictionaries_are_errors(string text)
    {
        Assert.False(UtPex.TryDecode(new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes(text)), out _, out string? error));
        Assert.NotNull(error);
    }
}

using System.Buffers;
using Shoal.Bencoding;

namespace Shoal.Protocol.PeerWire;

/// <summary>
/// The one way to read the bencoded dictionary at the start of a BEP 10 extended message (handshake, ut_metadata,
/// ut_pex): shallow depth limit, trailing bytes allowed (ut_metadata data follows the dictionary), errors as text.
/// </summary>
public static class ExtendedPayload
{
    /// <summary>
    /// Decodes the leading dictionary of <paramref name="payload"/>. <paramref name="consumed"/> is its encoded length;
    /// <paramref name="what"/> names the message in errors ("ut_pex message is not a dictionary").
    /// </summary>
    public static bool TryReadDictionary(ReadOnlySequence<byte> payload, string what, int maxDepth,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out BDictionary? dictionary, out int consumed, out string? error)
    {
        dictionary = null;
        ReadOnlyMemory<byte> bytes = payload.IsSingleSegment ? payload.First : payload.ToArray();
        var options = new BencodeOptions { MaxDepth = maxDepth, AllowTrailingBytes = true };
        var status = BencodeReader.TryDecodePrefix(bytes, out var value, out consumed, out var bencodeError, options);
        if (status != DecodeStatus.Done)
        {
            error = $"{what} is not valid bencode: {(status == DecodeStatus.NeedMore ? "truncated" : bencodeError)}";
            return false;
        }
        if (value is not BDictionary dict)
        {
            error = $"{what} is not a dictionary";
            return false;
        }
        dictionary = dict;
        error = null;
        return true;
    }
}

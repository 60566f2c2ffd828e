namespace Shoal.Bencoding;

/// <summary>Why and where bencoded input was refused.</summary>
/// <param name="Offset">Byte offset in the input where the problem was found.</param>
/// <param name="Message">What was expected, for people.</param>
public sealed record BencodeError(long Offset, string Message)
{
    public override string ToString() => $"{Message} at offset {Offset}";
}

/// <summary>Thrown by the convenience <see cref="BencodeReader.Decode(ReadOnlyMemory{byte}, BencodeOptions?)"/>.</summary>
public sealed class BencodeException(BencodeError error) : FormatException(error.ToString())
{
    public BencodeError Error { get; } = error;
}

/// <summary>Outcome of a decode attempt: untrusted bytes are data, not exceptions.</summary>
public enum DecodeStatus
{
    /// <summary>A complete value was decoded.</summary>
    Done,

    /// <summary>The input ends before the value does; more bytes may complete it.</summary>
    NeedMore,

    /// <summary>The input can never be valid bencode.</summary>
    Invalid,
}

/// <summary>Decoder limits and leniency.</summary>
public sealed record BencodeOptions
{
    public static readonly BencodeOptions Strict = new();

    /// <summary>Maximum nesting of lists and dictionaries.</summary>
    public int MaxDepth { get; init; } = 256;

    /// <summary>Accept bytes after the first complete value (some real torrents end with a newline).</summary>
    public bool AllowTrailingBytes { get; init; }
}

namespace Shoal.Protocol.PeerWire;

/// <summary>Outcome of a framing step over untrusted bytes.</summary>
public enum FrameStatus
{
    /// <summary>A whole item was decoded and consumed.</summary>
    Done,

    /// <summary>The bytes so far are a valid prefix; read more and call again. Nothing was consumed.</summary>
    NeedMore,

    /// <summary>The bytes can never become valid; the connection should be dropped with the error's reason.</summary>
    Invalid,
}

/// <summary>Why a frame was rejected. Only built on the invalid path, so the reason string may allocate.</summary>
public readonly record struct FrameError(FrameErrorCode Code, string Reason)
{
    public override string ToString() => Reason;
}

/// <summary>Machine-readable class of a framing error, for counters.</summary>
public enum FrameErrorCode
{
    None,
    BadProtocolHeader,
    LengthTooLarge,
    WrongLength,
}

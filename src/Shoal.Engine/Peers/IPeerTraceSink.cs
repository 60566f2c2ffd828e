using System.Net;

namespace Shoal.Engine.Peers;

/// <summary>
/// Receives every peer-wire message sent or received, decoded for people (<c>--trace FILE</c>). Called from the
/// connection loops, so implementations must be thread-safe and quick.
/// </summary>
public interface IPeerTraceSink
{
    /// <param name="time">When it was sent or received.</param>
    /// <param name="peer">The remote end.</param>
    /// <param name="outgoing">True for messages we sent.</param>
    /// <param name="message">Decoded text, e.g. <c>request piece=12 begin=16384 length=16384</c>.</param>
    void OnMessage(DateTimeOffset time, EndPoint peer, bool outgoing, string message);
}

/// <summary>Writes trace lines to a text file: <c>2026-11-27T03:10:00.123Z 127.0.0.1:6881 -> request piece=...</c>.</summary>
public sealed class FilePeerTraceSink : IPeerTraceSink, IDisposable
{
    private readonly StreamWriter _writer;
    private readonly Lock _gate = new();

    public FilePeerTraceSink(string path)
    {
        _writer = new StreamWriter(path, append: false) { AutoFlush = false };
    }

    public void OnMessage(DateTimeOffset time, EndPoint peer, bool outgoing, string message)
    {
        lock (_gate)
        {
            _writer.Write(time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            _writer.Write(' ');
            _writer.Write(peer.ToString());
            _writer.Write(outgoing ? " -> " : " <- ");
            _writer.WriteLine(message);
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            _writer.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer.Dispose();
        }
    }
}

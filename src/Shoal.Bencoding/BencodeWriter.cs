using System.Buffers;
using System.Buffers.Text;

namespace Shoal.Bencoding;

/// <summary>
/// Canonical bencode encoder: dictionary keys sorted by raw bytes, no duplicate keys, shortest integers.
/// A dictionary with duplicate keys is refused rather than emitted.
/// </summary>
public static class BencodeWriter
{
    public static byte[] Encode(BValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(IBufferWriter<byte> output, BValue value)
    {
        switch (value)
        {
            case BString s:
                WriteString(output, s.Span);
                break;
            case BInteger i:
                WriteInteger(output, i.Value);
                break;
            case BList l:
                WriteByte(output, (byte)'l');
                foreach (var item in l.Items)
                {
                    Write(output, item);
                }
                WriteByte(output, (byte)'e');
                break;
            case BDictionary d:
                WriteDictionary(output, d);
                break;
            default:
                throw new ArgumentException($"unknown bencode value type {value.GetType().Name}", nameof(value));
        }
    }

    private static void WriteDictionary(IBufferWriter<byte> output, BDictionary d)
    {
        var entries = d.Entries.ToArray();
        Array.Sort(entries, static (a, b) => a.Key.Span.SequenceCompareTo(b.Key.Span));
        for (int i = 1; i < entries.Length; i++)
        {
            if (entries[i].Key.Span.SequenceEqual(entries[i - 1].Key.Span))
            {
                throw new InvalidOperationException($"dictionary has the key '{entries[i].Key}' twice; refusing to encode it");
            }
        }
        WriteByte(output, (byte)'d');
        foreach (var (key, v) in entries)
        {
            WriteString(output, key.Span);
            Write(output, v);
        }
        WriteByte(output, (byte)'e');
    }

    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(bytes.Length + 12);
        Utf8Formatter.TryFormat(bytes.Length, span, out int n);
        span[n++] = (byte)':';
        bytes.CopyTo(span[n..]);
        output.Advance(n + bytes.Length);
    }

    public static void WriteInteger(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(22);
        span[0] = (byte)'i';
        Utf8Formatter.TryFormat(value, span[1..], out int n);
        span[n + 1] = (byte)'e';
        output.Advance(n + 2);
    }

    private static void WriteByte(IBufferWriter<byte> output, byte b)
    {
        output.GetSpan(1)[0] = b;
        output.Advance(1);
    }
}

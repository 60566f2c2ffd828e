using System.Numerics;

namespace Shoal.Protocol;

/// <summary>
/// A set of pieces, stored as on the wire: the high bit of byte 0 is piece 0, spare bits at the end are zero.
/// Not thread-safe: it belongs to whoever owns the torrent state.
/// </summary>
public sealed class BitField
{
    private readonly byte[] _bytes;

    public BitField(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Length = length;
        _bytes = new byte[ByteLengthFor(length)];
    }

    public int Length { get; }

    public int CountSet { get; private set; }

    public bool AllSet => CountSet == Length;

    public bool NoneSet => CountSet == 0;

    public ReadOnlySpan<byte> Bytes => _bytes;

    public static int ByteLengthFor(int bits) => (bits + 7) / 8;

    /// <summary>
    /// Reads a wire bitfield. Returns null with a reason when the size is wrong or a spare bit is set.
    /// </summary>
    public static BitField? TryFromWire(ReadOnlySpan<byte> wire, int length, out string? error)
    {
        if (wire.Length != ByteLengthFor(length))
        {
            error = $"bitfield is {wire.Length} bytes, expected {ByteLengthFor(length)} for {length} pieces";
            return null;
        }
        int spare = wire.Length * 8 - length;
        if (spare > 0 && (wire[^1] & ((1 << spare) - 1)) != 0)
        {
            error = "bitfield has spare bits set past the last piece";
            return null;
        }
        var field = new BitField(length);
        wire.CopyTo(field._bytes);
        field.Recount();
        error = null;
        return field;
    }

    public bool this[int index]
    {
        get
        {
            CheckIndex(index);
            return (_bytes[index >> 3] & (0x80 >> (index & 7))) != 0;
        }
        set
        {
            CheckIndex(index);
            byte mask = (byte)(0x80 >> (index & 7));
            bool was = (_bytes[index >> 3] & mask) != 0;
            if (value && !was)
            {
                _bytes[index >> 3] |= mask;
                CountSet++;
            }
            else if (!value && was)
            {
                _bytes[index >> 3] &= (byte)~mask;
                CountSet--;
            }
        }
    }

    public void SetAll()
    {
        Array.Fill(_bytes, (byte)0xff);
        int spare = _bytes.Length * 8 - Length;
        if (spare > 0)
        {
            _bytes[^1] = (byte)(0xff << spare);
        }
        CountSet = Length;
    }

    public BitField Clone()
    {
        var copy = new BitField(Length);
        _bytes.CopyTo(copy._bytes, 0);
        copy.CountSet = CountSet;
        return copy;
    }

    public IEnumerable<int> SetIndices()
    {
        for (int i = 0; i < Length; i++)
        {
            if (this[i])
            {
                yield return i;
            }
        }
    }

    private void Recount()
    {
        int n = 0;
        foreach (byte b in _bytes)
        {
            n += BitOperations.PopCount(b);
        }
        CountSet = n;
    }

    private void CheckIndex(int index)
    {
        if ((uint)index >= (uint)Length)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"piece index must be below {Length}");
        }
    }
}

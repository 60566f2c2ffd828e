namespace Shoal.Bencoding;

/// <summary>
/// A bencode dictionary. Entries keep the order in which they were read; lookups return the first entry with a key.
/// Input with unsorted or duplicate keys is accepted on read (real torrents have it) and recorded in
/// <see cref="KeysUnsorted"/> and <see cref="HasDuplicateKeys"/>; the writer never emits either.
/// </summary>
public sealed class BDictionary : BValue
{
    private const int IndexThreshold = 12;
    private readonly List<KeyValuePair<BString, BValue>> _entries = [];
    private Dictionary<BString, int>? _index;

    public IReadOnlyList<KeyValuePair<BString, BValue>> Entries => _entries;

    public int Count => _entries.Count;

    /// <summary>True when the input listed keys out of raw-byte order.</summary>
    public bool KeysUnsorted { get; internal set; }

    /// <summary>True when the input listed a key more than once.</summary>
    public bool HasDuplicateKeys { get; internal set; }

    /// <summary>Adds or replaces an entry (for values built in code).</summary>
    public BValue this[string key]
    {
        set => Set(new BString(key), value);
    }

    public void Set(BString key, BValue value)
    {
        int i = IndexOf(key.Span);
        if (i >= 0)
        {
            _entries[i] = new(key, value);
        }
        else
        {
            Append(key, value);
        }
    }

    internal void Append(BString key, BValue value)
    {
        _entries.Add(new(key, value));
        _index?.TryAdd(key, _entries.Count - 1);
    }

    public bool ContainsKey(string key) => TryGetValue(key, out _);

    public bool TryGetValue(string key, out BValue value)
    {
        // Keys are short; encoding on the stack keeps lookups allocation-free on the hot metainfo path.
        if (key.Length <= 64)
        {
            Span<byte> buffer = stackalloc byte[64 * 3];
            int n = System.Text.Encoding.UTF8.GetBytes(key, buffer);
            return TryGetValue(buffer[..n], out value);
        }
        return TryGetValue(System.Text.Encoding.UTF8.GetBytes(key), out value);
    }

    public bool TryGetValue(ReadOnlySpan<byte> key, out BValue value)
    {
        int i = IndexOf(key);
        value = i >= 0 ? _entries[i].Value : null!;
        return i >= 0;
    }

    public BValue? Get(string key) => TryGetValue(key, out var v) ? v : null;

    /// <summary>Returns the value under <paramref name="key"/> when it has type <typeparamref name="T"/>, else null.</summary>
    public T? Get<T>(string key) where T : BValue => Get(key) as T;

    private int IndexOf(ReadOnlySpan<byte> key)
    {
        if (_entries.Count <= IndexThreshold)
        {
            for (int i = 0; i < _entries.Count; i++)
            {
                if (_entries[i].Key.Span.SequenceEqual(key))
                {
                    return i;
                }
            }
            return -1;
        }

        if (_index is null)
        {
            _index = new Dictionary<BString, int>(_entries.Count);
            for (int i = 0; i < _entries.Count; i++)
            {
                _index.TryAdd(_entries[i].Key, i);
            }
        }
        return _index.TryGetValue(new BString(key.ToArray()), out int found) ? found : -1;
    }
}

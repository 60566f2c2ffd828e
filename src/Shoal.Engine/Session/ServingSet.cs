using Shoal.Engine.Peers;

namespace Shoal.Engine.Session;

/// <summary>
/// A peer's requests that we are serving, keyed by <see cref="PeerState.Key"/>. The one piece of peer state shared
/// with the disk workers: the loop adds requests and removes them on cancel or choke; a worker that has read a
/// block sends it only if it can still take its key out of the set (so a cancelled or rejected request is never
/// answered twice). Hence the lock; every operation is a few instructions.
/// </summary>
internal sealed class ServingSet
{
    private readonly HashSet<long> _keys = [];

    public int Count
    {
        get
        {
            lock (_keys)
            {
                return _keys.Count;
            }
        }
    }

    public bool Add(long key)
    {
        lock (_keys)
        {
            return _keys.Add(key);
        }
    }

    /// <summary>True if the key was there: the caller now owns the answer to that request.</summary>
    public bool Remove(long key)
    {
        lock (_keys)
        {
            return _keys.Remove(key);
        }
    }

    /// <summary>
    /// Takes the request out of the set and queues <paramref name="message"/> (its block) in one step. False, and
    /// nothing sent, when the request was cancelled, rejected or dropped by a choke meanwhile.
    /// </summary>
    public bool TrySend(long key, PeerConnection connection, in OutgoingMessage message)
    {
        lock (_keys)
        {
            if (!_keys.Remove(key))
            {
                return false;
            }
            connection.Send(message);
            return true;
        }
    }

    /// <summary>Drops every pending request and queues <paramref name="message"/> (a choke) so no block can follow it.</summary>
    public void ClearAndSend(PeerConnection connection, in OutgoingMessage message)
    {
        lock (_keys)
        {
            _keys.Clear();
            connection.Send(message);
        }
    }

    public long[] ToArray()
    {
        lock (_keys)
        {
            return [.. _keys];
        }
    }
}

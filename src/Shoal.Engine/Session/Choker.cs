namespace Shoal.Engine.Session;

/// <summary>
/// Tit-for-tat choking (BEP 3): unchoke the <c>slots</c> interested peers with the best rate (rate from them while
/// downloading, rate to them while seeding), plus one optimistic unchoke among the rest, rotated every 30 s so new
/// peers get a chance to prove themselves. Pure: the caller applies the decision.
/// </summary>
internal static class Choker
{
    public readonly record struct Candidate<T>(T Peer, bool Interested, long Rate);

    public sealed record Decision<T>(HashSet<T> Unchoked, T? Optimistic);

    public static Decision<T> Decide<T>(IReadOnlyList<Candidate<T>> peers, int slots, T? currentOptimistic, bool rotate, Random random)
        where T : class
    {
        var interested = peers.Where(p => p.Interested).OrderByDescending(p => p.Rate).ToList();
        var unchoked = new HashSet<T>(interested.Take(slots).Select(p => p.Peer));
        var rest = interested.Skip(slots).Select(p => p.Peer).ToList();
        T? optimistic = currentOptimistic;
        if (rotate || optimistic is null || !rest.Contains(optimistic))
        {
            optimistic = rest.Count == 0 ? null : rest[random.Next(rest.Count)];
        }
        if (optimistic is not null)
        {
            unchoked.Add(optimistic);
        }
        return new Decision<T>(unchoked, optimistic);
    }
}

using System.Text;
using Shoal.Protocol.Metainfo;

namespace Shoal.Fuzz.Targets;

/// <summary>Magnet links: only <see cref="MetainfoException"/> may come out; an accepted link formats to a URI that
/// parses back to the same link.</summary>
internal static class MagnetTarget
{
    public static void Run(ReadOnlySpan<byte> data)
    {
        string text = Encoding.UTF8.GetString(data);
        MagnetLink link;
        try
        {
            link = Oracle.WithinBudget(data.Length, 512, () => MagnetLink.Parse(text), "MagnetLink.Parse");
        }
        catch (MetainfoException)
        {
            return;
        }
        string uri = link.ToUri();
        MagnetLink again;
        try
        {
            again = MagnetLink.Parse(uri);
        }
        catch (MetainfoException e)
        {
            throw new OracleException($"ToUri() output '{uri}' does not parse: {e.Message}");
        }
        Oracle.Check(again.InfoHash == link.InfoHash, "info hash changed in a round trip");
        Oracle.Check(again.DisplayName == link.DisplayName, $"display name '{link.DisplayName}' became '{again.DisplayName}'");
        Oracle.Check(again.Trackers.SequenceEqual(link.Trackers), "trackers changed in a round trip");
        Oracle.Check(again.Peers.SequenceEqual(link.Peers), "peers changed in a round trip");
    }
}

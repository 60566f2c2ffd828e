using System.Text.RegularExpressions;
using Shoal.Interop.Tests.Infrastructure;

namespace Shoal.Interop.Tests.Swarm;

/// <summary>A payload on disk and the torrent libtorrent made of it.</summary>
/// <param name="SaveDir">The folder that holds the torrent's top entry (what clients call the save path).</param>
/// <param name="Root">The payload itself: the single file, or the multi-file torrent's folder.</param>
public sealed record SeededPayload(string SaveDir, string Root, TestTorrent Torrent);

/// <summary>Payloads and checks shared by the swarm tests.</summary>
public static class TestSwarms
{
    /// <summary>256 KiB: 22 pieces for the multi-file layout (not a multiple of 8, so a bitfield has spare bits).</summary>
    public const int PieceSize = 256 * 1024;

    public static async Task<SeededPayload> MultiFileAsync(SwarmScope scope, int seed = 1, string? tracker = null)
    {
        string saveDir = scope.Dir.Sub("seed");
        string root = Payload.WriteMulti(saveDir, "multi", Payload.MultiFileLayout, seed);
        var torrent = await LibtorrentPeer.MakeTorrentAsync(root, Path.Combine(scope.Path, "multi.torrent"), PieceSize, tracker);
        Assert.NotEqual(0, torrent.TotalLength % PieceSize);
        return new SeededPayload(saveDir, root, torrent);
    }

    public static async Task<SeededPayload> SingleFileAsync(SwarmScope scope, long length = 3_000_001, int seed = 2,
        string? tracker = null)
    {
        string saveDir = scope.Dir.Sub("seed");
        string root = Payload.WriteSingle(saveDir, "single.bin", length, seed);
        var torrent = await LibtorrentPeer.MakeTorrentAsync(root, Path.Combine(scope.Path, "single.torrent"), PieceSize, tracker);
        return new SeededPayload(saveDir, root, torrent);
    }

    /// <summary>Where a client saving into <paramref name="outDir"/> puts this payload.</summary>
    public static string Landed(this SeededPayload p, string outDir) => Path.Combine(outDir, Path.GetFileName(p.Root));

    /// <summary>Asserts that shoal exited 0 and wrote the payload byte for byte.</summary>
    public static void AssertShoalDownloaded(SwarmScope scope, ShoalProcess shoal, SeededPayload p, string outDir)
    {
        Assert.True(shoal.ExitCode == 0, $"shoal download exited {shoal.ExitCode}\n{scope.Report()}");
        Payload.AssertSameTree(p.Root, p.Landed(outDir), scope.Report);
    }

    /// <summary>
    /// Asserts that shoal logged why it dropped a peer: some line of its output (or trace file) matches
    /// <paramref name="reason"/> and names the peer's port or says it disconnected/dropped/closed/banned it.
    /// </summary>
    public static void AssertLoggedDrop(SwarmScope scope, string log, int peerPort, Regex reason)
    {
        var lines = log.Split('\n');
        string port = peerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        bool found = lines.Any(l => reason.IsMatch(l)
            && (l.Contains(port, StringComparison.Ordinal) || DropWords().IsMatch(l)));
        Assert.True(found, $"no log line says why the peer on port {peerPort} was dropped (want /{reason}/ plus the port "
            + $"or a word like disconnect/drop/close)\n{scope.Report()}");
    }

    private static Regex DropWords() => new("disconnect|drop|clos|ban|kick|reject|invalid|violation|error", RegexOptions.IgnoreCase);
}

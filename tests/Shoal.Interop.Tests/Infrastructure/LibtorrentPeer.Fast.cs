using System.Globalization;

namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>How <c>lt_fast_seed.py</c> chokes: see the script's header.</summary>
public sealed record FastSeedOptions
{
    /// <summary>libtorrent's unchoke_slots_limit; 0 keeps every peer choked.</summary>
    public int UnchokeSlots { get; init; } = 8;

    /// <summary>libtorrent's allowed_fast_set_size.</summary>
    public int AllowedFast { get; init; } = 5;

    public long UploadLimit { get; init; }

    /// <summary>Choke everyone once this many bytes are uploaded (0: never), and unchoke again after a few seconds.</summary>
    public long ChokeAfter { get; init; }
}

public sealed partial class LibtorrentPeer
{
    /// <summary>Starts a libtorrent seeder whose choking the test controls (BEP 6 tests).</summary>
    public static Task<LibtorrentPeer> StartFastSeederAsync(string torrent, string dataDir, FastSeedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var args = new List<string> { Path.Combine(ScriptsDir, "lt_fast_seed.py"), torrent, dataDir,
            "--unchoke-slots", options.UnchokeSlots.ToString(CultureInfo.InvariantCulture),
            "--allowed-fast", options.AllowedFast.ToString(CultureInfo.InvariantCulture),
            "--upload-limit", options.UploadLimit.ToString(CultureInfo.InvariantCulture),
            "--choke-after", options.ChokeAfter.ToString(CultureInfo.InvariantCulture) };
        return StartAsync(args, null);
    }
}

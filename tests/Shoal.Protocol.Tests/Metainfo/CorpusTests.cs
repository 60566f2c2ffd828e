using System.Globalization;
using Shoal.Protocol.Metainfo;

namespace Shoal.Protocol.Tests.Metainfo;

/// <summary>Every row of the shared conformance corpus (../shared/corpus from the repo root; never copied here).</summary>
public class CorpusTests
{
    /// <summary>
    /// Rows where libtorrent and Transmission disagree about duplicate paths; our policy is refusal
    /// (see FilePaths and docs/metainfo.md), applied to all four.
    /// </summary>
    private static readonly HashSet<string> DuplicateRows = new(StringComparer.Ordinal)
    {
        "libtorrent-duplicate_files.torrent",
        "libtorrent-duplicate_files2.torrent",
        "transmission-dup-files.torrent",
        "libtorrent-empty_path_multi.torrent",
    };

    public static TheoryData<string> Rows()
    {
        var data = new TheoryData<string>();
        foreach (var row in Corpus.ReadManifest())
        {
            data.Add(row["file"]);
        }
        return data;
    }

    [Fact]
    public void Corpus_is_present_and_complete()
    {
        var rows = Corpus.ReadManifest();
        Assert.True(rows.Count >= 186, $"expected at least 186 manifest rows, found {rows.Count}");
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void Row_matches_its_verdict(string file)
    {
        var row = Corpus.ReadManifest().Single(r => r["file"] == file);
        byte[] bytes = File.ReadAllBytes(Path.Combine(Corpus.Directory, file));
        string fileName = Path.GetFileName(file);

        if (DuplicateRows.Contains(fileName))
        {
            var dup = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(bytes));
            Assert.Contains("two files share the path", dup.Message, StringComparison.Ordinal);
            return;
        }

        if (row["expected"] == "invalid")
        {
            var ex = Record.Exception(() => TorrentMetainfo.Parse(bytes));
            Assert.NotNull(ex);
            Assert.IsType<MetainfoException>(ex);
            Assert.DoesNotContain('\n', ex.Message);
            return;
        }

        if (row["torrent_kind"] == "v2")
        {
            var v2 = Assert.Throws<MetainfoException>(() => TorrentMetainfo.Parse(bytes));
            Assert.Equal("BitTorrent v2 is not supported yet", v2.Message);
            return;
        }

        var meta = TorrentMetainfo.Parse(bytes);
        Assert.Equal(row["expected_info_hash_v1_hex"], meta.InfoHash.ToHex());
        Assert.Equal(long.Parse(row["total_length"], CultureInfo.InvariantCulture), meta.TotalLength);
        Assert.Equal(int.Parse(row["piece_length"], CultureInfo.InvariantCulture), meta.PieceLength);
        Assert.Equal(int.Parse(row["num_files"], CultureInfo.InvariantCulture), meta.Files.Count);
        Assert.Equal(row["torrent_kind"] == "hybrid", meta.IsHybrid);
        string rawName = row["name"];
        bool plainName = !rawName.Contains('\\', StringComparison.Ordinal)
            && PathSanitizer.SanitizeComponent(rawName) == rawName;
        if (plainName && !fileName.Contains("bitcomet", StringComparison.Ordinal)) // BitComet: name.utf-8 wins
        {
            Assert.Equal(rawName, meta.Name);
        }
        PathSafety.AssertStaysUnderRoot(meta);
    }
}

/// <summary>Finds the corpus relative to the repository root (the folder holding Shoal.slnx).</summary>
internal static class Corpus
{
    private static List<Dictionary<string, string>>? _rows;

    public static string Directory { get; } = Locate();

    private static string Locate()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Shoal.slnx")))
        {
            dir = dir.Parent;
        }
        if (dir is null)
        {
            throw new InvalidOperationException($"cannot find Shoal.slnx above {AppContext.BaseDirectory}");
        }
        // ../shared/corpus from the repo root; a git worktree sits one level deeper (/work/wt/x), so also try the
        // same relative spot above each ancestor. SHOAL_CORPUS overrides.
        if (Environment.GetEnvironmentVariable("SHOAL_CORPUS") is { Length: > 0 } env)
        {
            return Path.GetFullPath(env);
        }
        string first = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "corpus"));
        for (var up = dir.Parent; up is not null; up = up.Parent)
        {
            string candidate = Path.Combine(up.FullName, "shared", "corpus");
            if (File.Exists(Path.Combine(candidate, "MANIFEST.tsv")))
            {
                return candidate;
            }
        }
        return first;
    }

    public static List<Dictionary<string, string>> ReadManifest()
    {
        if (_rows is not null)
        {
            return _rows;
        }
        string manifest = Path.Combine(Directory, "MANIFEST.tsv");
        if (!File.Exists(manifest))
        {
            throw new InvalidOperationException(
                $"the conformance corpus is missing: {manifest} not found (expected ../shared/corpus next to the repo)");
        }
        var lines = File.ReadAllLines(manifest);
        var header = lines[0].Split('\t');
        var rows = new List<Dictionary<string, string>>();
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            var cells = line.Split('\t');
            var row = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < header.Length; i++)
            {
                row[header[i]] = i < cells.Length ? cells[i] : "";
            }
            rows.Add(row);
        }
        _rows = rows;
        return rows;
    }
}

internal static class PathSafety
{
    public static void AssertStaysUnderRoot(TorrentMetainfo meta)
    {
        string root = Path.GetFullPath(Path.Combine(Path.GetTempPath(), "shoal-root")) + Path.DirectorySeparatorChar;
        foreach (var file in meta.Files)
        {
            var parts = new List<string> { root };
            if (meta.IsMultiFile)
            {
                parts.Add(meta.Name);
            }
            parts.AddRange(file.PathComponents);
            string full = Path.GetFullPath(Path.Combine([.. parts]));
            Assert.StartsWith(root, full, StringComparison.Ordinal);
            Assert.NotEqual(root.TrimEnd(Path.DirectorySeparatorChar), full);
            foreach (string c in file.PathComponents)
            {
                Assert.False(string.IsNullOrEmpty(c) || c is "." or ".." || c.Contains('/') || c.Contains('\\'),
                    $"unsafe component '{c}'");
            }
        }
    }
}

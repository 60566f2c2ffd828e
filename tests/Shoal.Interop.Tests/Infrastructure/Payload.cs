using System.Security.Cryptography;

namespace Shoal.Interop.Tests.Infrastructure;

/// <summary>One file of a generated payload: path relative to the payload root, and its length.</summary>
public sealed record PayloadFile(string RelativePath, long Length);

/// <summary>
/// Deterministic random payloads (same seed, same bytes) and byte-for-byte comparison of what a client wrote.
/// </summary>
public static class Payload
{
    /// <summary>
    /// A multi-file layout whose total (5,678,911 bytes) is not a multiple of any power-of-two piece length, with an
    /// empty file, a file smaller than a block, nested folders, and files that straddle piece boundaries.
    /// </summary>
    public static IReadOnlyList<PayloadFile> MultiFileLayout { get; } =
    [
        new("a.bin", 1_000_003),
        new("empty.txt", 0),
        new("docs/readme.txt", 1_234),
        new("docs/deep/b.bin", 2_345_678),
        new("c.bin", 16_384),
        new("z/last.bin", 2_315_612),
    ];

    /// <summary>Writes one file of random bytes and returns its path.</summary>
    public static string WriteSingle(string dir, string name, long length, int seed)
    {
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, name);
        WriteRandom(path, length, seed);
        return path;
    }

    /// <summary>Writes <paramref name="files"/> under <c>dir/name</c> and returns that folder.</summary>
    public static string WriteMulti(string dir, string name, IReadOnlyList<PayloadFile> files, int seed)
    {
        string root = Path.Combine(dir, name);
        for (int i = 0; i < files.Count; i++)
        {
            string path = Path.Combine(root, files[i].RelativePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            WriteRandom(path, files[i].Length, unchecked(seed * 7919 + i));
        }
        return root;
    }

    private static void WriteRandom(string path, long length, int seed)
    {
        var rng = new Random(seed);
        var buffer = new byte[64 * 1024];
        using var f = new FileStream(path, FileMode.Create, FileAccess.Write);
        for (long left = length; left > 0;)
        {
            int n = (int)Math.Min(buffer.Length, left);
            rng.NextBytes(buffer.AsSpan(0, n));
            f.Write(buffer, 0, n);
            left -= n;
        }
    }

    /// <summary>SHA-256 of every file under <paramref name="root"/> (or of the single file), keyed by relative path.</summary>
    public static SortedDictionary<string, string> HashTree(string root)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(root))
        {
            result[Path.GetFileName(root)] = HashFile(root);
            return result;
        }
        if (!Directory.Exists(root))
        {
            return result;
        }
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
        {
            result[Path.GetRelativePath(root, file).Replace('\\', '/')] = HashFile(file);
        }
        return result;
    }

    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static string HashFile(string path)
    {
        using var f = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(f));
    }

    /// <summary>
    /// Asserts that <paramref name="actual"/> holds exactly the files of <paramref name="expected"/> with the same
    /// bytes; extra files are allowed only if <paramref name="ignoreExtra"/> (clients keep resume files beside data),
    /// and empty files may be absent only if <paramref name="allowMissingEmpty"/> (Transmission never creates them).
    /// </summary>
    public static void AssertSameTree(string expected, string actual, Func<string> diagnostics, bool ignoreExtra = false,
        bool allowMissingEmpty = false)
    {
        var want = HashTree(expected);
        var got = HashTree(actual);
        var problems = new List<string>();
        foreach (var (path, hash) in want)
        {
            if (!got.TryGetValue(path, out var h))
            {
                if (allowMissingEmpty && hash == EmptySha256)
                {
                    continue;
                }
                problems.Add($"missing {path}");
            }
            else if (h != hash)
            {
                string file = File.Exists(actual) ? actual : Path.Combine(actual, path);
                problems.Add($"content differs: {path} ({new FileInfo(file).Length} bytes, sha256 {h}; want {hash})");
            }
        }
        if (!ignoreExtra)
        {
            problems.AddRange(got.Keys.Where(k => !want.ContainsKey(k)).Select(k => $"unexpected file {k}"));
        }
        Assert.True(problems.Count == 0,
            $"payload at {actual} differs from {expected}:\n  {string.Join("\n  ", problems)}\n{diagnostics()}");
    }
}

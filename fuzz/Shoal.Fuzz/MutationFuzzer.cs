using System.Diagnostics;

namespace Shoal.Fuzz;

/// <summary>
/// Fallback fuzzer with no coverage feedback: mutates the seed corpus at random (bit flips, interesting integers,
/// inserts, deletes, block copies, splices with another seed, digit runs for length prefixes) and runs the target in
/// process. Without coverage there is no way to tell an interesting mutant, so a bounded random sample of mutants joins
/// the pool. A watchdog reports an input that runs longer than 10 s as a hang.
/// </summary>
internal static class MutationFuzzer
{
    private static readonly long[] Interesting = [0, 1, -1, 19, 20, 68, 127, 128, 255, 256, 16384, 16385, 32768, 65535, 65536,
        int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue, 1L << 62];

    public static int Run(string name, FuzzTarget target, TimeSpan duration, string corpusDir, string outDir)
    {
        var pool = Directory.Exists(corpusDir)
            ? Directory.EnumerateFiles(corpusDir).Order().Select(File.ReadAllBytes).ToList()
            : [];
        if (pool.Count == 0)
        {
            pool.Add([]);
        }
        Directory.CreateDirectory(outDir);
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        var clock = Stopwatch.StartNew();
        long execs = 0;
        int crashes = 0;
        var signatures = new HashSet<string>(StringComparer.Ordinal);
        byte[] current = [];
        long startedAt = 0;
        using var watchdog = new Timer(_ =>
        {
            long began = Interlocked.Read(ref startedAt);
            if (began != 0 && clock.ElapsedMilliseconds - began > 10_000)
            {
                Save(outDir, "hang", current);
                Console.WriteLine($"{name}: HANG (> 10 s) saved to {outDir}");
                Environment.Exit(3);
            }
        }, null, 1000, 1000);

        while (clock.Elapsed < duration)
        {
            var parent = pool[rng.Next(pool.Count)];
            current = Mutate(parent, pool, rng);
            Interlocked.Exchange(ref startedAt, Math.Max(1, clock.ElapsedMilliseconds));
            try
            {
                target(current);
            }
            catch (Exception e)
            {
                // One saved example per distinct failure site keeps the output readable.
                string signature = e.GetType().Name + "|" + (e is OracleException ? e.Message[..Math.Min(40, e.Message.Length)] : e.StackTrace?.Split('\n')[0]);
                if (signatures.Add(signature))
                {
                    crashes++;
                    string file = Save(outDir, "crash", current);
                    Console.WriteLine($"{name}: crash {e.GetType().Name}: {e.Message} -> {file}");
                }
            }
            Interlocked.Exchange(ref startedAt, 0);
            execs++;
            if (pool.Count < 2000 && rng.Next(64) == 0)
            {
                pool.Add(current);
            }
        }
        Console.WriteLine($"{name}: mode=random seed={seed} time={clock.Elapsed.TotalSeconds:F0}s execs={execs} "
            + $"execs/s={execs / Math.Max(1, clock.Elapsed.TotalSeconds):F0} pool={pool.Count} unique_crashes={crashes}");
        return crashes == 0 ? 0 : 1;
    }

    private static string Save(string dir, string kind, byte[] data)
    {
        string path = Path.Combine(dir, $"{kind}-{Convert.ToHexString(System.Security.Cryptography.SHA1.HashData(data))[..16].ToLowerInvariant()}");
        File.WriteAllBytes(path, data);
        return path;
    }

    private static byte[] Mutate(byte[] parent, List<byte[]> pool, Random rng)
    {
        var data = new List<byte>(parent);
        int rounds = 1 + rng.Next(8);
        for (int r = 0; r < rounds; r++)
        {
            int at = data.Count == 0 ? 0 : rng.Next(data.Count + 1);
            switch (rng.Next(9))
            {
                case 0 when data.Count > 0:
                    int i = rng.Next(data.Count);
                    data[i] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[rng.Next(data.Count)] = (byte)rng.Next(256);
                    break;
                case 2:
                    data.InsertRange(at, Enumerable.Range(0, 1 + rng.Next(8)).Select(_ => (byte)rng.Next(256)));
                    break;
                case 3 when data.Count > 0:
                    int del = rng.Next(data.Count);
                    data.RemoveRange(del, Math.Min(data.Count - del, 1 + rng.Next(16)));
                    break;
                case 4 when data.Count > 1:
                    int from = rng.Next(data.Count);
                    int len = Math.Min(data.Count - from, 1 + rng.Next(64));
                    data.InsertRange(at, data.GetRange(from, len));
                    break;
                case 5:
                    var other = pool[rng.Next(pool.Count)];
                    if (other.Length > 0)
                    {
                        int start = rng.Next(other.Length);
                        data.InsertRange(at, other.Skip(start).Take(1 + rng.Next(other.Length - start)));
                    }
                    break;
                case 6:
                    // Decimal numbers feed bencode lengths and integers.
                    data.InsertRange(at, System.Text.Encoding.ASCII.GetBytes(Interesting[rng.Next(Interesting.Length)].ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    break;
                case 7 when data.Count >= 4:
                    // Big-endian integers feed peer-wire and tracker fields.
                    int pos = rng.Next(data.Count - 3);
                    uint v = (uint)Interesting[rng.Next(Interesting.Length)];
                    for (int b = 0; b < 4; b++)
                    {
                        data[pos + b] = (byte)(v >> (24 - 8 * b));
                    }
                    break;
                case 8:
                    byte[] token = Tokens[rng.Next(Tokens.Length)];
                    data.InsertRange(at, token);
                    break;
            }
        }
        if (data.Count > 1 << 16)
        {
            data.RemoveRange(1 << 16, data.Count - (1 << 16));
        }
        return [.. data];
    }

    private static readonly byte[][] Tokens = [.. new[]
    {
        "d", "l", "e", "i", ":", "0:", "..", "/", "\\", "%2F", "%00", "&", "=", "?", "4:path", "6:length", "5:files",
        "4:name", "12:piece length", "6:pieces", "4:info", "8:announce", "13:announce-list", "2:xt", "urn:btih:",
        "magnet:?", "&tr=", "&dn=", "&x.pe=", "1:y", "1:q", "1:r", "1:t", "1:a", "2:id", "5:nodes", "6:values",
    }.Select(System.Text.Encoding.ASCII.GetBytes)];
}

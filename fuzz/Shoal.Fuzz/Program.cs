using Shoal.Fuzz;
using Shoal.Fuzz.Targets;

// Usage:
//   Shoal.Fuzz <target>                                   run under afl-fuzz (SharpFuzz persistent mode; stdin input)
//   Shoal.Fuzz <target> --repro <file|dir>...             replay inputs in process, print each outcome
//   Shoal.Fuzz <target> --random <seconds> <corpus> <out> coverage-less mutation fuzzing of the corpus
//   Shoal.Fuzz seeds <corpus-root>                        (re)write the self-made seed corpora
var targets = new Dictionary<string, FuzzTarget>(StringComparer.Ordinal)
{
    ["bencode"] = BencodeTarget.Run,
    ["metainfo"] = MetainfoTarget.Run,
    ["magnet"] = MagnetTarget.Run,
    ["peerwire"] = PeerWireTarget.Run,
    ["tracker-http"] = TrackerTargets.Http,
    ["tracker-udp"] = TrackerTargets.Udp,
    ["krpc"] = KrpcTarget.Run,
    // Self-test of the set-up: fails on a bencoded string holding "!!", so a run proves findings are caught and saved.
    // It goes through the decoder because afl-fuzz refuses a target that runs no instrumented code.
    ["canary"] = data => Oracle.Check(
        Shoal.Bencoding.BencodeReader.TryDecode(data.ToArray(), out var v, out _, out _) != Shoal.Bencoding.DecodeStatus.Done
        || v is not Shoal.Bencoding.BString s || s.Span.IndexOf("!!"u8) < 0, "canary input found"),
};

if (args.Length == 2 && args[0] == "seeds")
{
    Seeds.WriteAll(args[1]);
    return 0;
}
if (args.Length == 0 || !targets.TryGetValue(args[0], out var target))
{
    Console.Error.WriteLine($"usage: Shoal.Fuzz <{string.Join('|', targets.Keys)}> [--repro PATH... | --random SECONDS CORPUS OUT] | seeds DIR");
    return 2;
}
if (args.Length == 1)
{
    SharpFuzz.Fuzzer.Run(stream =>
    {
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        target(copy.GetBuffer().AsSpan(0, (int)copy.Length));
    });
    return 0;
}
if (args[1] == "--repro" && args.Length >= 3)
{
    return Repro.Run(target, args[2..]);
}
if (args[1] == "--random" && args.Length == 5 && int.TryParse(args[2], out int seconds))
{
    return MutationFuzzer.Run(args[0], target, TimeSpan.FromSeconds(seconds), args[3], args[4]);
}
Console.Error.WriteLine("bad arguments");
return 2;

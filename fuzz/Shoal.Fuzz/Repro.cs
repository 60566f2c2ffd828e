namespace Shoal.Fuzz;

/// <summary>Replays saved inputs (crashes, corpus files) in process and says what each one did.</summary>
internal static class Repro
{
    public static int Run(FuzzTarget target, IEnumerable<string> paths)
    {
        int failures = 0;
        foreach (var file in paths.SelectMany(p => Directory.Exists(p) ? Directory.EnumerateFiles(p).Order() : (IEnumerable<string>)[p]))
        {
            var data = File.ReadAllBytes(file);
            try
            {
                target(data);
                Console.WriteLine($"ok    {file}");
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"FAIL  {file}: {e.GetType().Name}: {e.Message}");
                Console.WriteLine(e.StackTrace);
            }
        }
        return failures == 0 ? 0 : 1;
    }
}

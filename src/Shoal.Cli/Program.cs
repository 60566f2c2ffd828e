using Shoal.Cli.Output;

namespace Shoal.Cli;

internal static class Program
{
    private static int Main(string[] args)
    {
        int code = ShoalCommands.Run(args);
        if (Environment.GetEnvironmentVariable("SHOAL_STATS") == "1")
        {
            RuntimeStats.Print();
        }
        return code;
    }
}

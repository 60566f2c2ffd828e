namespace Shoal.Cli;

internal static class Program
{
    private static int Main(string[] args) => ShoalCommands.Run(args);
}

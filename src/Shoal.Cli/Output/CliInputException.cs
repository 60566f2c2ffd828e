namespace Shoal.Cli.Output;

/// <summary>Thrown by a command for input it refuses; reported as one line with exit code 2.</summary>
internal sealed class CliInputException(string message) : Exception(message);

using Microsoft.Extensions.Logging;

namespace Shoal.Cli.Progress;

/// <summary>
/// Minimal logger to stderr: <c>--verbose</c> shows debug lines, the default warnings, <c>--quiet</c> errors.
/// Tracker chatter (category Shoal.Trackers) shows only with <c>--verbose</c>: the status line already says when
/// every tracker fails, with their words.
/// </summary>
internal sealed class StderrLoggerFactory(LogLevel minimum) : ILoggerFactory
{
    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(StderrLoggerFactory owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) =>
            logLevel != LogLevel.None && logLevel >= owner._minimum()
            && (owner._minimum() <= LogLevel.Debug || logLevel >= LogLevel.Error || !category.StartsWith("Shoal.Trackers", StringComparison.Ordinal));

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            string level = logLevel switch
            {
                LogLevel.Trace => "trace", LogLevel.Debug => "debug", LogLevel.Information => "info",
                LogLevel.Warning => "warn", LogLevel.Error => "error", _ => "fatal",
            };
            string line = $"{level}: {formatter(state, exception)}";
            if (exception is not null && owner._minimum() <= LogLevel.Debug)
            {
                line += Environment.NewLine + exception;
            }
            ConsoleOutput.WriteError(line);
        }
    }

    private LogLevel _minimum() => minimum;
}

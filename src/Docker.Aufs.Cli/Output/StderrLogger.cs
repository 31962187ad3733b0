using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Cli.Output;

/// <summary>
/// Library log messages as one line each on stderr: <c>docker-aufs: warning: …</c>. The tool's whole logging: the library
/// logs through <c>Microsoft.Extensions.Logging.Abstractions</c>, and this factory is all the tool needs to receive it
/// (no logging framework, dependency injection or options packages ship with the tool).
/// </summary>
internal sealed class StderrLoggerFactory(TextWriter error, LogLevel minimum) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new StderrLogger(error, minimum);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The tool logs to stderr only.");

    public void Dispose()
    {
    }

    private sealed class StderrLogger(TextWriter error, LogLevel minimum) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var level = logLevel switch
            {
                LogLevel.Warning => "warning",
                LogLevel.Error or LogLevel.Critical => "error",
                LogLevel.Information => "info",
                _ => "debug",
            };
            lock (error)
            {
                error.WriteLine($"docker-aufs: {level}: {TerminalText.Escape(formatter(state, exception))}");
            }
        }
    }
}

using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Cli.Output;

/// <summary>Library log messages as one line each on stderr: <c>docker-aufs: warning: …</c>.</summary>
internal sealed class StderrLoggerProvider(TextWriter error, LogLevel minimum) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new StderrLogger(error, minimum);

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
                error.WriteLine($"docker-aufs: {level}: {formatter(state, exception)}");
            }
        }
    }
}

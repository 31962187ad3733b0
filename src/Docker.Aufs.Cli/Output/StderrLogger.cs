using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Cli.Output;

/// <summary>
/// Library log messages as one line each on stderr: <c>docker-aufs: warning: …</c>. The tool's whole logging: the library
/// logs through <c>Microsoft.Extensions.Logging.Abstractions</c>, and this factory is all the tool needs to receive it
/// (no logging framework, dependency injection or options packages ship with the tool).
/// </summary>
internal sealed class StderrLoggerFactory(TextWriter error, LogLevel minimum) : ILoggerFactory
{
    /// <summary>The library's event for a part of the root this process may not read (a partial result: the command exits 1).</summary>
    public const int UnreadableEventId = 1101;

    private readonly Counter _unreadable = new();

    /// <summary>Gets how many parts of the root were reported unreadable so far.</summary>
    public int UnreadableCount => Volatile.Read(ref _unreadable.Value);

    public ILogger CreateLogger(string categoryName) => new StderrLogger(error, minimum, _unreadable);

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("The tool logs to stderr only.");

    public void Dispose()
    {
    }

    private sealed class Counter
    {
        public int Value;
    }

    private sealed class StderrLogger(TextWriter error, LogLevel minimum, Counter unreadable) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == UnreadableEventId)
            {
                Interlocked.Increment(ref unreadable.Value);
            }

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

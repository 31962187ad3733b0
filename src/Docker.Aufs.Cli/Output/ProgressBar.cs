using System.CommandLine;
using Docker.Aufs.Archive;

namespace Docker.Aufs.Cli.Output;

/// <summary>
/// A one-line progress bar on stderr, redrawn in place at most ten times a second; only created when stderr is a terminal
/// and output is not JSON, and not with <c>--quiet</c> (<see cref="Create"/>). Cleared when disposed.
/// </summary>
internal sealed class ProgressBar : IProgress<ArchiveProgress>, IDisposable
{
    private const int Width = 30;
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);

    private readonly TextWriter _error;
    private readonly TimeProvider _time;
    private readonly string _label;
    private DateTimeOffset _last = DateTimeOffset.MinValue;
    private int _drawn;

    private ProgressBar(TextWriter error, TimeProvider time, string label)
    {
        _error = error;
        _time = time;
        _label = label;
    }

    /// <summary>Returns a bar when stderr is a terminal, the output is not JSON and <c>--quiet</c> was not given; otherwise <see langword="null"/>.</summary>
    public static ProgressBar? Create(Session session, string label, Option<bool> quiet) =>
        session.Environment.ErrorIsTerminal && !session.Json && !session.Value(quiet) ? new ProgressBar(session.Environment.Error, session.Environment.Time, label) : null;

    public void Report(ArchiveProgress value)
    {
        var now = _time.GetUtcNow();
        if (now - _last < Interval)
        {
            return;
        }

        _last = now;
        var done = Humanize.Size(value.BytesDone);
        string line;
        if (value.BytesEstimated is { } total && total > 0)
        {
            var fraction = Math.Clamp((double)value.BytesDone / total, 0, 1);
            var filled = (int)(fraction * Width);
            line = $"{_label} [{new string('#', filled)}{new string('.', Width - filled)}] {fraction * 100,3:0}% {done} of ~{Humanize.Size(total)}, layer {value.LayerNumber}/{value.LayerCount}";
        }
        else if (value.LayerCount > 0)
        {
            line = $"{_label} {done}, layer {value.LayerNumber}/{value.LayerCount}";
        }
        else
        {
            line = $"{_label} {done}"; // a writer that knows only its bytes (export)
        }

        lock (_error)
        {
            _error.Write("\r" + line.PadRight(_drawn));
            _drawn = line.Length;
        }
    }

    public void Dispose()
    {
        if (_drawn > 0)
        {
            lock (_error)
            {
                _error.Write("\r" + new string(' ', _drawn) + "\r");
                _drawn = 0; // cleared once, however often disposed
            }
        }
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using Docker.Aufs.Cli.Output;
using Docker.Aufs.Logs;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// <c>docker-aufs logs CONTAINER</c>: the container's json-file log as <c>docker logs</c> prints it — what it wrote to
/// standard output on standard output, to standard error on standard error; <c>--timestamps</c>, <c>--tail</c>,
/// <c>--since</c> and <c>--until</c> as Docker reads them. Lines go out as the container wrote them when the output is a
/// pipe or file (as Docker does); on a terminal each is escaped (<see cref="TerminalText"/>), so that a logged escape
/// sequence cannot act on it.
/// </summary>
internal static class LogsCommand
{
    /// <summary>The value of <c>--tail all</c>: every line.</summary>
    private const int All = -1;

    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var reference = new Argument<string>("CONTAINER") { Description = "A container: ID, name or unique ID prefix" };
        var timestamps = new Option<bool>("--timestamps", "-t") { Description = "Show each line's time (RFC 3339 with nanoseconds, as docker logs -t)" };
        var tail = new Option<int>("--tail", "-n")
        {
            DefaultValueFactory = _ => All,
            Description = "Show only this many lines from the end of the log (counted before --since applies, as Docker does), or all",
            HelpName = "N|all",
            CustomParser = ParseTail,
        };
        var since = TimeOption("--since", "Show lines written at or after this time: RFC 3339 (2018-12-27T10:00:00Z, 2018-12-27), Unix seconds (1545904800.5), or a duration back from now (10m, 1h30m)", environment);
        var until = TimeOption("--until", "Show lines written at or before this time (same forms as --since)", environment);
        var command = new Command("logs", "Show a container's json-file log (containers/<id>/<id>-json.log and its rotated files), stdout and stderr kept apart") { reference, timestamps, tail, since, until };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var root = session.OpenRoot();
            var container = root.ResolveContainer(session.Value(reference)!);
            var read = new ContainerLogReader(root).Read(
                container,
                new ContainerLogOptions { Tail = session.Value(tail) is var lines and >= 0 ? lines : null, Since = session.Value(since), Until = session.Value(until) },
                environment.Cancellation);
            var withTime = session.Value(timestamps);
            var error = environment.Error;
            foreach (var entry in read)
            {
                var writer = entry.Stream switch
                {
                    "stdout" => session.Out,
                    "stderr" => error,
                    _ => null, // Docker's logs shows only the two streams
                };
                if (writer is null)
                {
                    continue;
                }

                var line = withTime ? entry.FormatFixedTimestamp() + " " + entry.Text : entry.Text;
                var terminal = writer == error ? environment.ErrorIsTerminal : environment.OutputIsTerminal;
                if (terminal)
                {
                    var newline = line.EndsWith('\n');
                    writer.Write(TerminalText.Escape(newline ? line[..^1] : line));
                    if (newline)
                    {
                        writer.Write('\n');
                    }
                }
                else
                {
                    writer.Write(line);
                }
            }

            session.Out.Flush();
            if (read.TruncatedLastLine is { } file)
            {
                error.WriteLine($"docker-aufs: warning: {TerminalText.Escape(file)} ends with an entry cut short (a write the host never finished); it is not shown");
            }

            return CliApp.Success;
        }));
        return command;
    }

    private static Option<LogTimestamp?> TimeOption(string name, string description, CliEnvironment environment) => new(name)
    {
        Description = description,
        HelpName = "TIME",
        CustomParser = result =>
        {
            var value = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
            var time = DockerTime.Parse(value, environment.Time.GetUtcNow(), environment.Time.LocalTimeZone, out var problem);
            if (time is null)
            {
                result.AddError(problem ?? $"{ValueRules.Printable(value)} is not a time");
            }

            return time;
        },
    };

    /// <summary><c>all</c>, or a number of lines; a negative number is all, as Docker's daemon reads it.</summary>
    private static int ParseTail(ArgumentResult result)
    {
        var value = result.Tokens.Count == 0 ? string.Empty : result.Tokens[0].Value;
        if (value == "all")
        {
            return All;
        }

        if (int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var lines))
        {
            return lines < 0 ? All : lines;
        }

        result.AddError($"{ValueRules.Printable(value)} is not a number of lines or all");
        return All;
    }
}

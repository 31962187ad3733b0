using System.CommandLine;
using System.CommandLine.Parsing;

namespace Docker.Aufs.Cli;

/// <summary>
/// How a command line that cannot run is told: one line naming what is wrong (the unknown option or command, the option or
/// argument whose value is bad, what is missing), then the usage line of the command. Exit 2.
/// </summary>
internal static class UsageErrors
{
    /// <summary>
    /// The first thing wrong with the command line, as one line, or <see langword="null"/> when it can run. Unknown options
    /// come first (a mistyped option must not be taken as a reference), then an unknown command, then stray arguments, bad
    /// arguments, bad values, and what is missing.
    /// </summary>
    public static string? Find(ParseResult parse, IReadOnlyList<string> args)
    {
        var command = parse.CommandResult;
        var name = CommandName(command);
        if (UnknownOption(command, args) is { } unknown)
        {
            return name is null ? unknown : $"{name}: {unknown}";
        }

        if (parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            if (name is null)
            {
                var commands = command.Command.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name));
                return Nearest(token, commands) is { } near
                    ? $"{ValueRules.Printable(token)} is not a docker-aufs command; did you mean '{near}'?"
                    : $"{ValueRules.Printable(token)} is not a docker-aufs command; 'docker-aufs --help' lists them";
            }

            return $"{name}: unexpected argument {ValueRules.Printable(token)}";
        }

        if (parse.Errors.Count == 0)
        {
            return null; // what the parser accepts runs; --help and --version clear the errors of what they stand in for
        }

        if (parse.Errors.FirstOrDefault(e => e.SymbolResult is OptionResult { Tokens.Count: > 0 } or ArgumentResult { Tokens.Count: > 0 }) is { } valueError)
        {
            return Describe(valueError, name);
        }

        foreach (var argument in command.Command.Arguments.Where(a => a.Arity.MinimumNumberOfValues > 0 && !a.HasDefaultValue))
        {
            if (command.GetResult(argument) is not { Tokens.Count: > 0 })
            {
                return $"{name ?? "docker-aufs"}: {Label(argument)} is missing";
            }
        }

        foreach (var option in Scope(command).Where(o => o.Required))
        {
            if (command.GetResult(option) is not { IdentifierTokenCount: > 0 })
            {
                return $"{name ?? "docker-aufs"}: {option.Name} {option.HelpName ?? "VALUE"} is required";
            }
        }

        if (name is null && command.Command.Subcommands.Count > 0 && command.Command.Action is null)
        {
            return "no command given; 'docker-aufs --help' lists them";
        }

        return Describe(parse.Errors[0], name);
    }

    /// <summary>The usage line of the command the parse reached: <c>docker-aufs ls [OPTIONS] REF [PATH]</c>, and where to read more.</summary>
    public static string UsageLine(ParseResult parse)
    {
        var command = parse.CommandResult;
        var path = new List<string>();
        for (var result = command; result.Parent is CommandResult parent; result = parent)
        {
            path.Insert(0, result.IdentifierToken.Value);
        }

        var words = new List<string> { "docker-aufs" };
        words.AddRange(path);
        words.Add("[OPTIONS]");
        words.AddRange(Scope(command).Where(o => o.Required).Select(o => $"{o.Name} {o.HelpName ?? "VALUE"}"));
        if (command.Command.Subcommands.Count > 0 && command.Command.Action is null)
        {
            words.Add("COMMAND");
        }

        foreach (var argument in command.Command.Arguments)
        {
            var label = Label(argument) + (argument.Arity.MaximumNumberOfValues > 1 ? "..." : string.Empty);
            words.Add(argument.Arity.MinimumNumberOfValues > 0 && !argument.HasDefaultValue ? label : $"[{label}]");
        }

        var help = string.Join(' ', ["docker-aufs", .. path, "--help"]);
        return $"usage: {string.Join(' ', words)}  (see '{help}')";
    }

    /// <summary>
    /// The name nearest to <paramref name="typed"/> among <paramref name="names"/>: within a small edit distance (a letter
    /// missing, extra, changed or two swapped), else the only name it begins, else the longest name it begins with
    /// (<c>--layer-id</c>: <c>--layer</c>); <see langword="null"/> when none is near.
    /// </summary>
    public static string? Nearest(string typed, IEnumerable<string> names)
    {
        var candidates = names.Distinct(StringComparer.Ordinal).ToList();
        var limit = Math.Clamp(typed.Length / 3, 1, 2);
        var best = candidates
            .Select(n => (Name: n, Distance: Distance(typed, n)))
            .Where(c => c.Distance <= limit)
            .OrderBy(c => c.Distance)
            .Select(c => c.Name)
            .FirstOrDefault();
        if (best is not null)
        {
            return best;
        }

        var prefixed = candidates.Where(n => typed.Length >= 2 && n.StartsWith(typed, StringComparison.Ordinal)).ToList();
        if (prefixed.Count == 1)
        {
            return prefixed[0];
        }

        return candidates.Where(n => n.Length >= 3 && typed.StartsWith(n, StringComparison.Ordinal)).MaxBy(n => n.Length);
    }

    /// <summary>The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of neighbours.</summary>
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }

        return d[a.Length, b.Length];
    }

    /// <summary>
    /// The first argument before <c>--</c> that looks like an option but is none of the command's: <c>--frobnicate</c>,
    /// <c>-x</c>, a bundle with a letter that is no option (<c>-Rx</c>), or a value given to a flag (<c>-R=yes</c>). A word
    /// right after an option that takes a value is that value, whatever it looks like (<c>-o -file</c>).
    /// </summary>
    private static string? UnknownOption(CommandResult command, IReadOnlyList<string> args)
    {
        var options = Scope(command).ToList();
        Option? Find(string alias) => options.FirstOrDefault(o => o.Name == alias || o.Aliases.Contains(alias));
        bool TakesValue(Option option) => option.Arity.MaximumNumberOfValues > 0 && option.ValueType != typeof(bool);
        string Suggest(string typed) => Nearest(typed, options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(a => a.StartsWith("--", StringComparison.Ordinal))) is { } near
            ? $"; did you mean '{near}'?"
            : string.Empty;

        var valueNext = false;
        foreach (var arg in args)
        {
            if (valueNext)
            {
                valueNext = false;
                continue;
            }

            if (arg == "--")
            {
                return null;
            }

            if (arg.Length < 2 || arg[0] != '-')
            {
                continue;
            }

            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                var end = arg.IndexOfAny(['=', ':']);
                var alias = end < 0 ? arg : arg[..end];
                if (Find(alias) is not { } option)
                {
                    return $"unknown option {ValueRules.Printable(alias)}{Suggest(alias)}";
                }

                if (end >= 0 && !TakesValue(option))
                {
                    return $"{alias} takes no value ({ValueRules.Printable(arg)})";
                }

                valueNext = end < 0 && TakesValue(option);
                continue;
            }

            if (Find(arg) is { } exact)
            {
                valueNext = TakesValue(exact);
                continue;
            }

            for (var k = 1; k < arg.Length; k++)
            {
                if (Find("-" + arg[k]) is not { } option)
                {
                    return k == 1 ? $"unknown option {ValueRules.Printable(arg)}"
                        : arg[k] is '=' or ':' ? $"-{arg[k - 1]} takes no value ({ValueRules.Printable(arg)})"
                        : $"unknown option {ValueRules.Printable("-" + arg[k])} in {ValueRules.Printable(arg)}";
                }

                if (TakesValue(option))
                {
                    valueNext = k == arg.Length - 1;
                    break;
                }
            }
        }

        return null;
    }

    /// <summary>The options a command accepts: its own and the recursive ones of the commands above it.</summary>
    private static IEnumerable<Option> Scope(CommandResult command)
    {
        foreach (var option in command.Command.Options)
        {
            yield return option;
        }

        for (var parent = command.Parent as CommandResult; parent is not null; parent = parent.Parent as CommandResult)
        {
            foreach (var option in parent.Command.Options.Where(o => o.Recursive))
            {
                yield return option;
            }
        }
    }

    /// <summary>The subcommand as typed (<c>ps</c>, not <c>containers</c>), or <see langword="null"/> at the top level.</summary>
    private static string? CommandName(CommandResult command) => command.Parent is null ? null : command.IdentifierToken.Value;

    private static string Label(Argument argument) => argument.HelpName ?? argument.Name;

    /// <summary>A parse error as one line, prefixed with the option or argument it is about.</summary>
    private static string Describe(ParseError error, string? command)
    {
        var message = string.Join(' ', error.Message.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var about = error.SymbolResult switch
        {
            OptionResult option => option.IdentifierToken?.Value ?? option.Option.Name,
            ArgumentResult { Parent: OptionResult option } => option.IdentifierToken?.Value ?? option.Option.Name,
            ArgumentResult argument => (command is null ? string.Empty : command + ": ") + Label(argument.Argument),
            _ => command,
        };
        return about is null || message.Contains($"'{about}'", StringComparison.Ordinal) ? message : $"{about}: {message}";
    }
}

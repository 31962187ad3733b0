using System.CommandLine;
using System.CommandLine.Parsing;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli;

/// <summary>
/// The checks every argument and option value passes where it is parsed, so a bad value is a usage error (exit 2) naming
/// the option, never a failure deep in a command. <see cref="ApplyToTree"/> walks the whole command tree, so an option or
/// argument added later is checked without being listed here.
/// </summary>
internal static class ValueRules
{
    /// <summary>
    /// Adds the generic checks to every text-valued option and argument of <paramref name="root"/> and its subcommands: a value
    /// is never empty or only white space, and a reference (an argument named REF, CONTAINER or LAYER-ID) holds no control
    /// character.
    /// </summary>
    public static void ApplyToTree(Command root)
    {
        var seen = new HashSet<Symbol>();
        foreach (var command in Commands(root))
        {
            foreach (var option in command.Options.Where(o => IsText(o.ValueType) && seen.Add(o)))
            {
                option.Validators.Add(result => CheckText(result, result.Tokens, reference: false));
            }

            foreach (var argument in command.Arguments.Where(a => IsText(a.ValueType) && seen.Add(a)))
            {
                var reference = argument.Name is "REF" or "CONTAINER" or "LAYER-ID";
                argument.Validators.Add(result => CheckText(result, result.Tokens, reference));
            }
        }
    }

    /// <summary>The command and all its subcommands, depth first.</summary>
    public static IEnumerable<Command> Commands(Command root)
    {
        yield return root;
        foreach (var command in root.Subcommands.SelectMany(Commands))
        {
            yield return command;
        }
    }

    /// <summary>
    /// Accepts only the storage drivers the library knows (<see cref="DockerRoot.StorageDrivers"/>), spelt as Docker spells
    /// them: case-sensitively, so <c>AUFS</c> is refused, and a path such as <c>../../etc</c> is no driver.
    /// </summary>
    public static Option<string?> DriverName(this Option<string?> option)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !string.IsNullOrWhiteSpace(t.Value) && !DockerRoot.StorageDrivers.Contains(t.Value)))
            {
                var near = DockerRoot.StorageDrivers.FirstOrDefault(d => string.Equals(d, token.Value, StringComparison.OrdinalIgnoreCase));
                var hint = near is not null ? $"; driver names are lower case: did you mean '{near}'?" : string.Empty;
                result.AddError($"{Printable(token.Value)} is not a storage driver (known: {string.Join(", ", DockerRoot.StorageDrivers)}){hint}");
            }
        });
        option.CompletionSources.Add([.. DockerRoot.StorageDrivers]);
        return option;
    }

    /// <summary>Accepts only one of <paramref name="values"/> (case-sensitively), with a one-line error listing them.</summary>
    public static Option<string> OneOf(this Option<string> option, params string[] values)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !string.IsNullOrWhiteSpace(t.Value) && !values.Contains(t.Value)))
            {
                result.AddError($"{Printable(token.Value)} is not one of {string.Join(", ", values)}");
            }
        });
        option.CompletionSources.Add(values);
        return option;
    }

    /// <summary>
    /// A value as an error line quotes it: <c>'value'</c>, or when it holds a control character the terminal's one quoted
    /// form (<see cref="TerminalText.Escape"/>, <c>$'…'</c>), so the line stays one line and reads back as the value.
    /// </summary>
    public static string Printable(string value) => TerminalText.Escape(value) is var shown && shown.StartsWith("$'", StringComparison.Ordinal) ? shown : "'" + value + "'";

    /// <summary>
    /// The part of a reference left empty, as Docker's reference grammar refuses it: a tag after <c>:</c> (<c>busybox:</c>), a
    /// digest after <c>@</c> (<c>busybox@</c>), or the name before either (<c>:latest</c>, <c>@sha256:…</c>). No container
    /// name or layer ID holds <c>:</c> or <c>@</c>, so this holds for every REF, CONTAINER and LAYER-ID.
    /// </summary>
    internal static string? EmptyPart(string value) =>
        value.EndsWith(':') ? "tag"
        : value.EndsWith('@') ? "digest"
        : value.StartsWith(':') || value.StartsWith('@') ? "name"
        : null;

    private static bool IsText(Type type) => type == typeof(string) || type == typeof(string[]);

    private static void CheckText(SymbolResult result, IReadOnlyList<Token> tokens, bool reference)
    {
        foreach (var token in tokens)
        {
            if (token.Value.Length == 0)
            {
                result.AddError("the value is empty");
            }
            else if (string.IsNullOrWhiteSpace(token.Value))
            {
                result.AddError($"the value {Printable(token.Value)} is only white space");
            }
            else if (reference && token.Value.Any(char.IsControl))
            {
                result.AddError($"{Printable(token.Value)} holds a control character, which no image, container or layer name has");
            }
            else if (reference && EmptyPart(token.Value) is { } part)
            {
                result.AddError($"{Printable(token.Value)} is not a valid reference: its {part} is empty (name[:tag], name@digest, or an ID)");
            }
        }
    }
}

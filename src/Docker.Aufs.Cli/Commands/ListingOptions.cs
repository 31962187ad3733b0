using System.CommandLine;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// The docker habits of a listing (<c>images</c>, <c>containers</c>/<c>ps</c>): <c>-q</c> for IDs only, <c>--filter</c>,
/// <c>--format</c> and <c>--no-trunc</c>. <c>-q</c> wins over <c>--format</c>, as in the docker CLI; <c>--json</c> (the
/// documented contract) cannot be combined with either.
/// </summary>
internal sealed class ListingOptions
{
    private readonly IReadOnlyCollection<string> _fields;
    private readonly string _defaultTable;

    public ListingOptions(string what, IReadOnlyCollection<string> fields, string defaultTable, IReadOnlyDictionary<string, Func<string, string?>> filterKeys, string filterHelp)
    {
        _fields = fields;
        _defaultTable = defaultTable;
        Quiet = new Option<bool>("--quiet", "-q") { Description = $"Only show {what} IDs" };
        NoTrunc = new Option<bool>("--no-trunc") { Description = "Don't truncate output (IDs, commands)" };
        Filter = ListFilters.Option($"Filter output based on conditions provided, as docker does ({filterHelp}); repeat for more", filterKeys);
        Format = new Option<string?>("--format")
        {
            Description = $"Print each row through a template: placeholders {string.Join(", ", fields.Select(f => "{{." + f + "}}"))}, or {{{{json .}}}}; 'table TEMPLATE' for columns under a header; 'json' for one JSON object per line",
            HelpName = "TEMPLATE",
        };
        Format.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !string.IsNullOrWhiteSpace(t.Value)))
            {
                if (FormatTemplate.TryParse(token.Value, _fields, _defaultTable, out var error) is null)
                {
                    result.AddError(error!);
                }
            }
        });
    }

    public Option<bool> Quiet { get; }

    public Option<bool> NoTrunc { get; }

    public Option<string[]> Filter { get; }

    public Option<string?> Format { get; }

    /// <summary>Adds the options to <paramref name="command"/>, and the check that <c>--json</c> is not combined with <c>-q</c> or <c>--format</c>.</summary>
    public void AddTo(Command command, GlobalOptions options)
    {
        command.Add(Quiet);
        command.Add(NoTrunc);
        command.Add(Filter);
        command.Add(Format);
        command.Validators.Add(result =>
        {
            if (result.GetValue(options.Json) && (result.GetValue(Quiet) || result.GetResult(Format) is not null))
            {
                result.AddError($"--json cannot be combined with {(result.GetValue(Quiet) ? "--quiet" : "--format")}: --json is the whole record, -q and --format choose what to print");
            }
        });
    }

    /// <summary>The template of <c>--format</c> (checked at parsing), or <see langword="null"/> when none was given.</summary>
    public FormatTemplate? Template(Session session) =>
        session.Value(Format) is { } text ? FormatTemplate.TryParse(text, _fields, _defaultTable, out _) : null;

    /// <summary>The filters given.</summary>
    public ListFilters Filters(Session session) => ListFilters.From(session.Value(Filter));
}

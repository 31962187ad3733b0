using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Docker.Aufs.Cli.Output;

/// <summary>
/// The <c>--format</c> of a listing, as the docker CLI reads it, reduced to what listings use: text with placeholders
/// <c>{{.Field}}</c>, <c>{{json .Field}}</c> and <c>{{json .}}</c> (spaces inside the braces allowed); a <c>table</c>
/// prefix for aligned columns under a header; <c>json</c> alone for one JSON object per line. As in docker/cli
/// (<c>formatter.Context.preFormat</c>), <c>\t</c> and <c>\n</c> typed as two characters are a tab and a newline, and the
/// template is trimmed of spaces. Not a Go template: no functions but <c>json</c>, no pipelines, conditions or ranges —
/// anything else, and any field the listing has not, is refused when the command line is parsed (a usage error naming it).
/// </summary>
/// <remarks>
/// Values pass through <see cref="TerminalText.Escape"/> cell by cell (a cell ends at a tab or a newline the template
/// itself holds), so a value from the root cannot break a row or reach the terminal raw; JSON values are escaped as JSON.
/// </remarks>
internal sealed class FormatTemplate
{
    private const string TableKey = "table";
    private const string JsonKey = "json";

    private readonly List<Part> _parts;

    private FormatTemplate(bool isTable, List<Part> parts)
    {
        IsTable = isTable;
        _parts = parts;
    }

    /// <summary>Gets whether the rows are aligned in columns under a header (the <c>table</c> prefix).</summary>
    public bool IsTable { get; }

    /// <summary>
    /// Parses <paramref name="text"/> for a listing whose rows have <paramref name="fields"/>; <paramref name="defaultTable"/>
    /// is what <c>table</c> alone means. Returns the error as one line (for the option's usage error) when it cannot be read.
    /// </summary>
    public static FormatTemplate? TryParse(string text, IReadOnlyCollection<string> fields, string defaultTable, out string? error)
    {
        error = null;
        var format = text;
        var isTable = false;
        if (format == JsonKey)
        {
            format = "{{json .}}";
        }
        else if (format == TableKey)
        {
            format = defaultTable;
            isTable = true;
        }
        else if (format.StartsWith(TableKey + " ", StringComparison.Ordinal) || format.StartsWith(TableKey + "\t", StringComparison.Ordinal))
        {
            format = format[TableKey.Length..];
            isTable = true;
        }

        format = format.Trim(' ').Replace(@"\t", "\t", StringComparison.Ordinal).Replace(@"\n", "\n", StringComparison.Ordinal);
        var parts = new List<Part>();
        var at = 0;
        while (at < format.Length)
        {
            var open = format.IndexOf("{{", at, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(new Part(PartKind.Text, format[at..]));
                break;
            }

            if (open > at)
            {
                parts.Add(new Part(PartKind.Text, format[at..open]));
            }

            var close = format.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"{ValueRules.Printable(text)} is not a format: the '{{{{' at character {open + 1} is never closed with '}}}}'";
                return null;
            }

            var action = format[(open + 2)..close].Trim(' ');
            if (Action(action, fields) is not { } part)
            {
                error = action.StartsWith('.') && action.Length > 1 && action.Skip(1).All(char.IsAsciiLetterOrDigit)
                    ? $"{ValueRules.Printable(text)}: the listing has no field {{{{{action}}}}} (it has {string.Join(", ", fields.Select(f => "." + f))})"
                    : $"{ValueRules.Printable(text)}: {ValueRules.Printable("{{" + action + "}}")} is not a placeholder this format reads ({{{{.Field}}}}, {{{{json .Field}}}}, {{{{json .}}}})";
                return null;
            }

            parts.Add(part);
            at = close + 2;
        }

        return new FormatTemplate(isTable, parts);
    }

    /// <summary>Whether the template shows <paramref name="field"/> (alone or in <c>{{json .}}</c>).</summary>
    public bool Uses(string field) => _parts.Any(p => p.Kind == PartKind.Json || (p.Kind is PartKind.Field or PartKind.JsonField && p.Value == field));

    /// <summary>The header row of a table: each placeholder replaced by the field's header (<paramref name="headers"/>).</summary>
    public List<string[]> Header(Func<string, string> headers) => Render(field => headers(field), fields: null, escape: false);

    /// <summary>
    /// One row: the lines it makes, each as its cells (split where the template has a tab). <paramref name="value"/> gives a
    /// field's text; <paramref name="fields"/> lists every field in order, for <c>{{json .}}</c>.
    /// </summary>
    public List<string[]> Render(Func<string, string> value, IReadOnlyCollection<string> fields) => Render(value, fields, escape: true);

    /// <summary>Writes rows: a table through <see cref="TableWriter"/> as docker's tabwriter aligns it, anything else line by line.</summary>
    public void Write(TextWriter output, IReadOnlyCollection<string> fields, Func<string, string> headers, IEnumerable<Func<string, string>> rows)
    {
        if (IsTable)
        {
            var table = new TableWriter(minWidth: 10);
            foreach (var line in Header(headers))
            {
                table.AddEscaped(line);
            }

            foreach (var row in rows)
            {
                foreach (var line in Render(row, fields))
                {
                    table.AddEscaped(line);
                }
            }

            table.WriteTo(output);
            return;
        }

        foreach (var row in rows)
        {
            foreach (var line in Render(row, fields))
            {
                output.WriteLine(string.Join('\t', line));
            }
        }
    }

    private List<string[]> Render(Func<string, string> value, IReadOnlyCollection<string>? fields, bool escape)
    {
        var lines = new List<string[]>();
        var cells = new List<string>();
        var raw = new StringBuilder(); // the cell's text before escaping: a cell is escaped whole, as a table cell is
        void EndCell()
        {
            cells.Add(escape ? TerminalText.Escape(raw.ToString()) : raw.ToString());
            raw.Clear();
        }

        foreach (var part in _parts)
        {
            switch (part.Kind)
            {
                case PartKind.Text:
                    foreach (var c in part.Value)
                    {
                        if (c == '\t')
                        {
                            EndCell();
                        }
                        else if (c == '\n')
                        {
                            EndCell();
                            lines.Add([.. cells]);
                            cells.Clear();
                        }
                        else
                        {
                            raw.Append(c);
                        }
                    }

                    break;
                case PartKind.Field:
                    raw.Append(value(part.Value));
                    break;
                case PartKind.JsonField:
                    raw.Append(fields is null ? value(part.Value) : Json(w => w.WriteStringValue(value(part.Value))));
                    break;
                default:
                    raw.Append(fields is null ? "JSON" : Json(value, fields));
                    break;
            }
        }

        EndCell();
        lines.Add([.. cells]);
        return lines;
    }

    /// <summary><c>{{json .}}</c>: every field as a string, keys in order of name, as the docker CLI writes its listing rows.</summary>
    private static string Json(Func<string, string> value, IReadOnlyCollection<string> fields) => Json(writer =>
    {
        writer.WriteStartObject();
        foreach (var field in fields.Order(StringComparer.Ordinal))
        {
            writer.WriteString(field, value(field));
        }

        writer.WriteEndObject();
    });

    /// <summary>One compact JSON value, control characters escaped, other text kept as it is.</summary>
    private static string Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static Part? Action(string action, IReadOnlyCollection<string> fields)
    {
        if (action == "json .")
        {
            return new Part(PartKind.Json, string.Empty);
        }

        var json = action.StartsWith("json ", StringComparison.Ordinal);
        var name = json ? action["json ".Length..].TrimStart(' ') : action;
        return name.Length > 1 && name[0] == '.' && fields.Contains(name[1..]) ? new Part(json ? PartKind.JsonField : PartKind.Field, name[1..]) : null;
    }

    private enum PartKind
    {
        Text,
        Field,
        JsonField,
        Json,
    }

    private sealed record Part(PartKind Kind, string Value);
}

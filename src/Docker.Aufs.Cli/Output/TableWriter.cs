namespace Docker.Aufs.Cli.Output;

/// <summary>
/// Aligned columns as the docker CLI prints them (Go's <c>tabwriter</c> with minimum width 20 and padding 3): each column
/// is as wide as its widest cell plus 3, at least 20; the last column is not padded. Every cell is shown as
/// <see cref="TerminalText.Escape"/> shows text, so callers pass values as the root holds them.
/// </summary>
internal sealed class TableWriter
{
    private const int Padding = 3;
    private readonly List<string[]> _rows = [];
    private readonly int _minWidth = 20;

    public TableWriter(params string[] headers)
    {
        _rows.Add(headers);
    }

    /// <summary>A table without a header yet, its columns at least <paramref name="minWidth"/> wide (docker/cli's <c>--format "table …"</c> writer: 10).</summary>
    public TableWriter(int minWidth)
    {
        _minWidth = minWidth;
    }

    public void Add(params string[] cells) => _rows.Add([.. cells.Select(TerminalText.Escape)]);

    /// <summary>Adds a row whose cells were escaped already (<see cref="FormatTemplate"/> escapes each cell it renders).</summary>
    public void AddEscaped(string[] cells) => _rows.Add(cells);

    public void WriteTo(TextWriter writer)
    {
        if (_rows.Count == 0)
        {
            return;
        }

        var columns = _rows.Max(r => r.Length);
        var widths = new int[columns];
        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], Math.Max(_minWidth, row[i].Length + Padding));
            }
        }

        var line = new System.Text.StringBuilder();
        foreach (var row in _rows)
        {
            line.Clear();
            for (var i = 0; i < row.Length; i++)
            {
                line.Append(i == row.Length - 1 ? row[i] : row[i].PadRight(widths[i]));
            }

            writer.WriteLine(line.ToString().TrimEnd(' '));
        }
    }
}

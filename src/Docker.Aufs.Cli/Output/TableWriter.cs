namespace Docker.Aufs.Cli.Output;

/// <summary>
/// Aligned columns as the docker CLI prints them (Go's <c>tabwriter</c> with minimum width 20 and padding 3): each column
/// is as wide as its widest cell plus 3, at least 20; the last column is not padded. Every cell is shown as
/// <see cref="TerminalText.Escape"/> shows text, so callers pass values as the root holds them.
/// </summary>
internal sealed class TableWriter
{
    private const int MinWidth = 20;
    private const int Padding = 3;
    private readonly List<string[]> _rows = [];

    public TableWriter(params string[] headers)
    {
        _rows.Add(headers);
    }

    public void Add(params string[] cells) => _rows.Add([.. cells.Select(TerminalText.Escape)]);

    public void WriteTo(TextWriter writer)
    {
        var columns = _rows.Max(r => r.Length);
        var widths = new int[columns];
        foreach (var row in _rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                widths[i] = Math.Max(widths[i], Math.Max(MinWidth, row[i].Length + Padding));
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

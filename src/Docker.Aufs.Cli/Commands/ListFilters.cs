using System.CommandLine;
using System.Text.RegularExpressions;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// The <c>--filter KEY=VALUE</c> of a listing, read as docker reads it (docker/cli <c>opts.FilterOpt</c>, moby
/// <c>api/types/filters</c>): the key is lower-cased and both sides trimmed; a value without <c>=</c>, an unknown key or a
/// value the key cannot take is a usage error naming it. Values of one key are kept together; how they combine is the
/// key's own rule, as in Docker's daemon (most keys: any value matches; <c>label</c>: every value must match;
/// <c>before</c>, <c>since</c>: the last one given counts); different keys must all match.
/// </summary>
internal sealed class ListFilters
{
    /// <summary>Regular expressions as Go's RE2 reads them, near enough: no backtracking (so no look-around or back-references, which RE2 refuses too), and linear time.</summary>
    private const RegexOptions Rules = RegexOptions.CultureInvariant | RegexOptions.NonBacktracking;

    private readonly Dictionary<string, List<string>> _values;

    private ListFilters(Dictionary<string, List<string>> values)
    {
        _values = values;
    }

    /// <summary>Whether <paramref name="key"/> was given.</summary>
    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>The values given for <paramref name="key"/>, in order; empty when none.</summary>
    public IReadOnlyList<string> Values(string key) => _values.TryGetValue(key, out var values) ? values : [];

    /// <summary>The last value given for <paramref name="key"/> (how Docker's daemon reads <c>before</c> and <c>since</c>), or <see langword="null"/>.</summary>
    public string? Last(string key) => _values.TryGetValue(key, out var values) ? values[^1] : null;

    /// <summary>
    /// The option, checked where it is parsed: <paramref name="keys"/> maps each accepted key to a check of its value that
    /// returns what is wrong with it, or <see langword="null"/>.
    /// </summary>
    public static Option<string[]> Option(string description, IReadOnlyDictionary<string, Func<string, string?>> keys)
    {
        var option = new Option<string[]>("--filter", "-f")
        {
            Description = description,
            HelpName = "KEY=VALUE",
            AllowMultipleArgumentsPerToken = false,
        };
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !string.IsNullOrWhiteSpace(t.Value)))
            {
                if (Split(token.Value) is not { } pair)
                {
                    result.AddError($"{ValueRules.Printable(token.Value)} is not a filter: give KEY=VALUE (keys: {string.Join(", ", keys.Keys)})");
                }
                else if (!keys.TryGetValue(pair.Key, out var check))
                {
                    result.AddError($"{ValueRules.Printable(pair.Key)} is not a filter of this listing (keys: {string.Join(", ", keys.Keys)})");
                }
                else if (check(pair.Value) is { } problem)
                {
                    result.AddError($"{ValueRules.Printable(token.Value)}: {problem}");
                }
            }
        });
        return option;
    }

    /// <summary>The filters of a parsed option (its values checked already).</summary>
    public static ListFilters From(IEnumerable<string>? values)
    {
        var filters = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (key, value) in (values ?? []).Select(Split).OfType<KeyValuePair<string, string>>())
        {
            if (!filters.TryGetValue(key, out var list))
            {
                filters[key] = list = [];
            }

            list.Add(value);
        }

        return new ListFilters(filters);
    }

    /// <summary>A value check: one of <paramref name="values"/>.</summary>
    public static Func<string, string?> OneOf(params string[] values) =>
        value => values.Contains(value, StringComparer.Ordinal) ? null : $"the value is not one of {string.Join(", ", values)}";

    /// <summary>A value check: not empty (a reference, a name, a label key).</summary>
    public static string? NotEmpty(string value) => value.Length == 0 ? "the value is empty" : null;

    /// <summary>A value check: a well-formed pattern (<see cref="GoGlob.IsValid"/>).</summary>
    public static string? Glob(string value) => value.Length == 0 ? "the value is empty" : GoGlob.IsValid(value) ? null : "the pattern is malformed (an unclosed '[', a '\\' at the end, or a bad range)";

    /// <summary>A value check: a regular expression (the <c>id</c> and <c>name</c> filters match as Docker's <c>filters.Args.Match</c> does).</summary>
    public static string? Regex(string value)
    {
        if (RepeatTooLarge(value))
        {
            return "the value repeats more than 1000 times (Go's RE2 refuses a repeat count above 1000, nested repeats multiplied)";
        }

        try
        {
            _ = new Regex(value, Rules);
            return null;
        }
        catch (ArgumentException)
        {
            return "the value is not a regular expression (Go's RE2 syntax: no look-around or back-references)";
        }
        catch (NotSupportedException)
        {
            return "the value is a regular expression too large to match in linear time";
        }
    }

    /// <summary>
    /// Go's <c>regexp/syntax</c> limit: a repeat <c>{n}</c>, <c>{n,}</c> or <c>{n,m}</c> counts at most 1000, and repeats
    /// nested in repeated groups multiply (<c>(a{100}){20}</c> is 2000): anything more is "invalid repeat count".
    /// </summary>
    internal static bool RepeatTooLarge(string pattern)
    {
        var outer = new Stack<int>(); // the largest product of the enclosing levels' atoms so far
        var levelMax = 1;             // the largest product among this level's atoms
        var lastAtom = 1;             // the product of the atom a repeat would apply to
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\':
                    i++;
                    lastAtom = 1;
                    break;
                case '[':
                    i++;
                    if (i < pattern.Length && pattern[i] == '^')
                    {
                        i++;
                    }

                    for (var first = true; i < pattern.Length && (first || pattern[i] != ']'); i++, first = false)
                    {
                        if (pattern[i] == '\\')
                        {
                            i++;
                        }
                    }

                    lastAtom = 1;
                    break;
                case '(':
                    outer.Push(levelMax);
                    levelMax = 1;
                    lastAtom = 1;
                    break;
                case ')':
                    var inner = levelMax;
                    levelMax = Math.Max(outer.Count > 0 ? outer.Pop() : 1, inner);
                    lastAtom = inner;
                    break;
                case '{':
                    var close = pattern.IndexOf('}', i);
                    var body = close < 0 ? string.Empty : pattern[(i + 1)..close];
                    var parts = body.Split(',');
                    if (parts.Length is 0 or > 2 || parts[0].Length == 0 || !parts.All(p => p.All(char.IsAsciiDigit)))
                    {
                        lastAtom = 1; // not a repeat: a literal '{'
                        break;
                    }

                    var count = parts.Select(p => p.Length == 0 ? 0 : p.Length > 4 ? 10_000 : int.Parse(p, System.Globalization.CultureInfo.InvariantCulture)).Max();
                    var product = (long)lastAtom * Math.Max(count, 1);
                    if (count > 1000 || product > 1000)
                    {
                        return true;
                    }

                    lastAtom = (int)product;
                    levelMax = Math.Max(levelMax, lastAtom);
                    i = close;
                    break;
                default:
                    lastAtom = 1;
                    break;
            }
        }

        return false;
    }

    /// <summary>A value check: an integer (an exit code).</summary>
    public static string? Integer(string value) => int.TryParse(value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out _) ? null : "the value is not an integer";

    /// <summary>
    /// Docker's <c>filters.Args.Match</c>: true when no value was given for <paramref name="key"/>, when a value equals
    /// <paramref name="source"/>, or when one, read as a regular expression, matches somewhere in it.
    /// </summary>
    public bool Match(string key, string source)
    {
        if (!_values.TryGetValue(key, out var values))
        {
            return true;
        }

        return values.Any(v => v == source || System.Text.RegularExpressions.Regex.IsMatch(source, v, Rules));
    }

    /// <summary>
    /// Docker's <c>filters.Args.MatchKVList</c> for labels: true when every <c>label</c> value matches — <c>KEY</c> when the
    /// key is present, <c>KEY=VALUE</c> when it holds exactly that value.
    /// </summary>
    public bool MatchLabels(IReadOnlyDictionary<string, string>? labels)
    {
        if (!_values.TryGetValue("label", out var values))
        {
            return true;
        }

        return labels is not null && values.All(v =>
        {
            var equals = v.IndexOf('=', StringComparison.Ordinal);
            return equals < 0
                ? labels.ContainsKey(v)
                : labels.TryGetValue(v[..equals], out var actual) && actual == v[(equals + 1)..];
        });
    }

    private static KeyValuePair<string, string>? Split(string text)
    {
        var equals = text.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? null : new(text[..equals].Trim().ToLowerInvariant(), text[(equals + 1)..].Trim());
    }
}

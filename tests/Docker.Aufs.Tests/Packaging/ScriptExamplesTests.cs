using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Packaging;

/// <summary>
/// The .csx twins of the script examples stay the same programs (CI runs both: the .cs with <c>dotnet run</c>, the .csx
/// with <c>eng/run-csx.cs</c>).
/// </summary>
public sealed class ScriptExamplesTests
{
    public static TheoryData<string> Examples() =>
        [.. Directory.EnumerateFiles(Repository.Combine("docs", "examples"), "*.cs").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Examples))]
    public void EveryExample_HasACsxTwinWithTheSameCode(string name)
    {
        var cs = Repository.Combine("docs", "examples", name + ".cs");
        var csx = Repository.Combine("docs", "examples", "csx", name + ".csx");
        Assert.True(File.Exists(csx), $"{name}.cs has no docs/examples/csx/{name}.csx");
        Assert.Equal(Code(cs), Code(csx));
        Assert.Contains("#r \"nuget: Docker.Aufs, ", File.ReadAllText(csx), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Examples))]
    public void EveryCsxTwin_AdaptsArgsBeforeItsFirstStatement(string name)
    {
        var lines = File.ReadAllLines(Repository.Combine("docs", "examples", "csx", name + ".csx"));
        var first = Array.FindIndex(lines, l => l.Length > 0 && !(l.StartsWith('#') || l.StartsWith("//", StringComparison.Ordinal) || l.StartsWith("using ", StringComparison.Ordinal)));
        Assert.True(first >= 0, $"{name}.csx has no statement");
        Assert.StartsWith("var args = Args.ToArray();", lines[first], StringComparison.Ordinal);
    }

    [Fact]
    public void ThereAreExamples() => Assert.True(Examples().Count >= 4);

    // The program without its directives, comments and the Args adapter that dotnet-script needs.
    private static List<string> Code(string path) =>
        [.. File.ReadAllLines(path).Where(l => !(l.StartsWith('#') || l.TrimStart().StartsWith("//", StringComparison.Ordinal) ||
            l.StartsWith("var args = Args.ToArray();", StringComparison.Ordinal) || l.Length == 0))];
}

using System.Text.RegularExpressions;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Conventions;

/// <summary>Rules of docs/architecture.md read from the source (the layering is checked on the compiled library: <see cref="ArchitectureTests"/>).</summary>
public sealed partial class SourceConventionsTests
{
    public static TheoryData<string> ShippedFiles() => [.. SourceFiles("src/Docker.Aufs"), .. SourceFiles("src/Docker.Aufs.Testing"), .. SourceFiles("src/Docker.Aufs.Cli")];

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void ShippedCode_NeverCallsFileDirectoryOrPathStatics(string file)
    {
        var offending = CodeLines(file).Where(l => StaticIo().IsMatch(l.Text)).Select(l => $"{file}:{l.Number}: {l.Text.Trim()}").ToList();
        Assert.True(offending.Count == 0, "Use the injected IFileSystem instead:\n" + string.Join('\n', offending));
    }

    /// <summary>
    /// JSON from the root is read only through <c>Formats/GoJson.cs</c> (issue 16, class 8; issue 15, class 13): one set of
    /// reader options (one depth limit) and Go's decoding of invalid surrogate escapes for every reader. The CLI asks the
    /// library's <c>DockerJson.Parse</c>. The Testing package parses only JSON it wrote itself.
    /// </summary>
    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void ShippedCode_ReadsJsonOnlyThroughGoJson(string file)
    {
        if (file.EndsWith("/Formats/GoJson.cs", StringComparison.Ordinal) || file.EndsWith("/Formats/DockerJson.cs", StringComparison.Ordinal) || file.StartsWith("src/Docker.Aufs.Testing/", StringComparison.Ordinal))
        {
            return;
        }

        var offending = CodeLines(file).Where(l => JsonReading().IsMatch(l.Text)).Select(l => $"{file}:{l.Number}: {l.Text.Trim()}").ToList();
        Assert.True(offending.Count == 0, "Read JSON through GoJson (Reader, Deserialize, FirstValue) or DockerJson.Parse:\n" + string.Join('\n', offending));
    }

    private static IEnumerable<string> SourceFiles(string project) =>
        Directory.EnumerateFiles(Repository.Combine(project), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Repository.Root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && !f.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static IEnumerable<(int Number, string Text)> CodeLines(string file) =>
        File.ReadLines(Repository.Combine(file))
            .Select((text, i) => (i + 1, text))
            .Where(l => !l.text.TrimStart().StartsWith("//", StringComparison.Ordinal));

    [GeneratedRegex(@"(?<![\w.])(?:System\.IO\.)?(?:File|Directory|Path)\.[A-Z]\w*")]
    private static partial Regex StaticIo();

    [GeneratedRegex(@"new\s+Utf8JsonReader\s*\(|new\s+JsonReaderOptions|JsonDocumentOptions|JsonNodeOptions|JsonDocument\.Parse|JsonNode\.Parse|JsonElement\.Parse|JsonSerializer\.Deserialize")]
    private static partial Regex JsonReading();
}

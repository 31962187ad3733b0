using System.Text.RegularExpressions;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Conventions;

/// <summary>Rules of docs/architecture.md that the compiler does not check.</summary>
public sealed partial class SourceConventionsTests
{
    // Layers of the library, lowest first (docs/architecture.md). A folder may use its own layer and those below.
    private static readonly Dictionary<string, int> Layers = new(StringComparer.Ordinal)
    {
        ["Formats"] = 0, ["Json"] = 0, ["Errors"] = 0,
        ["IO"] = 1, ["Logging"] = 1,
        ["Graph"] = 2, ["Repositories"] = 2, ["Drivers"] = 2, ["Containers"] = 2,
        ["Building"] = 3,
        ["Union"] = 4, ["Archive"] = 4,
        ["Root"] = 5, ["Fsck"] = 5,
    };

    // The one source-generated JSON context registers the model types of every layer that reads JSON; it only names
    // them for the generator and calls nothing above itself (docs/architecture.md, "The JSON context").
    private const string JsonContext = "src/Docker.Aufs/Json/DockerJsonContext.cs";

    // Facade types live in the root namespace, so no using directive reveals them.
    private static readonly string[] FacadeTypes = ["DockerRoot", "IDockerRoot", "DockerRootOptions", "ImageStack", "StackLayer", "LegacyRootExtensions"];

    public static TheoryData<string> LibraryFiles() => [.. SourceFiles("src/Docker.Aufs")];

    public static TheoryData<string> ShippedFiles() => [.. SourceFiles("src/Docker.Aufs"), .. SourceFiles("src/Docker.Aufs.Cli")];

    [Theory]
    [MemberData(nameof(ShippedFiles))]
    public void ShippedCode_NeverCallsFileDirectoryOrPathStatics(string file)
    {
        var offending = CodeLines(file).Where(l => StaticIo().IsMatch(l.Text)).Select(l => $"{file}:{l.Number}: {l.Text.Trim()}").ToList();
        Assert.True(offending.Count == 0, "Use the injected IFileSystem instead:\n" + string.Join('\n', offending));
    }

    [Theory]
    [MemberData(nameof(LibraryFiles))]
    public void LibraryLayers_OnlyPointDown(string file)
    {
        var layer = file == JsonContext ? Layers["Root"] - 1 : LayerOf(file);
        var offending = new List<string>();
        foreach (var (number, text) in CodeLines(file))
        {
            var match = UsingLibraryNamespace().Match(text);
            if (match.Success && Layers.TryGetValue(match.Groups[1].Value, out var used) && used > layer)
            {
                offending.Add($"{file}:{number}: {text.Trim()}");
            }

            if (layer < Layers["Root"] && FacadeTypes.Any(t => Regex.IsMatch(text, $@"(?<![\w.]){t}\b")))
            {
                offending.Add($"{file}:{number}: uses the facade: {text.Trim()}");
            }
        }

        Assert.True(offending.Count == 0, $"{file} (layer {layer}) reaches up:\n" + string.Join('\n', offending));
    }

    [Fact]
    public void EveryLibraryFolder_HasALayer()
    {
        var folders = Directory.EnumerateDirectories(Repository.Combine("src", "Docker.Aufs"))
            .Select(Path.GetFileName)
            .Where(n => n is not ("bin" or "obj"));
        Assert.All(folders, f => Assert.True(Layers.ContainsKey(f!), $"src/Docker.Aufs/{f} has no layer in {nameof(Layers)}"));
    }

    private static int LayerOf(string file) => Layers[file.Split('/')[2]];

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

    [GeneratedRegex(@"^\s*using\s+Docker\.Aufs\.(\w+)")]
    private static partial Regex UsingLibraryNamespace();
}

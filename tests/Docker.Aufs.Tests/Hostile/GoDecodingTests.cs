using System.Security.Cryptography;
using System.Text;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// Every JSON file of a root is decoded as Docker's Go code decoded it (docs/hostile-input.md, "Invalid Unicode in JSON"
/// and "One JSON depth limit"): an invalid surrogate escape reads as U+FFFD in each kind of file, and a document nested
/// within the one limit is read by every command, one nested beyond it refused by each with a line naming the file.
/// </summary>
public sealed class GoDecodingTests
{
    private const string Out = "/out";

    private const string Hostile = "\\ud800\\u0041\\udc00";

    /// <summary>Each kind of JSON file, with a lone surrogate escape in a key and in a string value.</summary>
    public static TheoryData<string> Kinds() =>
    [
        "graph image json", "graph repositories-aufs", "graph container config.json", "graph hostconfig.json",
        "cas image config", "cas repositories.json", "cas config.v2.json", "cas hostconfig.json", "graph tar-split",
    ];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ALoneSurrogateEscape_InEachKindOfJsonFile_ReadsAsTheReplacementCharacterForEveryCommand(string kind)
    {
        var (editor, image) = Mutated(kind, Surrogates);
        string[][] commands =
        [
            ["images"], ["images", "--json"], ["history", image], ["inspect", image], ["inspect", image, "--json"], ["layers", image],
            ["containers"], ["containers", "--json"], ["digest", image], ["save", image, "-o", Out + "/save.tar"],
        ];
        foreach (var args in commands)
        {
            var (exit, _, error) = CliRunner.Run(editor.FileSystem, ["--root", RootEditor.Root, .. args]);
            Assert.True(exit == 0, $"{kind}: docker-aufs {string.Join(' ', args)}: exit {exit}: {error}");
        }

        if (kind == "graph repositories-aufs")
        {
            // (A 1.10+ store lists only references Docker's grammar accepts, which a U+FFFD in a name is not.)
            Assert.Contains("\"ev\uFFFDA\uFFFDil\"", CliRunner.Run(editor.FileSystem, "--root", RootEditor.Root, "images", "--json").Out, StringComparison.Ordinal);
        }

        if (kind is "graph container config.json" or "cas config.v2.json")
        {
            Assert.Contains("\"n\uFFFDA\uFFFDme\"", CliRunner.Run(editor.FileSystem, "--root", RootEditor.Root, "containers", "--json").Out, StringComparison.Ordinal);
        }

        if (kind == "graph tar-split")
        {
            Assert.Contains("byte-exact", CliRunner.Run(editor.FileSystem, "--root", RootEditor.Root, "save", image, "-o", Out + "/again.tar").Out, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("graph image json")]
    [InlineData("cas image config")]
    public void AConfigNested100Deep_IsReadByInspectDigestSaveAndImport(string kind)
    {
        var (editor, image) = Mutated(kind, json => Nest(json, 100));
        foreach (var args in new[] { new[] { "inspect", image }, ["digest", image], ["save", image, "-o", Out + "/deep.tar"] })
        {
            var (exit, _, error) = CliRunner.Run(editor.FileSystem, ["--root", RootEditor.Root, .. args]);
            Assert.True(exit == 0, $"docker-aufs {string.Join(' ', args)}: exit {exit}: {error}");
        }

        var import = CliRunner.Run(editor.FileSystem, "--store", kind.StartsWith("cas", StringComparison.Ordinal) ? "content-addressed" : "graph", "import", Out + "/deep.tar", "--into", Out + "/imported");
        Assert.True(import.Exit == 0, import.Err);
        Assert.Equal(0, CliRunner.Run(editor.FileSystem, "--root", Out + "/imported", "inspect", image).Exit);
    }

    [Theory]
    [InlineData("graph image json")]
    [InlineData("cas image config")]
    public void AConfigNestedBeyondTheLimit_IsRefusedByEachCommandWithOneLineNamingTheFile(string kind)
    {
        var (editor, image) = Mutated(kind, json => Nest(json, DockerJson.MaxDepth + 44));
        var file = kind.StartsWith("cas", StringComparison.Ordinal) ? "imagedb/content/sha256/" : "/json";
        foreach (var args in new[] { new[] { "inspect", image }, ["digest", image], ["save", image, "-o", Out + "/deep.tar"], ["history", image] })
        {
            var (exit, _, error) = CliRunner.Run(editor.FileSystem, ["--root", RootEditor.Root, .. args]);
            Assert.Equal(1, exit);
            Assert.DoesNotContain("internal error", error, StringComparison.Ordinal);
            var last = error.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
            Assert.Contains(file, last, StringComparison.Ordinal);
            Assert.Contains("depth", last, StringComparison.Ordinal);
        }
    }

    private static string Surrogates(string json) => "{\"x" + Hostile + "\":\"" + Hostile + "\"," + json.TrimStart()[1..];

    private static string Nest(string json, int depth)
    {
        var trimmed = json.TrimEnd();
        return trimmed[..^1] + ",\"zdeep\":" + new string('[', depth) + new string(']', depth) + "}";
    }

    /// <summary>A copy of the sample (graph or 1.10+) with one JSON file edited; returns the editor and the short ID of the image to ask about.</summary>
    private static (RootEditor Editor, string Image) Mutated(string kind, Func<string, string> edit)
    {
        var cas = kind.StartsWith("cas", StringComparison.Ordinal);
        var editor = new RootEditor(cas ? HostileSeed.Cas() : kind == "graph tar-split" ? HostileSeed.Small() : HostileSeed.Sample());
        editor.FileSystem.Directory.CreateDirectory(Out);
        var seed = editor.Seed;
        var imageId = seed.ImageIds[0];
        var hex = imageId[(imageId.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var container = "containers/" + seed.ContainerIds[0];
        switch (kind)
        {
            case "graph image json":
                Edit(editor, $"graph/{hex}/json", edit);
                break;
            case "graph repositories-aufs":
                Edit(editor, "repositories-aufs", j => j.Replace("{\"Repositories\":{", "{\"Repositories\":{\"ev" + Hostile + "il\":{\"t" + Hostile + "\":\"" + imageId + "\"},", StringComparison.Ordinal));
                break;
            case "cas repositories.json":
                Edit(editor, "image/aufs/repositories.json", j => j.Replace("{\"Repositories\":{", "{\"Repositories\":{\"ev" + Hostile + "il\":{\"ev" + Hostile + "il:t\":\"" + imageId + "\"},", StringComparison.Ordinal));
                break;
            case "graph container config.json":
                Edit(editor, container + "/config.json", j => Surrogates(j).TrimEnd()[..^1] + ",\"Name\":\"/n" + Hostile + "me\"}");
                break;
            case "cas config.v2.json":
                Edit(editor, container + "/config.v2.json", j => Surrogates(j).TrimEnd()[..^1] + ",\"Name\":\"/n" + Hostile + "me\"}");
                break;
            case "graph hostconfig.json":
            case "cas hostconfig.json":
                Edit(editor, container + "/hostconfig.json", Surrogates);
                break;
            case "cas image config":
                var bytes = Encoding.UTF8.GetBytes(edit(editor.ReadText($"image/aufs/imagedb/content/sha256/{hex}")));
                var newHex = Convert.ToHexStringLower(SHA256.HashData(bytes));
                editor.Write($"image/aufs/imagedb/content/sha256/{newHex}", bytes);
                Edit(editor, "image/aufs/repositories.json", j => j.Replace(hex, newHex, StringComparison.Ordinal));
                hex = newHex;
                break;
            case "graph tar-split":
                var file = $"graph/{seed.LayerIds[0]}/tar-data.json.gz";
                var lines = Gunzip(editor.Read(file)).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(Surrogates);
                editor.Write(file, Gzip(string.Concat(lines.Select(l => l + "\n"))));
                hex = seed.LayerIds[0];
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }

        return (editor, hex[..12]);
    }

    private static void Edit(RootEditor editor, string file, Func<string, string> edit)
    {
        var before = editor.ReadText(file);
        var after = edit(before);
        Assert.NotEqual(before, after);
        editor.Write(file, after);
    }

    private static string Gunzip(byte[] data)
    {
        using var gzip = new System.IO.Compression.GZipStream(new MemoryStream(data), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        return reader.ReadToEnd();
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(buffer, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }
}

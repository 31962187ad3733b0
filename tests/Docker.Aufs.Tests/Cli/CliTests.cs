using System.IO.Abstractions.TestingHelpers;
using System.Text.Json;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

public sealed class CliTests
{
    private const string RedisId = SampleRoots.RedisId;
    private const string BusyboxId = SampleRoots.BusyboxId;

    [Fact]
    public void Images_OnTheSample_PrintsADockerStyleTable()
    {
        var (exit, output, error) = CliRunner.Run("--sample", "images");
        Assert.Equal(0, exit);
        Assert.Equal("", error);
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal("REPOSITORY          TAG                 IMAGE ID            CREATED             VIRTUAL SIZE", lines[0]);
        Assert.Equal("redis               latest              c7d952921cec        8 years ago         1.594 kB", lines[1]);
        Assert.StartsWith("busybox             latest              789355058656        9 years ago         ", lines[2], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
    }

    [Fact]
    public void ImagesJson_IsTheDocumentedContract()
    {
        var images = CliRunner.Json("--sample", "images", "--json");
        Assert.Equal(JsonValueKind.Array, images.ValueKind);
        var redis = images[0];
        Assert.Equal(["repository", "tag", "digest", "id", "created", "size", "virtualSize"], redis.EnumerateObject().Select(p => p.Name));
        Assert.Equal("redis", redis.GetProperty("repository").GetString());
        Assert.Equal("latest", redis.GetProperty("tag").GetString());
        Assert.Equal(JsonValueKind.Null, redis.GetProperty("digest").ValueKind);
        Assert.Equal(RedisId, redis.GetProperty("id").GetString());
        Assert.Equal("2017-12-12T07:15:58.901779813Z", redis.GetProperty("created").GetString()); // as recorded, every digit
        Assert.Equal(0, redis.GetProperty("size").GetInt64());
        Assert.Equal(1594, redis.GetProperty("virtualSize").GetInt64());
        Assert.Equal(BusyboxId, images[1].GetProperty("id").GetString());
    }

    [Fact]
    public void ImagesJson_UntaggedHeadsHaveNullRepositoryAndTagAndDigestsAreOwnRows()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var dangling = builder.AddLayer(l => l.WithoutLayerSize());
        var tagged = builder.AddLayer(_ => { });
        builder.Tag("app@sha256:0011", tagged).Tag("app:1", tagged);
        builder.Build();

        var (exit, output, error) = CliRunner.Run(fs, "--root", "/r", "images", "--json");
        Assert.True(exit == 0, error);
        var rows = JsonDocument.Parse(output).RootElement.EnumerateArray().ToList();
        Assert.Equal(3, rows.Count);
        var head = rows.Single(r => r.GetProperty("id").GetString() == dangling);
        Assert.Equal(JsonValueKind.Null, head.GetProperty("repository").ValueKind);
        Assert.Equal(JsonValueKind.Null, head.GetProperty("tag").ValueKind);
        Assert.Equal(JsonValueKind.Null, head.GetProperty("size").ValueKind);
        var digest = rows.Single(r => r.GetProperty("digest").ValueKind == JsonValueKind.String);
        Assert.Equal(("app", "sha256:0011", JsonValueKind.Null), (digest.GetProperty("repository").GetString(), digest.GetProperty("digest").GetString(), digest.GetProperty("tag").ValueKind));

        var table = CliRunner.Run(fs, "--root", "/r", "images", "--digests").Out;
        Assert.Contains("DIGEST", table, StringComparison.Ordinal);
        Assert.Contains("sha256:0011", table, StringComparison.Ordinal);
        Assert.Contains("<none>              <none>              <none>", table, StringComparison.Ordinal);
        Assert.Contains("unknown", table, StringComparison.Ordinal);
    }

    [Fact]
    public void LayersJson_IsTopFirstWithNullParentAtTheBase()
    {
        var layers = CliRunner.Json("--sample", "layers", "redis", "--json").EnumerateArray().ToList();
        Assert.Equal(SampleRoots.RedisLayers, layers.Select(l => l.GetProperty("id").GetString()));
        Assert.Equal(["id", "parent", "diffId", "driverLayerId", "size", "diffPath"], layers[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, layers[0].GetProperty("diffId").ValueKind); // a graph-era layer records none
        Assert.Equal(RedisId, layers[0].GetProperty("driverLayerId").GetString());
        Assert.Equal(SampleRoots.RedisLayers[1], layers[0].GetProperty("parent").GetString());
        Assert.Equal(JsonValueKind.Null, layers[^1].GetProperty("parent").ValueKind);
        Assert.Equal("/var/lib/docker/aufs/diff/" + RedisId, layers[0].GetProperty("diffPath").GetString());
        Assert.All(layers, l => Assert.Equal(JsonValueKind.Number, l.GetProperty("size").ValueKind));
    }

    [Fact]
    public void LayersJson_UnknownSizeIsNull()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var id = builder.AddLayer(l => l.RawLayerSize("garbage"));
        builder.Build();
        var (exit, output, _) = CliRunner.Run(fs, "--root", "/r", "layers", id[..6], "--json");
        Assert.Equal(0, exit);
        Assert.Equal(JsonValueKind.Null, JsonDocument.Parse(output).RootElement[0].GetProperty("size").ValueKind);
    }

    [Fact]
    public void Layers_Table_ShowsShortIdsAndDiffPaths()
    {
        var output = CliRunner.Run("--sample", "layers", "busybox").Out.TrimEnd('\n').Split('\n');
        Assert.Equal("LAYER ID            PARENT              SIZE                DIFF PATH", output[0]);
        Assert.StartsWith("789355058656        97d69bba9a9d        0 B                 /var/lib/docker/aufs/diff/789355058656", output[1], StringComparison.Ordinal);
        Assert.StartsWith("97d69bba9a9d        -                   221 B", output[2], StringComparison.Ordinal);
    }

    [Fact]
    public void HistoryJson_IsTopFirstWithTheDocumentedKeys()
    {
        var history = CliRunner.Json("--sample", "history", "redis:latest", "--json").EnumerateArray().ToList();
        Assert.Equal(16, history.Count);
        Assert.Equal(["id", "created", "createdBy", "size", "comment"], history[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("/bin/sh -c #(nop)  CMD [\"redis-server\"]", history[0].GetProperty("createdBy").GetString());
        Assert.Equal(RedisId, history[0].GetProperty("id").GetString());
        Assert.Equal("/bin/sh -c #(nop) ADD file:e7ac45803c3ab9b7023933b75f5a88eda1f3edca97c7e462401860777cf312f7 in / ", history[^1].GetProperty("createdBy").GetString());
    }

    [Fact]
    public void History_Table_TruncatesCommandsUnlessAskedNotTo()
    {
        var table = CliRunner.Run("--sample", "history", "redis").Out;
        Assert.Contains("IMAGE               CREATED             CREATED BY", table, StringComparison.Ordinal);
        Assert.Contains("/bin/sh -c #(nop) ADD file:e7ac45803c3ab9b70…", table, StringComparison.Ordinal);
        Assert.Contains("ADD file:e7ac45803c3ab9b7023933b75f5a88eda1f3edca97c7e462401860777cf312f7 in /", CliRunner.Run("--sample", "history", "redis", "--no-trunc").Out, StringComparison.Ordinal);
    }

    [Fact]
    public void InspectJson_IsTheStoredDocumentVerbatim()
    {
        var (exit, output, _) = CliRunner.Run("--sample", "inspect", "redis", "--json");
        Assert.Equal(0, exit);
        Assert.Equal(1988, System.Text.Encoding.UTF8.GetByteCount(output));
        Assert.StartsWith("{\"id\":\"" + RedisId + "\",\"parent\":", output, StringComparison.Ordinal);
        Assert.Contains("\"container_config\":{\"Hostname\":\"cf72799c32e8\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_Human_IsIndentedWithDockersKeys()
    {
        var output = CliRunner.Run("--sample", "inspect", "busybox").Out;
        Assert.StartsWith("{\n  \"id\": \"" + BusyboxId + "\"", output, StringComparison.Ordinal);
        Assert.Contains("\"docker_version\": \"17.06.2-ce\"", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Sample_WritesARootThatReadsBackFromDisk()
    {
        using var temp = new TempDirectory();
        var target = temp.Combine("docker");
        var (exit, output, error) = CliRunner.Run("sample", target);
        Assert.True(exit == 0, error);
        Assert.Contains("18 layers", output, StringComparison.Ordinal);

        var layers = CliRunner.Json("--root", target, "layers", "redis:latest", "--json");
        Assert.Equal(16, layers.GetArrayLength());
        Assert.Equal(Path.Combine(target, "aufs", "diff", RedisId), layers[0].GetProperty("diffPath").GetString());
        Assert.Equal(1988, new FileInfo(Path.Combine(target, "graph", RedisId, "json")).Length);
    }

    [Fact]
    public void Sample_IntoANonEmptyDirectory_FailsWithoutWriting()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("keep"), "x");
        var (exit, _, error) = CliRunner.Run("sample", temp.Path);
        Assert.Equal(1, exit);
        Assert.StartsWith("docker-aufs: ", error, StringComparison.Ordinal);
        Assert.Equal(["keep"], Directory.EnumerateFileSystemEntries(temp.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void MissingRoot_SaysSoAndSuggestsRootOrSample()
    {
        var (exit, output, error) = CliRunner.Run(new MockFileSystem(), "images");
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal("docker-aufs: /var/lib/docker: does not exist (use --root DIR to read another root, or --sample to try the built-in sample)\n", error);
    }

    [Fact]
    public void NotADockerRoot_SaysSo()
    {
        var fs = new MockFileSystem();
        fs.AddDirectory("/r/something");
        var (exit, _, error) = CliRunner.Run(fs, "--root", "/r", "images");
        Assert.Equal(1, exit);
        Assert.Contains("neither graph/", error, StringComparison.Ordinal);
        Assert.Contains("--sample", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("layers", "nope")]
    [InlineData("history", "nope:latest")]
    [InlineData("inspect", "ffffffffffff")]
    public void UnknownReference_IsOneLineOnStderrWithExitOne(string command, string reference)
    {
        var (exit, output, error) = CliRunner.Run("--sample", command, reference);
        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.Equal($"docker-aufs: No such image: {reference}\n", error);
    }

    [Fact]
    public void BrokenData_IsOneLineNamingTheFileWithoutAStackTrace()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var id = builder.AddLayer(l => l.RawJson("{\"id\":"));
        builder.Build();
        var (exit, _, error) = CliRunner.Run(fs, "--root", "/r", "inspect", id);
        Assert.Equal(1, exit);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"docker-aufs: /r/graph/{id}/json: not valid JSON", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);

        var debug = CliRunner.Run(fs, "--root", "/r", "--debug", "inspect", id).Err;
        Assert.Contains("   at ", debug, StringComparison.Ordinal);
    }

    [Fact]
    public void Warnings_GoToStderrAndTheCommandStillSucceeds()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        builder.AddLayer(_ => { });
        builder.RawRepositories([]);
        builder.Build();
        var (exit, output, error) = CliRunner.Run(fs, "--root", "/r", "images");
        Assert.Equal(0, exit);
        Assert.Contains("<none>", output, StringComparison.Ordinal);
        Assert.StartsWith("docker-aufs: warning: /r/repositories-aufs cannot be read (the file is empty)", error, StringComparison.Ordinal);
    }

    [Fact]
    public void LenientFlag_TurnsChainDisagreementsIntoWarnings()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r");
        var a = builder.AddLayer(_ => { });
        var b = builder.AddLayer(l => l.Parent(a));
        builder.Build();
        fs.File.WriteAllText($"/r/aufs/layers/{b}", "");
        Assert.Equal(1, CliRunner.Run(fs, "--root", "/r", "layers", b).Exit);
        var (exit, _, error) = CliRunner.Run(fs, "--root", "/r", "--lenient", "layers", b);
        Assert.Equal(0, exit);
        Assert.StartsWith("docker-aufs: warning: Layer ", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("layers")]
    [InlineData("images", "extra")]
    [InlineData("frobnicate")]
    public void UsageErrors_ExitTwo(params string[] args)
    {
        var (exit, _, error) = CliRunner.Run(args);
        Assert.Equal(2, exit);
        Assert.StartsWith("docker-aufs: ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void RootAndSampleTogether_IsAUsageError() =>
        Assert.Equal(2, CliRunner.Run("--sample", "--root", "/x", "images").Exit);

    [Fact]
    public void Help_ListsTheCommands()
    {
        var (exit, output, _) = CliRunner.Run("--help");
        Assert.Equal(0, exit);
        foreach (var command in new[] { "images", "layers", "history", "inspect", "sample", "--root", "--sample", "--json" })
        {
            Assert.Contains(command, output, StringComparison.Ordinal);
        }
    }
}

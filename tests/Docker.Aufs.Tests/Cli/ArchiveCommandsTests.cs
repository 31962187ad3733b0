using System.IO.Abstractions;
using Docker.Aufs.Testing;
using Docker.Aufs.Cli;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

public sealed class ArchiveCommandsTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string ImportedDive()
    {
        var (exit, _, error) = CliRunner.Run("import", Fixtures.Path("dive-test-image.tar"), "--into", _temp.Combine("dive"));
        Assert.True(exit == 0, error);
        return _temp.Combine("dive");
    }

    private static (int Exit, string Out, string Err) RunOnTerminal(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CliApp.Run(args, new CliEnvironment(output, error, TimeProvider.System, new FileSystem(), ErrorIsTerminal: true));
        return (exit, output.ToString(), error.ToString());
    }

    [Fact]
    public void DigestJson_IsTheDocumentedContract_BaseLayerFirst()
    {
        var digest = CliRunner.Json("--sample", "digest", "redis", "--json");
        Assert.Equal(["imageId", "layers"], digest.EnumerateObject().Select(p => p.Name));
        Assert.StartsWith("sha256:", digest.GetProperty("imageId").GetString(), StringComparison.Ordinal);
        var layers = digest.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(SampleRoots.RedisLayers.Reverse(), layers.Select(l => l.GetProperty("id").GetString()));
        Assert.Equal(["id", "diffId", "chainId", "size", "source"], layers[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(layers[0].GetProperty("diffId").GetString(), layers[0].GetProperty("chainId").GetString());
        Assert.All(layers, l => Assert.Equal("regenerated", l.GetProperty("source").GetString()));
        Assert.Equal(1024, layers[1].GetProperty("size").GetInt64()); // an empty layer: the two end blocks
    }

    [Fact]
    public void Digest_OfAnImportedImage_ReportsTarSplitAndTheFixturesDiffIds()
    {
        var root = ImportedDive();
        var digest = CliRunner.Json("--root", root, "digest", "dive-test", "--json");
        var layers = digest.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(14, layers.Count);
        Assert.Equal("sha256:23bc2b70b2014dec0ac22f27bb93e9babd08cdd6f1115d0c955b9ff22b382f5a", layers[0].GetProperty("diffId").GetString());
        Assert.All(layers, l => Assert.Equal("tar-split", l.GetProperty("source").GetString()));

        var (exit, table, _) = CliRunner.Run("--root", root, "digest", "dive-test", "--layer-source", "regenerate");
        Assert.Equal(0, exit);
        Assert.StartsWith("IMAGE ID   sha256:", table, StringComparison.Ordinal);
        Assert.Contains("regenerated", table, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_WritesTheArchiveAndSaysWhat()
    {
        var output = _temp.Combine("images.tar");
        var (exit, stdout, stderr) = CliRunner.Run("--sample", "save", "busybox", "redis:latest", "-o", output);
        Assert.True(exit == 0, stderr);
        Assert.Equal("", stderr);
        Assert.StartsWith($"Saved 2 images (18 layers) to {output} (docker-archive).", stdout, StringComparison.Ordinal);
        Assert.Contains("busybox:latest", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(output));
    }

    [Fact]
    public void SaveJson_NamesTheImagesAndTheirManifests()
    {
        var output = _temp.Combine("layout");
        var json = CliRunner.Json("--sample", "save", "busybox", "-o", output, "--format", "oci-dir", "--gzip", "--json");
        Assert.Equal(["path", "format", "layers", "images"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("oci-dir", json.GetProperty("format").GetString());
        var image = Assert.Single(json.GetProperty("images").EnumerateArray());
        Assert.Equal(["busybox:latest"], image.GetProperty("repoTags").EnumerateArray().Select(t => t.GetString()));
        Assert.True(File.Exists(Path.Combine(output, "blobs", "sha256", image.GetProperty("manifestDigest").GetString()![7..])));
    }

    [Theory]
    [InlineData("save", "busybox")]
    [InlineData("save", "busybox", "-o", "x.tar", "--format", "zip")]
    [InlineData("layer-tar", "abc")]
    [InlineData("import", "x.tar")]
    [InlineData("digest", "busybox", "--layer-source", "guess")]
    public void UsageErrors_ExitTwoWithDockerAufsLines(params string[] args)
    {
        var (exit, stdout, stderr) = CliRunner.Run(["--sample", .. args]);
        Assert.Equal(CliApp.UsageError, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("docker-aufs: ", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Save_UnknownImage_IsOneLineExitOneAndNoFile()
    {
        var output = _temp.Combine("none.tar");
        var (exit, _, stderr) = CliRunner.Run("--sample", "save", "nope", "-o", output);
        Assert.Equal(CliApp.Failure, exit);
        Assert.Equal("docker-aufs: No such image: nope\n", stderr);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_temp.Path));
    }

    [Fact]
    public void LayerTar_WritesTheTarAndPrintsItsDiffId()
    {
        var root = ImportedDive();
        var output = _temp.Combine("base.tar");
        var json = CliRunner.Json("--root", root, "layer-tar", "28cfe03618aa", "-o", output, "--json");
        Assert.Equal(["id", "diffId", "size", "source", "path"], json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("sha256:23bc2b70b2014dec0ac22f27bb93e9babd08cdd6f1115d0c955b9ff22b382f5a", json.GetProperty("diffId").GetString());
        Assert.Equal("tar-split", json.GetProperty("source").GetString());
        Assert.Equal(new FileInfo(output).Length, json.GetProperty("size").GetInt64());
    }

    [Fact]
    public void LayerTar_TarSplitOnlyWhenTheFilesChanged_FailsWithOneLineNamingTheFile()
    {
        var root = ImportedDive();
        var file = Path.Combine(root, "aufs", "diff", "28cfe03618aa2e914e81fdd90345245c15f4478e35252c06ca52d238fd3cc694", "etc", "passwd");
        File.AppendAllText(file, "x");
        var output = _temp.Combine("base.tar");
        var (exit, _, stderr) = CliRunner.Run("--root", root, "layer-tar", "28cfe03618aa", "-o", output, "--layer-source", "tar-split");
        Assert.Equal(CliApp.Failure, exit);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("docker-aufs: layer 28cfe03618aa", stderr, StringComparison.Ordinal);
        Assert.Contains(file, stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void ImportJson_ListsTheImages_AndABadArchiveIsOneLine()
    {
        var json = CliRunner.Json("import", Fixtures.Path("moby-empty-layer.tar"), "--into", _temp.Combine("centos"), "--tar-split", "v0.9.4", "--json");
        Assert.Equal(["root", "manifest", "layers", "images"], json.EnumerateObject().Select(p => p.Name));
        Assert.False(json.GetProperty("manifest").GetBoolean());
        Assert.Equal(3, json.GetProperty("layers").GetInt32());
        Assert.Equal(["matthughes/library-centos:6-2015.03.20"], json.GetProperty("images")[0].GetProperty("repoTags").EnumerateArray().Select(t => t.GetString()));

        var bad = _temp.Combine("bad.tar");
        File.WriteAllText(bad, new string('x', 1024));
        var (exit, _, stderr) = CliRunner.Run("import", bad, "--into", _temp.Combine("bad-root"));
        Assert.Equal(CliApp.Failure, exit);
        Assert.StartsWith($"docker-aufs: {bad}: not a readable tar archive", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_temp.Combine("bad-root")));
    }

    [Fact]
    public void Progress_OnlyOnATerminalAndNeverWithJson()
    {
        var (exit, _, stderr) = RunOnTerminal("--sample", "save", "redis", "-o", _temp.Combine("a.tar"));
        Assert.Equal(0, exit);
        Assert.Contains("\rSaving [", stderr, StringComparison.Ordinal);
        Assert.EndsWith("\r", stderr, StringComparison.Ordinal); // the bar is cleared at the end

        var (_, _, quietJson) = RunOnTerminal("--sample", "save", "redis", "-o", _temp.Combine("b.tar"), "--json");
        Assert.Equal("", quietJson);
        var (_, _, notTerminal) = CliRunner.Run("--sample", "save", "redis", "-o", _temp.Combine("c.tar"));
        Assert.Equal("", notTerminal);
    }
}

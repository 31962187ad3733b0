using System.Formats.Tar;
using System.IO.Abstractions;
using System.Runtime.Versioning;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Union;

/// <summary>
/// The union view's walks go by directory handle beyond PATH_MAX (issue 15 class 11): a container whose upper layer holds
/// a path longer than 4,096 bytes is listed, exported and diffed like any other (before: "statx(…) failed: File name too
/// long" and exit 1).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DeepUnionWalkTests : IDisposable
{
    private const string Container = "40777c4b779be08d556b5aebd6fca4a177c7589443bfe12ee6a16a7e0f024f7f";

    private readonly TempDirectory _temp = new();
    private readonly string _root;
    private readonly string _upper;
    private readonly string _relative;

    public DeepUnionWalkTests()
    {
        _root = _temp.Combine("docker");
        Assert.Equal(0, CliRunner.Run(new FileSystem(), "sample", _root).Exit);
        _upper = Path.Combine(_root, "aufs", "diff", Container);
        int length;
        (_relative, length) = DeepTree.MakeDeepFile(_upper, bytes: 1234);
        Assert.True(length > 5000, $"{length} bytes");
    }

    [Fact]
    public void LsRecursive_ContainerLayerHoldingAPathOf5000Bytes_ListsTheFileAtItsBottom()
    {
        var (exit, output, error) = CliRunner.Run(new FileSystem(), "--root", _root, "ls", "-R", Container, "/");

        Assert.Equal((0, string.Empty), (exit, error));
        var line = Assert.Single(output.Split('\n'), l => l.EndsWith("/bottom", StringComparison.Ordinal));
        Assert.Contains(" 1234 ", line, StringComparison.Ordinal);
        Assert.Contains("/" + _relative, line, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_ContainerLayerHoldingAPathOf5000Bytes_WritesTheFileUnderItsWholeName()
    {
        var tar = _temp.Combine("container.tar");

        var (exit, _, error) = CliRunner.Run(new FileSystem(), "--root", _root, "export", Container, "-o", tar);

        Assert.Equal((0, string.Empty), (exit, error));
        using var stream = File.OpenRead(tar);
        using var reader = new TarReader(stream);
        TarEntry? bottom = null;
        while (reader.GetNextEntry() is { } entry)
        {
            if (entry.Name.EndsWith("/bottom", StringComparison.Ordinal))
            {
                bottom = entry;
            }
        }

        Assert.NotNull(bottom);
        Assert.Equal((_relative, 1234L), (bottom.Name, bottom.Length));
    }

    [Fact]
    public void Diff_ContainerLayerHoldingAPathOf5000Bytes_ShowsTheFileAsAdded()
    {
        var (exit, output, error) = CliRunner.Run(new FileSystem(), "--root", _root, "diff", Container);

        Assert.Equal((0, string.Empty), (exit, error));
        Assert.Contains("A /" + _relative + "\n", output, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        DeepTree.Remove(Path.Combine(_upper, DeepTree.Level));
        _temp.Dispose();
    }
}

using System.IO.Abstractions;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.IOTests;

/// <summary>
/// The link rule on the real disk (docs/hostile-input.md): a symbolic link where Docker never writes one — in
/// <c>graph/&lt;id&gt;/</c>, the driver's directories, the tag store, container metadata — is refused with
/// <see cref="UnsafePathException"/> naming it, and nothing outside the root is ever opened: a watched host directory
/// holding a secret is the target of every link, and any open or read of it fails the test.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class NoFollowTests : IDisposable
{
    private static readonly string Redis = SampleRoots.RedisId;
    private static readonly string RedisBase = SampleRoots.RedisLayers[^1];
    private static readonly string Container = SampleRoots.RedisContainerId;

    private readonly TempDirectory _temp = new();
    private readonly HostSentinel _host = new();
    private readonly string _root;

    public NoFollowTests()
    {
        _root = _temp.Combine("docker");
        SampleRoots.Write(new FileSystem(), _root);
    }

    public void Dispose()
    {
        _host.Dispose();
        _temp.Dispose();
    }

    private string At(params string[] parts) => Path.Combine([_root, .. parts]);

    /// <summary>Replaces the entry at <paramref name="path"/> with a symbolic link to <paramref name="target"/>.</summary>
    private static void LinkOver(string path, string target)
    {
        if (Directory.Exists(path) && !new DirectoryInfo(path).Attributes.HasFlag(FileAttributes.ReparsePoint))
        {
            Directory.Delete(path, recursive: true);
        }
        else if (File.Exists(path) || new FileInfo(path).LinkTarget is not null)
        {
            File.Delete(path);
        }

        File.CreateSymbolicLink(path, target);
    }

    private IDockerRoot Open(ListLoggerFactory? log = null) =>
        DockerRoot.Open(new FileSystem(), _root, new DockerRootOptions { LoggerFactory = log });

    private void AssertRefused(string link, Action operation)
    {
        var e = Assert.Throws<UnsafePathException>(operation);
        Assert.Equal(link, e.Path);
        Assert.DoesNotContain(HostSentinel.Secret, e.Message, StringComparison.Ordinal);
        _host.AssertUntouched(link);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("layersize")]
    [InlineData("parent")]
    [InlineData("checksum")]
    [InlineData("v1Compatibility")]
    public void GetLayer_AFileOfTheImageDirectoryLinksToAHostFile_IsRefusedNamingTheLink(string file)
    {
        var link = At("graph", Redis, file);
        LinkOver(link, _host.SecretFile);

        AssertRefused(link, () => Open().Graph().ReadLayer(Redis));
        AssertRefused(link, () => Open().ResolveImage("redis"));
    }

    [Fact]
    public void GetImages_AnImageDirectoryLinksToAHostDirectory_SkipsThatImageWithAWarningAndOpensNothingThere()
    {
        var link = At("graph", Redis);
        LinkOver(link, _host.Directory);
        var log = new ListLoggerFactory();

        var images = Open(log).GetImages();

        Assert.DoesNotContain(images, i => i.Id == Redis);
        Assert.Contains(images, i => i.Id == SampleRoots.BusyboxId);
        Assert.Contains(log.Warnings, w => w.Contains(link, StringComparison.Ordinal));
        _host.AssertUntouched("images");
        AssertRefused(link, () => Open().ResolveImage("redis"));
    }

    [Fact]
    public void GetLayer_AnImageDirectoryLinksToAnotherImageInsideTheRoot_IsRefusedToo()
    {
        var link = At("graph", Redis);
        LinkOver(link, RedisBase);

        AssertRefused(link, () => Open().Graph().ReadLayer(Redis));
    }

    [Fact]
    public void Repositories_TheTagStoreLinksToAHostFile_HoldsNoTagsWithAWarning()
    {
        var link = At("repositories-aufs");
        LinkOver(link, _host.Combine("repositories-aufs"));
        var log = new ListLoggerFactory();
        var root = Open(log);

        Assert.Throws<ImageNotFoundException>(() => root.ResolveImage("redis"));
        Assert.All(root.GetImages(), i => Assert.Empty(i.RepoTags));
        Assert.Equal(Redis, root.ResolveImage(Redis[..12]).Id);
        Assert.Contains(log.Warnings, w => w.Contains(link, StringComparison.Ordinal) && w.Contains("symbolic link", StringComparison.Ordinal));
        _host.AssertUntouched("tag store");
    }

    [Fact]
    public void OpenImage_TheAufsLayersFileLinksToAHostFile_IsRefused()
    {
        var link = At("aufs", "layers", Redis);
        LinkOver(link, _host.SecretFile);

        AssertRefused(link, () => Open().OpenImage("redis"));
        AssertRefused(link, () => Open().OpenLayer(Redis));
    }

    [Theory]
    [InlineData("config.json")]
    [InlineData("hostconfig.json")]
    public void GetContainers_AContainerFileLinksToAHostFile_SkipsTheContainerAndGetContainerRefusesIt(string file)
    {
        var link = At("containers", Container, file);
        LinkOver(link, _host.Combine(file));
        var log = new ListLoggerFactory();

        Assert.Empty(Open(log).GetContainers());
        Assert.Contains(log.Warnings, w => w.Contains(link, StringComparison.Ordinal));
        _host.AssertUntouched("containers");
        AssertRefused(link, () => Open().ResolveContainer(Container));
    }

    [Fact]
    public void GetContainer_AContainerDirectoryLinksToAHostDirectory_IsRefused()
    {
        var link = At("containers", Container);
        LinkOver(link, _host.Directory);

        Assert.Empty(Open().GetContainers());
        AssertRefused(link, () => Open().ResolveContainer(Container));
    }

    [Fact]
    public void EveryImageOperation_ADiffDirectoryLinksToAHostDirectory_IsRefusedNamingTheLink()
    {
        var link = At("aufs", "diff", Redis);
        LinkOver(link, _host.Combine("layer"));
        var output = _temp.Combine("out.tar");

        AssertRefused(link, () => Open().ResolveImage("redis"));
        AssertRefused(link, () => Open().OpenImage("redis"));
        AssertRefused(link, () => Open().OpenLayer(Redis));
        AssertRefused(link, () => new ImageArchiver(Open()).ComputeDigests("redis", cancellationToken: TestContext.Current.CancellationToken));
        AssertRefused(link, () => new ImageArchiver(Open()).WriteLayerTar(Redis, new MemoryStream(), new ArchiveOptions { Source = LayerSource.Regenerated }, cancellationToken: TestContext.Current.CancellationToken));
        AssertRefused(link, () => new ImageArchiver(Open()).Save(["redis"], output, cancellationToken: TestContext.Current.CancellationToken));
        AssertRefused(link, () => Open().OpenContainer(Container));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void EveryImageOperation_ADiffDirectoryLinkLeftByTheDocker07Migration_IsFollowedInsideTheRoot()
    {
        var expected = new ImageArchiver(Open()).ComputeDigests("redis", cancellationToken: TestContext.Current.CancellationToken).ImageId;
        var diff = At("aufs", "diff", Redis);
        var moved = At("graph", Redis, "layer");
        Directory.Move(diff, moved);
        File.CreateSymbolicLink(diff, $"../../graph/{Redis}/layer");
        var root = Open();

        Assert.Equal(moved, root.ResolveImage("redis").Layers[0].ContentPath);
        Assert.NotEmpty(root.OpenImage("redis").EnumerateRecursive());
        Assert.Equal(expected, new ImageArchiver(root).ComputeDigests("redis", cancellationToken: TestContext.Current.CancellationToken).ImageId);
        Assert.NotEmpty(root.OpenContainer(Container).GetChanges());
    }

    [Fact]
    public void GetDigests_TheTarSplitFileLinksToAHostFile_IsRefusedAndAutoRegeneratesWithoutOpeningIt()
    {
        var link = At("graph", Redis, "tar-data.json.gz");
        File.CreateSymbolicLink(link, _host.SecretFile);
        var strict = new ArchiveOptions { Source = LayerSource.TarSplit };

        AssertRefused(link, () => new ImageArchiver(Open()).WriteLayerTar(Redis, new MemoryStream(), strict, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(LayerSource.Regenerated, new ImageArchiver(Open()).WriteLayerTar(Redis, new MemoryStream(), cancellationToken: TestContext.Current.CancellationToken).Source);
        _host.AssertUntouched("layer-tar");
    }

    [Theory]
    [InlineData("graph")]
    [InlineData("aufs")]
    [InlineData("aufs/layers")]
    [InlineData("aufs/diff")]
    [InlineData("aufs/mnt")]
    public void Open_ADirectoryOfTheRootLinksOutside_IsRefusedNamingTheLink(string directory)
    {
        var link = At(directory.Split('/'));
        var copy = _temp.Combine("moved-" + directory.Replace('/', '-'));
        Directory.Move(link, copy); // the real data, moved outside the root
        File.CreateSymbolicLink(link, copy);

        AssertRefused(link, () => Open());
        AssertRefused(link, () => RootChecker.Check(new FileSystem(), _root));
    }

    [Fact]
    public void GetContainers_TheContainersDirectoryLinksOutside_IsRefusedWhileImagesStillWork()
    {
        var link = At("containers");
        LinkOver(link, _host.Directory);
        var root = Open();

        AssertRefused(link, () => root.GetContainers());
        AssertRefused(link, () => root.ResolveContainer("redis-cache"));
        Assert.Equal(2, root.GetImages().Count);
        _host.AssertUntouched("images");
    }

    [Theory]
    [InlineData("aufs/diff/<redis>", "layer")]
    [InlineData("aufs/diff/<base>", "layer")]
    [InlineData("aufs/diff/<container>", "layer")]
    [InlineData("aufs/mnt/<redis>", "")]
    [InlineData("containers", "")]
    [InlineData("graph/_tmp", "")]
    public void Check_ALinkToAHostDirectory_IsReportedAsAnUnsafeLinkAndNothingThereIsOpened(string place, string hostDirectory)
    {
        var link = At(place.Replace("<redis>", Redis, StringComparison.Ordinal).Replace("<base>", RedisBase, StringComparison.Ordinal)
            .Replace("<container>", Container, StringComparison.Ordinal).Split('/'));
        LinkOver(link, hostDirectory.Length == 0 ? _host.Directory : _host.Combine(hostDirectory));

        var findings = RootChecker.Check(new FileSystem(), _root, cancellationToken: TestContext.Current.CancellationToken).Findings;

        _host.AssertUntouched("fsck"); // it listed the host directory (and measured the layer there) before
        var finding = Assert.Single(findings, f => f.Code == FindingCodes.UnsafeLink);
        Assert.Equal((link, FindingSeverity.Error), (finding.Path, finding.Severity));
        Assert.DoesNotContain(findings, f => f.Code == FindingCodes.DiffMissing && f.Path == link);
    }

    [Theory]
    [InlineData("graph/<redis>/json")]
    [InlineData("graph/<redis>")]
    [InlineData("aufs/layers/<redis>")]
    [InlineData("containers/<container>")]
    [InlineData("containers/<container>/config.json")]
    [InlineData("containers/<container>/hostconfig.json")]
    public void Check_AMetadataPlaceLinksToTheHost_IsReportedAsAnUnsafeLinkNamingIt(string place)
    {
        var link = At(place.Replace("<redis>", Redis, StringComparison.Ordinal).Replace("<container>", Container, StringComparison.Ordinal).Split('/'));
        LinkOver(link, Directory.Exists(link) ? _host.Directory : _host.SecretFile);

        var findings = RootChecker.Check(new FileSystem(), _root, cancellationToken: TestContext.Current.CancellationToken).Findings;

        _host.AssertUntouched("fsck");
        var finding = Assert.Single(findings, f => f.Code == FindingCodes.UnsafeLink);
        Assert.Equal((link, FindingSeverity.Error), (finding.Path, finding.Severity));
        Assert.DoesNotContain(findings, f => f.Code is FindingCodes.LayersFileCorrupt or FindingCodes.ContainerConfigCorrupt or FindingCodes.JsonCorrupt);
    }

    [Fact]
    public void Check_TheTagStoreLinksToAHostFile_IsReportedAsAnUnsafeLinkAndTheRestIsChecked()
    {
        var link = At("repositories-aufs");
        LinkOver(link, _host.Combine("repositories-aufs"));

        var findings = RootChecker.Check(new FileSystem(), _root, cancellationToken: TestContext.Current.CancellationToken).Findings;

        _host.AssertUntouched("fsck");
        Assert.Equal(link, Assert.Single(findings, f => f.Code == FindingCodes.UnsafeLink).Path);
        Assert.DoesNotContain(findings, f => f.Code is FindingCodes.RepositoriesMissing or FindingCodes.RepositoriesCorrupt);
    }

    [Fact]
    public void Check_TheDocker07MigrationLink_IsFollowedAndNotReported()
    {
        var diff = At("aufs", "diff", Redis);
        Directory.Move(diff, At("graph", Redis, "layer"));
        File.CreateSymbolicLink(diff, $"../../graph/{Redis}/layer");

        var report = RootChecker.Check(new FileSystem(), _root, cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(report.IsClean, string.Join('\n', report.Findings));
    }

    [Fact]
    public void GetLayer_ALinkLoopInTheImageDirectory_IsRefusedWithoutHanging()
    {
        var json = At("graph", Redis, "json");
        File.Delete(json);
        File.CreateSymbolicLink(json, "json2");
        File.CreateSymbolicLink(At("graph", Redis, "json2"), "json");

        var e = Assert.Throws<UnsafePathException>(() => Open().Graph().ReadLayer(Redis));
        Assert.Equal(json, e.Path);
    }
}

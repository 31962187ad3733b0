using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Drivers;
using Docker.Aufs.IO;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Drivers.Overlay2;

/// <summary>
/// An overlay2 root copied without extended attributes (issue 12 item 2): its opaque directories lost their mark. The
/// layer's tar-split data still records each <c>.wh..wh..opq</c> entry of the original tar, which overlay2's
/// <c>ApplyDiff</c> turned into the mark, so views show those directories opaque from it and warn once per layer where
/// the mark is readable and absent (a copy that lost it), never a silently wrong view.
/// </summary>
public sealed class LostOpaqueAttributeTests
{
    private const string R = "/var/lib/docker";

    private static BuiltRoot WriteOverlay2() =>
        SampleRoots.Write(new DockerRootBuilder(new MockFileSystem(), ImageStoreKind.ContentAddressed, "overlay2", R, SpecialFileMode.Recorded));

    /// <summary>The one directory the sample's tars mark opaque (gosu's step makes <c>/var/lib/apt/lists</c> opaque), in its layer's <c>diff/</c>.</summary>
    private static string OpaqueDirectory(BuiltRoot built)
    {
        var root = (DockerRoot)built.Open();
        var layers = built.ImageIds.SelectMany(id => root.ResolveImage(id).Layers).DistinctBy(l => l.Id).ToList();
        var layer = Assert.Single(layers, l => built.Metadata is IExtendedAttributeReader reader
            && reader.TryGetAttribute(l.ContentPath + "/var/lib/apt/lists", OverlayBranches.OpaqueAttribute, out _) == AttributeAnswer.Present);
        return layer.ContentPath + "/var/lib/apt/lists";
    }

    /// <summary>The copy a plain <c>cp -r</c> or <c>tar</c> without <c>--xattrs</c> makes, read as root: the mark is readably absent.</summary>
    private static BuiltRoot LoseMark(BuiltRoot built, string directory)
    {
        Assert.True(built.Metadata.ForgetAttribute(directory, OverlayBranches.OpaqueAttribute));
        Assert.True(built.Metadata.TryGetStatus(directory, out var status));
        built.Metadata.Record(directory, status);
        return built;
    }

    [Fact]
    public void OpenImage_ACopyThatLostTheOpaqueAttribute_ShowsEveryImageAsOnAufsFromTheTarSplitData()
    {
        var built = WriteOverlay2();
        var aufs = SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).Open();
        var lost = LoseMark(built, OpaqueDirectory(built)).Open();

        foreach (var id in built.ImageIds)
        {
            Assert.Equal(AufsViews.Describe(aufs.OpenImage(id)), AufsViews.Describe(lost.OpenImage(id)));
        }
    }

    [Fact]
    public void OpenImage_ACopyThatLostTheOpaqueAttribute_WarnsOnceNamingTheLayerAndTheDirectory()
    {
        var built = WriteOverlay2();
        var directory = OpaqueDirectory(built);
        LoseMark(built, directory);
        var logs = new ListLoggerFactory();
        var root = built.Open(new DockerRootOptions { LoggerFactory = logs });

        foreach (var id in built.ImageIds)
        {
            root.OpenImage(id);
        }

        root.OpenContainer(SampleRoots.RedisContainerName);

        var warning = Assert.Single(logs.Entries, e => e.Id.Id == 3006).Message;
        Assert.Contains("its original tar marks /var/lib/apt/lists opaque", warning, StringComparison.Ordinal);
        Assert.Contains(directory[..^"/var/lib/apt/lists".Length], warning, StringComparison.Ordinal);
        Assert.Contains("lost its extended attributes", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenImage_TheMarkKept_GivesNoWarning()
    {
        var built = WriteOverlay2();
        var logs = new ListLoggerFactory();
        var root = built.Open(new DockerRootOptions { LoggerFactory = logs });

        foreach (var id in built.ImageIds)
        {
            root.OpenImage(id);
        }

        Assert.DoesNotContain(logs.Entries, e => e.Id.Id == 3006);
    }

    [Fact]
    public void OpenImage_WithoutTheRightToReadTheMark_ShowsTheOpaqueDirectoryFromTheTarSplitData()
    {
        var built = WriteOverlay2();
        var aufs = SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).Open();
        var root = built.Open(new DockerRootOptions { Metadata = new MarksHidden(built.Metadata) });

        foreach (var id in built.ImageIds)
        {
            Assert.Equal(AufsViews.Describe(aufs.OpenImage(id)), AufsViews.Describe(root.OpenImage(id)));
        }
    }

    [Fact]
    public void OpenContainer_ACopyThatLostTheOpaqueAttribute_ShowsTheContainerAsOnAufs()
    {
        var built = WriteOverlay2();
        var aufs = SampleRoots.WriteInMemory(ImageStoreKind.ContentAddressed).Open();
        var lost = LoseMark(built, OpaqueDirectory(built)).Open();

        Assert.Equal(AufsViews.Describe(aufs.OpenContainer(SampleRoots.RedisContainerName)), AufsViews.Describe(lost.OpenContainer(SampleRoots.RedisContainerName)));
    }

    [Fact]
    public void Check_ACopyThatLostTheOpaqueAttribute_ReportsTheDirectory()
    {
        var built = WriteOverlay2();
        var directory = OpaqueDirectory(built);
        LoseMark(built, directory);

        var report = RootChecker.Check(built.FileSystem, built.Path, new DockerRootOptions { Metadata = built.Metadata }, cancellationToken: TestContext.Current.CancellationToken);

        var finding = Assert.Single(report.Findings);
        Assert.Equal((FindingCodes.OpaqueAttributeLost, FindingSeverity.Error, directory), (finding.Code, finding.Severity, finding.Path));
        Assert.Contains("marks /var/lib/apt/lists opaque", finding.Message, StringComparison.Ordinal);
    }

    /// <summary>What a process without CAP_SYS_ADMIN reads: every status, no <c>trusted.*</c> (nor, here, <c>user.*</c>) attribute.</summary>
    private sealed class MarksHidden(IUnixMetadataProvider inner) : IUnixMetadataProvider, IExtendedAttributeReader
    {
        public bool TryGetStatus(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UnixFileStatus? status) => inner.TryGetStatus(path, out status);

        public AttributeAnswer TryGetAttribute(string path, string name, out byte[]? value)
        {
            value = null;
            return AttributeAnswer.Unknown;
        }
    }
}

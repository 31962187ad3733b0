using Docker.Aufs.Tests.Building;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Stores.ContentAddressed;

/// <summary>
/// <c>images</c> on a 1.10+ root computes each ChainID and each chain's size once for all the images that share it
/// (docs/benchmarks.md, issue 11 (a)); what it lists stays what walking every image's own chain gives, and an image on a
/// broken chain is still skipped however many images share the chain's good part.
/// </summary>
public sealed class CasListingTests
{
    private static readonly DateTimeOffset T0 = new(2019, 5, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// base ← mid ← app1, mid ← app2, and base ← twin, whose layer has app1's content (the same DiffID on another
    /// parent, so another ChainID); every image tagged.
    /// </summary>
    private static (CasTestRoot Root, string[] Images) Build(Disk disk)
    {
        var images = new string[5];
        var root = CasTestRoot.Build(disk, builder =>
        {
            images[0] = builder.AddLayer(l => l.Created(T0).CreatedBy("ADD base").File("etc/base", new string('b', 300)));
            images[1] = builder.AddLayer(l => l.Parent(images[0]).Created(T0.AddMinutes(1)).CreatedBy("RUN mid").File("mid", new string('m', 5000)));
            images[2] = builder.AddLayer(l => l.Parent(images[1]).Created(T0.AddMinutes(2)).CreatedBy("RUN app").File("app", "same content\n", modified: T0));
            images[3] = builder.AddLayer(l => l.Parent(images[1]).Created(T0.AddMinutes(3)).CreatedBy("RUN app2").File("app2", new string('2', 70)));
            images[4] = builder.AddLayer(l => l.Parent(images[0]).Created(T0.AddMinutes(4)).CreatedBy("RUN app").File("app", "same content\n", modified: T0));
            builder.Tag("base:1", images[0]);
            builder.Tag("mid:1", images[1]);
            builder.Tag("app:1", images[2]);
            builder.Tag("app:2", images[3]);
            builder.Tag("twin:1", images[4]);
        });
        return (root, images);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void GetImages_ImagesSharingTheBottomOfTheirStacks_EachSizeIsTheSumOfItsOwnChain(Disk disk)
    {
        var (root, images) = Build(disk);
        using var disposable = root;

        var listed = root.Open(root.Options).GetImages();

        Assert.Equal(images.Order(StringComparer.Ordinal), listed.Select(i => i.Id).Order(StringComparer.Ordinal));
        foreach (var id in images)
        {
            var layers = root.Open(root.Options).ResolveImage(id).Layers;
            var expected = layers.Sum(l => long.Parse(root.LayerFile(l.Id, "size"), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(expected, listed.Single(i => i.Id == id).Size);
        }

        // The twin's layer has app1's DiffID on another parent: its own ChainID, not app1's.
        var app = root.Open(root.Options).ResolveImage(images[2]).Layers;
        var twin = root.Open(root.Options).ResolveImage(images[4]).Layers;
        Assert.Equal(app[0].DiffId, twin[0].DiffId);
        Assert.NotEqual(app[0].Id, twin[0].Id);
        Assert.Equal(CasTestRoot.ChainId(twin[1].Id, twin[0].DiffId!), twin[0].Id);
    }

    [Fact]
    public void GetImages_ALayerRecordMissingUnderASharedLayer_SkipsEveryImageAboveItAndListsTheOthers()
    {
        var (root, images) = Build(Disk.Memory);
        using var disposable = root;
        var mid = root.Open(root.Options).ResolveImage(images[1]).Layers[0].Id;
        root.FileSystem.Directory.Delete(root.LayerRecord(mid), recursive: true);
        var log = new ListLoggerFactory();

        var listed = root.Open(root.Options with { LoggerFactory = log }).GetImages();

        Assert.Equal(new[] { images[0], images[4] }.Order(StringComparer.Ordinal), listed.Select(i => i.Id).Order(StringComparer.Ordinal));
        foreach (var skipped in new[] { images[1], images[2], images[3] })
        {
            Assert.Contains(log.Warnings, w => w.Contains(skipped, StringComparison.Ordinal) && w.Contains(CasTestRoot.Hex(mid), StringComparison.Ordinal));
        }
    }

    [Fact]
    public void GetImages_AnImagesMetadataDirectoryIsALinkToAHostDirectoryWithoutParent_SkipsTheImageWithoutLookingInside()
    {
        var (root, images) = Build(Disk.Real);
        using var disposable = root;
        using var host = new HostSentinel();
        var link = root.Combine("image", "aufs", "imagedb", "metadata", "sha256", CasTestRoot.Hex(images[4]));
        Directory.Delete(link, recursive: true);
        File.CreateSymbolicLink(link, host.Combine("etc")); // a host directory with no parent file
        var log = new ListLoggerFactory();

        var listed = root.Open(root.Options with { LoggerFactory = log }).GetImages();

        // Before, the link was followed to look for a parent file there; finding none, the image was listed.
        Assert.DoesNotContain(listed, i => i.Id == images[4]);
        Assert.Contains(listed, i => i.Id == images[2]);
        Assert.Contains(log.Warnings, w => w.Contains(link, StringComparison.Ordinal));
        host.AssertUntouched("images");
    }
}

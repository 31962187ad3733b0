using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// A valid root in memory that hostile cases are made from, with what a test needs to know about it: its images, tags,
/// layers and containers, so that every operation can be asked about them whatever the mutation did to the root.
/// </summary>
internal sealed class HostileSeed
{
    public const string RootPath = "/var/lib/docker";

    private HostileSeed(string name, BuiltRoot root, IReadOnlyList<string> tags, IReadOnlyList<string> images, IReadOnlyList<string> containers)
    {
        Name = name;
        FileSystem = root.FileSystem;
        Root = root.Path;
        Metadata = root.Metadata;
        LayerIds = root.LayerIds;
        Tags = tags;
        ImageIds = images;
        ContainerIds = containers;
    }

    /// <summary>Gets the seed's short name, the first word of every case name made from it.</summary>
    public string Name { get; }

    /// <summary>Gets the file system holding the seed (in memory, never changed: cases work on copies; or a case's own root on disk).</summary>
    public IFileSystem FileSystem { get; }

    /// <summary>Gets the root's path.</summary>
    public string Root { get; }

    /// <summary>Gets the recorded metadata of the seed (owners, link targets, device numbers of layer entries).</summary>
    public IUnixMetadataProvider Metadata { get; }

    /// <summary>Gets every image layer ID, in the order they were built (bases before children).</summary>
    public IReadOnlyList<string> LayerIds { get; }

    /// <summary>Gets the tags of the seed.</summary>
    public IReadOnlyList<string> Tags { get; }

    /// <summary>Gets the IDs of the tagged images (heads).</summary>
    public IReadOnlyList<string> ImageIds { get; }

    /// <summary>Gets the container IDs.</summary>
    public IReadOnlyList<string> ContainerIds { get; }

    /// <summary>Gets the paths, relative to the root, of every metadata file (not layer contents, not mount points).</summary>
    public IReadOnlyList<string> MetadataFiles => field ??= [.. FileSystem.Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
        .Select(p => p[(Root.Length + 1)..])
        .Where(p => !p.StartsWith("aufs/diff/", StringComparison.Ordinal) && !p.StartsWith("aufs/mnt/", StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)];

    /// <summary>The built-in sample: busybox, a 16-layer redis, the <c>redis-cache</c> container.</summary>
    public static HostileSeed Sample() => Sample(new MockFileSystem(), RootPath);

    /// <summary>Writes the sample at <paramref name="path"/> (on disk: with real links, hardlinks and special files).</summary>
    public static HostileSeed Sample(IFileSystem fileSystem, string path)
    {
        var root = SampleRoots.Write(fileSystem, path, fileSystem is MockFileSystem ? SpecialFileMode.Recorded : SpecialFileMode.Auto);
        return new HostileSeed("sample", root, ["busybox:latest", "redis:latest"], [SampleRoots.BusyboxId, SampleRoots.RedisId], [SampleRoots.RedisContainerId]);
    }

    /// <summary>
    /// The built-in sample as Docker 1.10+ writes it (a content-addressed root): busybox and redis built step by step, the
    /// <c>redis-cache</c> container with its mount; the layer IDs are ChainIDs.
    /// </summary>
    public static HostileSeed Cas()
    {
        var root = SampleRoots.Write(new MockFileSystem(), ImageStoreKind.ContentAddressed, RootPath, SpecialFileMode.Recorded);
        return new HostileSeed("cas", root, ["busybox:latest", "redis:latest"], [SampleRoots.ContentAddressedIds.BusyboxId, SampleRoots.ContentAddressedIds.RedisId],
            [SampleRoots.ContentAddressedIds.RedisContainerId]);
    }

    /// <summary>
    /// The built-in sample on the overlay (v1) driver, in the content-addressed era (<c>overlay-cas</c>) or the graph era
    /// (<c>overlay-graph</c>): image layers as <c>root/</c> trees, the container's layers as <c>upper/</c> and <c>lower-id</c>.
    /// </summary>
    public static HostileSeed Overlay(ImageStoreKind store)
    {
        var root = SampleRoots.Write(new DockerRootBuilder(new MockFileSystem(), store, "overlay", RootPath, SpecialFileMode.Recorded));
        return store == ImageStoreKind.ContentAddressed
            ? new HostileSeed("overlay-cas", root, ["busybox:latest", "redis:latest"], [SampleRoots.ContentAddressedIds.BusyboxId, SampleRoots.ContentAddressedIds.RedisId],
                [SampleRoots.ContentAddressedIds.RedisContainerId])
            : new HostileSeed("overlay-graph", root, ["busybox:latest", "redis:latest"], [SampleRoots.BusyboxId, SampleRoots.RedisId], [SampleRoots.RedisContainerId]);
    }

    /// <summary>
    /// A small root whose layers come from tars (so they have tar-split data): a base with a hardlink, links, a device and a
    /// fifo; a child with a whiteout and an opaque directory; a third layer written directly; a container that changed a
    /// file and deleted one.
    /// </summary>
    public static HostileSeed Small() => Small(new MockFileSystem(), RootPath);

    /// <summary>Writes the small seed at <paramref name="path"/>.</summary>
    public static HostileSeed Small(IFileSystem fileSystem, string path)
    {
        var baseTar = new TarBytes()
            .Directory("etc").File("etc/passwd", "root:x:0:0::/root:/bin/sh\n").File("etc/motd", "hello\n")
            .Hardlink("etc/motd.link", "etc/motd").Symlink("etc/mtab", "/proc/mounts").Symlink("bin", "usr/bin")
            .Directory("usr/bin").File("usr/bin/tool", "#!/bin/sh\necho tool\n", mode: 0x1ED)
            .Device("dev/null", TarType.CharDevice, 1, 3).Entry("run/fifo", TarType.Fifo, 0x11A4, [])
            .Directory("var/cache").File("var/cache/a", "aaaa").File("var/cache/b", "bbbb")
            .Build();
        var topTar = new TarBytes()
            .Directory("etc").File("etc/.wh.motd", string.Empty).File("etc/added", "new\n")
            .Directory("var/cache").File("var/cache/.wh..wh..opq", string.Empty).File("var/cache/c", "cccc")
            .Build();

        var builder = new DockerRootBuilder(fileSystem, path, fileSystem is MockFileSystem ? SpecialFileMode.Recorded : SpecialFileMode.Auto);
        var bottom = builder.AddLayer(l => l.Id(Ids.Of("hostile-base")).FromTar(() => new MemoryStream(baseTar)));
        var middle = builder.AddLayer(l => l.Id(Ids.Of("hostile-middle")).Parent(bottom).FromTar(() => new MemoryStream(topTar)));
        var top = builder.AddLayer(l => l.Id(Ids.Of("hostile-top")).Parent(middle).CreatedBy("/bin/sh -c echo top")
            .File("top.txt", "top\n").Symlink("etc/link", "../etc/passwd").Whiteout("usr/bin/tool"));
        var other = builder.AddLayer(l => l.Id(Ids.Of("hostile-other")).File("other", "other\n"));
        builder.Tag("app:latest", top).Tag("app:1.0", middle).Tag("quay.io/org/other:v1", other);
        var container = builder.AddContainer(c => c.Id(Ids.Of("hostile-container")).Name("worker").Image(top, "app")
            .Changes(l => l.File("etc/passwd", "changed\n").File("data/new", "data")).Delete("etc/added"));
        var built = builder.Build();
        return new HostileSeed("small", built, ["app:latest", "app:1.0", "quay.io/org/other:v1"], [top, middle, other], [container]);
    }
}

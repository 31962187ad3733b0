using System.IO.Abstractions;
using System.Runtime.Versioning;
using Docker.Aufs.Archive;
using Docker.Aufs.Drivers;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// Import on the real disk against links (issue 15, class 1): layer tars that put a symbolic link where a directory was and
/// write through it, links that climb out, and links put into the layer directory by someone else — before the extraction
/// reaches the name, or in the middle of it (a directory swapped for a link between two entries). A sentinel directory
/// outside the root is snapshotted (bytes, mode, owner, inode, times) before and after: whatever the import does, refuse
/// with an error naming the entry or succeed, nothing there changes.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostileImportTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public HostileImportTests()
    {
        Directory.CreateDirectory(Outside);
        File.WriteAllText(Path.Combine(Outside, "secret"), HostSentinel.Secret);
        Directory.CreateDirectory(Path.Combine(Outside, "etc"));
        File.WriteAllText(Path.Combine(Outside, "etc", "passwd"), HostSentinel.Secret);
        foreach (var entry in Directory.EnumerateFileSystemEntries(Outside, "*", SearchOption.AllDirectories).Append(Outside))
        {
            File.SetLastWriteTimeUtc(entry, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }
    }

    /// <summary>The sentinel directory outside every root the tests write.</summary>
    private string Outside => _temp.Combine("host", "outside");

    private string Target => _temp.Combine("root");

    public void Dispose() => _temp.Dispose();

    /// <summary>Layer tars that reach outside through links the tar itself makes; each is refused or written inside.</summary>
    public static TheoryData<string> LayerFamilies => [.. Layers(string.Empty).Keys];

    [Theory]
    [MemberData(nameof(LayerFamilies))]
    public void Import_ALayerWhoseLinksLeadOutside_ChangesNothingOutsideTheRoot(string family)
    {
        var host = TreeSnapshot.Take(_temp.Combine("host"));
        var (layer, refused) = Layers(Outside)[family];
        var archive = Archive(layer);

        if (refused)
        {
            var error = Assert.ThrowsAny<DockerDataException>(() => ImageImporter.Import(new FileSystem(), archive, Target, cancellationToken: TestContext.Current.CancellationToken));
            Assert.Contains("layer.tar", error.Message, StringComparison.Ordinal);
            Assert.False(Directory.Exists(Target));
        }
        else
        {
            ImageImporter.Import(new FileSystem(), archive, Target, cancellationToken: TestContext.Current.CancellationToken);
        }

        Assert.Equal(host, TreeSnapshot.Take(_temp.Combine("host")));
    }

    /// <summary>Links put into the layer directory by someone else before the extraction reaches them: at a parent, at the entry's own name, deeper down.</summary>
    public static TheoryData<string> PlacedLinkFamilies => [.. PlacedLinks(string.Empty).Keys];

    [Theory]
    [MemberData(nameof(PlacedLinkFamilies))]
    public void Apply_ALinkPutInTheLayerDirectoryBeforeTheEntry_IsRefusedByNameAndNothingOutsideChanges(string family)
    {
        var host = TreeSnapshot.Take(_temp.Combine("host"));
        var (place, tar, named) = PlacedLinks(Outside)[family];
        var layer = _temp.Combine("staging", "layer");
        Directory.CreateDirectory(layer);
        place(layer);

        var error = Assert.Throws<UnsafePathException>(() => Apply(tar, layer));

        Assert.Contains($"'{named}'", error.Message, StringComparison.Ordinal);
        Assert.Equal(host, TreeSnapshot.Take(_temp.Combine("host")));
    }

    [Fact]
    public void Apply_ADirectorySwappedForALinkBetweenTwoEntries_IsRefusedAndNothingOutsideChanges()
    {
        // The "race" made deterministic: the tar is read 512 bytes at a time, and when the reader asks for the second
        // entry's header, the first entry's directory (already created) is renamed away and a link to the host put in
        // its place: exactly what another process could do while the import runs.
        var host = TreeSnapshot.Take(_temp.Combine("host"));
        var layer = _temp.Combine("staging", "layer");
        Directory.CreateDirectory(layer);
        var tar = new TarBytes().Directory("d", 0x1FF).File("d/secret", "overwritten", 0x1FF).Build();
        using var stream = new SwappingStream(tar, 512, () =>
        {
            Directory.Move(Path.Combine(layer, "d"), Path.Combine(layer, "d.moved"));
            File.CreateSymbolicLink(Path.Combine(layer, "d"), Outside);
        });

        var error = Assert.Throws<UnsafePathException>(() => Apply(stream, layer));

        Assert.True(stream.Swapped);
        Assert.Contains("'d'", error.Message, StringComparison.Ordinal);
        Assert.Equal(host, TreeSnapshot.Take(_temp.Combine("host")));
    }

    [Fact]
    public void Import_TheRootAndTheDriverAndStoreDirectories_AreClosedToOtherUsersAsDockersAre()
    {
        var layer = new TarBytes().File("bin/su", "#!", 0x9ED /* 04755 */).Build();

        ImageImporter.Import(new FileSystem(), Archive(layer), Target, cancellationToken: TestContext.Current.CancellationToken);

        // Docker's own modes: the daemon root 0711 (1.10–23.x), aufs/ and its diff, layers, mnt 0700, graph/ 0700, the tag store 0600.
        Assert.Equal(0x1C9, Mode(Target));
        foreach (var directory in new[] { "aufs", "aufs/diff", "aufs/layers", "aufs/mnt", "graph", "containers" })
        {
            Assert.True(0x1C0 == Mode(Path.Combine(Target, directory)), $"{directory}: {Mode(Path.Combine(Target, directory)):x}");
        }

        Assert.Equal(0x180, Mode(Path.Combine(Target, "repositories-aufs")));
        Assert.Equal(0x9ED, Mode(Path.Combine(Target, "aufs", "diff", Ids.Of("hostile"), "bin", "su"))); // the set-uid bit kept, behind closed directories
    }

    [Fact]
    public void Import_ContentAddressed_TheImageStoreIsClosedToOtherUsersToo()
    {
        var layer = new TarBytes().File("x", "x").Build();

        ImageImporter.Import(new FileSystem(), Archive(layer), Target, ImportOptions.Default with { Store = ImageStoreKind.ContentAddressed }, TestContext.Current.CancellationToken);

        Assert.Equal(0x1C9, Mode(Target));
        Assert.Equal(0x1C0, Mode(Path.Combine(Target, "image")));
        Assert.Equal(0x1C0, Mode(Path.Combine(Target, "aufs")));
    }

    [Fact]
    public void Import_AsRoot_ReproducesOwnersSetIdBitsModesWithoutUmaskDevicesAndCapabilities()
    {
        Assert.SkipUnless(LinuxNative.IsRoot, "owners, device nodes and security.capability can only be written as root (a non-root import keeps modes and skips devices, as rootless Docker does)");
        byte[] capability = [0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]; // VFS_CAP_REVISION_2, effective, CAP_NET_RAW
        var layer = new TarBytes()
            .File("bin/su", "su", 0x9ED /* 04755 */, uid: 1000, gid: 1000, mtime: 1_400_000_000)
            .File("bin/wall", "wall", 0x5ED /* 02755 */, uid: 0, gid: 5)
            .Entry("bin/ping", TarType.Regular, 0x81ED, "ping"u8.ToArray(), xattrs: new Dictionary<string, byte[]> { ["security.capability"] = capability, ["user.origin"] = "layer"u8.ToArray() })
            .Entry("run/fifo", TarType.Fifo, 0x11B6, [], uid: 1000, gid: 1000)
            .Entry("dev/null", TarType.CharDevice, 0x21B6, [], major: 1, minor: 3)
            .Entry("dev/loop0", TarType.BlockDevice, 0x6180, [], uid: 0, gid: 6, major: 7, minor: 0)
            .Directory("tmp", 0x3FF /* 01777 */)
            .Symlink("bin/sh", "busybox")
            .Build();

        var result = ImageImporter.Import(new FileSystem(), Archive(layer), Target, cancellationToken: TestContext.Current.CancellationToken);
        var diff = Path.Combine(result.Path, "aufs", "diff", Ids.Of("hostile"));

        var su = Status(diff, "bin/su");
        Assert.Equal((0x9ED, 1000, 1000), (su.Permissions, su.Uid, su.Gid)); // the owner first, then the mode: chown no longer clears set-uid
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_400_000_000), su.ModifiedTime); // times last
        Assert.Equal((0x5ED, 0, 5), (Status(diff, "bin/wall").Permissions, Status(diff, "bin/wall").Uid, Status(diff, "bin/wall").Gid));
        Assert.Equal(capability, LinuxNative.GetSecurityCapability(Path.Combine(diff, "bin/ping")));
        Assert.Equal("layer"u8.ToArray(), LinuxNative.GetAttribute(Path.Combine(diff, "bin/ping"), "user.origin"));
        var fifo = Status(diff, "run/fifo");
        Assert.Equal((UnixFileType.Fifo, 0x1B6, 1000), (fifo.Type, fifo.Permissions, fifo.Uid)); // 0666, not 0644 after a umask
        var devNull = Status(diff, "dev/null");
        Assert.Equal((UnixFileType.CharacterDevice, 0x1B6, 1u, 3u), (devNull.Type, devNull.Permissions, devNull.DeviceMajor, devNull.DeviceMinor));
        var loop = Status(diff, "dev/loop0");
        Assert.Equal((UnixFileType.BlockDevice, 0x180, 6, 7u), (loop.Type, loop.Permissions, loop.Gid, loop.DeviceMajor));
        Assert.Equal(0x3FF, Status(diff, "tmp").Permissions);
        Assert.Equal("busybox", Status(diff, "bin/sh").LinkTarget);
    }

    private static UnixFileStatus Status(string directory, string name)
    {
        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(Path.Combine(directory, name), out var status), name);
        return status;
    }

    private static int Mode(string path)
    {
        Assert.True(LinuxNative.TryLstat(path, out var status), path);
        return status.Mode & 0xFFF;
    }

    private static void Apply(byte[] tar, string layer)
    {
        using var stream = new MemoryStream(tar);
        Apply(stream, layer);
    }

    private static void Apply(Stream tar, string layer)
    {
        var writer = new EntryWriter(new FileSystem(), SpecialFileMode.Native) { Confinement = Path.GetDirectoryName(layer) };
        using var tarSplit = new MemoryStream();
        LayerTarApplier.Apply(writer, tar, layer, tarSplit, TarSplitDialect.Version0910, "placed.tar");
    }

    private string Archive(byte[] layer)
    {
        var id = Ids.Of("hostile");
        var path = _temp.Combine("in.tar");
        File.WriteAllBytes(path, new TarBytes().File(id + "/json", $"{{\"id\":\"{id}\"}}").Entry(id + "/layer.tar", TarType.Regular, 0x81A4, layer).Build());
        return path;
    }

    private static Dictionary<string, (byte[] Layer, bool Refused)> Layers(string outside) => new(StringComparer.Ordinal)
    {
        ["a symbolic link to a host directory, then a file below it"] = (new TarBytes().Symlink("a", outside).File("a/secret", "overwritten").Build(), true),
        ["a symbolic link to a host directory, then a directory below it"] = (new TarBytes().Symlink("a", outside).Directory("a/etc", 0x1FF).Build(), true),
        ["a symbolic link to a host directory, then a fifo below it"] = (new TarBytes().Symlink("a", outside).Entry("a/fifo", TarType.Fifo, 0x11FF, []).Build(), true),
        ["a directory replaced by a symbolic link, then written through"] = (new TarBytes().Directory("a").Symlink("a", outside).File("a/secret", "overwritten").Build(), true),
        ["a directory replaced by a symbolic link, then a deeper file"] = (new TarBytes().Directory("a").File("a/x", "x").Symlink("a", outside).File("a/etc/passwd", "overwritten").Build(), true),
        ["a hardlink through a symbolic link"] = (new TarBytes().Symlink("a", outside).Hardlink("b", "a/secret").Build(), true),
        ["a hardlink climbing out"] = (new TarBytes().Hardlink("b", "../../../host/outside/secret").Build(), true),
        ["a relative symbolic link climbing out"] = (new TarBytes().Symlink("a", "../../../../../../../../../.." + outside).Build(), true),
        // A name twice is refused as Docker 1.8.2+ refuses it, after the second entry replaced the first: the link, not what it points at.
        ["a symbolic link to a host directory, replaced by an open directory"] = (new TarBytes().Symlink("a", outside).Directory("a", 0x1FF).Build(), true),
        ["a symbolic link to a host file, replaced by a file"] = (new TarBytes().Symlink("a", outside + "/secret").File("a", "overwritten", 0x1FF).Build(), true),
        ["a symbolic link to a host file, replaced by a fifo"] = (new TarBytes().Symlink("a", outside + "/secret").Entry("a", TarType.Fifo, 0x11FF, []).Build(), true),
        ["a symbolic link to a host directory beside a directory of the same name below it"] = (new TarBytes().Symlink("a", outside).Directory("b/a", 0x1FF).File("b/a/secret", "x").Build(), false),
    };

    private static Dictionary<string, (Action<string> Place, byte[] Tar, string Named)> PlacedLinks(string outside) => new(StringComparer.Ordinal)
    {
        ["a link at the parent of a file"] = (l => File.CreateSymbolicLink(Path.Combine(l, "etc"), outside + "/etc"), new TarBytes().File("etc/passwd", "overwritten").Build(), "etc"),
        ["a link at the name of a file"] = (l => File.CreateSymbolicLink(Path.Combine(l, "x"), outside + "/secret"), new TarBytes().File("x", "overwritten").Build(), "x"),
        ["a link at the name of a directory with an open mode"] = (l => File.CreateSymbolicLink(Path.Combine(l, "d"), outside), new TarBytes().Directory("d", 0x1FF).Build(), "d"),
        ["a link at the name of a fifo"] = (l => File.CreateSymbolicLink(Path.Combine(l, "f"), outside + "/secret"), new TarBytes().Entry("f", TarType.Fifo, 0x11FF, []).Build(), "f"),
        ["a link at the name of a symbolic link"] = (l => File.CreateSymbolicLink(Path.Combine(l, "s"), outside), new TarBytes().Symlink("s", "elsewhere").Build(), "s"),
        ["a link at the name of a hardlink"] = (l => File.CreateSymbolicLink(Path.Combine(l, "h"), outside + "/secret"), new TarBytes().File("t", "t").Hardlink("h", "t").Build(), "h"),
        ["a link two levels down, below a real directory"] = (l =>
        {
            Directory.CreateDirectory(Path.Combine(l, "usr"));
            File.CreateSymbolicLink(Path.Combine(l, "usr", "lib"), outside);
        }, new TarBytes().Directory("usr").File("usr/lib/secret", "overwritten").Build(), "usr/lib"),
    };

    /// <summary>A tar read at most 512 bytes at a time, which runs an action once when the read at <paramref name="trigger"/> is asked for.</summary>
    private sealed class SwappingStream(byte[] data, long trigger, Action swap) : ReadOnlyStream
    {
        private int _position;

        public bool Swapped { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            if (!Swapped && _position >= trigger)
            {
                Swapped = true;
                swap();
            }

            var count = Math.Min(Math.Min(buffer.Length, 512), data.Length - _position);
            data.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Task.FromResult(Read(buffer.AsSpan(offset, count)));
    }
}

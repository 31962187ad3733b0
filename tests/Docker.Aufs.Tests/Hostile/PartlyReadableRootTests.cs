using System.IO.Abstractions;
using System.Runtime.Versioning;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// The partly readable roots family of the on-disk corpus (issue 13 bug 5, issue 15 class 11): the sample written by root
/// in both eras (graph/ on aufs; image/aufs and image/overlay2), one part of it closed to other users (a
/// <c>graph/&lt;id&gt;</c>, an image config, a container directory, a layer's directory, the tag store, the driver's
/// records, a store directory, the root itself), read by the CLI as uid 65534. Each case asserts what is still listed, the
/// one line naming the closed part with its mode, owner and the access that fixes it, and the exit code: 1 for a partial
/// result, fsck 1 with an <c>unreadable</c> finding, and for a root closed as a whole one line (fsck: 2).
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PartlyReadableRootTests
{
    private const string Remedy = "run as root or with read access to the copy";

    /// <summary>The eras and drivers a case runs on: the arguments of <c>docker-aufs sample</c>.</summary>
    public enum Seed
    {
        GraphAufs,
        ContentAddressedAufs,
        ContentAddressedOverlay2,
    }

    [Fact]
    public void Images_GraphDirectoryOfOneImageClosed_ListsTheOthersAndNamesItOnceAndExits1()
    {
        using var root = Root(Seed.GraphAufs);
        var busybox = root.Image("busybox");
        root.Close("graph/" + busybox, 0b111_000_000);

        var (exit, output, error) = root.Cli("images");

        Assert.Equal(1, exit);
        Assert.Contains("redis", output, StringComparison.Ordinal);
        Assert.DoesNotContain("789355058656", output, StringComparison.Ordinal);
        Assert.Equal($"docker-aufs: warning: permission denied: graph/{busybox} (mode 0700, owner root): {Remedy}; image {busybox} is not listed", OneDenial(error));
    }

    [Fact]
    public void Fsck_GraphDirectoryOfOneImageClosed_ReportsItAsUnreadableAndChecksTheRest()
    {
        using var root = Root(Seed.GraphAufs);
        var busybox = root.Image("busybox");
        root.Close("graph/" + busybox, 0b111_000_000);

        var (exit, output, error) = root.Cli("fsck", "--quick");

        Assert.Equal(1, exit);
        Assert.Contains($"error   unreadable  {root.Path}/graph/{busybox}\n", output, StringComparison.Ordinal);
        Assert.Contains($"permission denied (mode 0700, owner root): image {busybox} was not checked", output, StringComparison.Ordinal);
        Assert.Contains($"hint: {Remedy}", output, StringComparison.Ordinal);
        Clean(error);
    }

    [Fact]
    public void Images_TagStoreClosed_ListsEveryImageUntaggedAndExits1()
    {
        using var root = Root(Seed.GraphAufs);
        root.Close("repositories-aufs", 0b110_000_000);

        var (exit, output, error) = root.Cli("images");

        Assert.Equal(1, exit);
        Assert.Contains("c7d952921cec", output, StringComparison.Ordinal);
        Assert.Contains("789355058656", output, StringComparison.Ordinal);
        Assert.Equal($"docker-aufs: warning: permission denied: repositories-aufs (mode 0600, owner root): {Remedy}; no tags are shown; images stay reachable by ID", OneDenial(error));
    }

    [Fact]
    public void Images_DriverRecordsClosed_ListsEveryImageAndSaysTheDriverWasNotAsked()
    {
        using var root = Root(Seed.GraphAufs);
        root.Close("aufs/layers", 0b111_000_000);

        var (exit, output, error) = root.Cli("images");

        Assert.Equal(1, exit);
        Assert.Contains("redis", output, StringComparison.Ordinal);
        Assert.Contains("busybox", output, StringComparison.Ordinal);
        Assert.Equal($"docker-aufs: warning: permission denied: aufs/layers (mode 0700, owner root): {Remedy}; images are listed without checking that the aufs driver has their layers", OneDenial(error));
    }

    [Fact]
    public void Fsck_DriverRecordsClosed_IsOneUnreadableFindingNotAMissingLayerPerImage()
    {
        using var root = Root(Seed.GraphAufs);
        root.Close("aufs/layers", 0b111_000_000);

        var (exit, output, error) = root.Cli("fsck", "--quick");

        Assert.Equal(1, exit);
        Assert.Contains($"error   unreadable  {root.Path}/aufs/layers\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("graph-without-driver-data", output, StringComparison.Ordinal);
        Assert.DoesNotContain("container-layer-missing", output, StringComparison.Ordinal);
        Clean(error);
    }

    [Theory]
    [InlineData(Seed.GraphAufs)]
    [InlineData(Seed.ContentAddressedAufs)]
    public void Containers_OneContainerDirectoryClosed_NamesItAsUnreadableNotMissingAndExits1(Seed seed)
    {
        using var root = Root(seed);
        var container = root.Container();
        root.Close("containers/" + container, 0b111_000_000);

        var (exit, output, error) = root.Cli("containers");
        var fsck = root.Cli("fsck", "--quick");

        Assert.Equal(1, exit);
        Assert.StartsWith("CONTAINER ID", output, StringComparison.Ordinal);
        Assert.Equal($"docker-aufs: warning: permission denied: containers/{container} (mode 0700, owner root): {Remedy}; container {container} is not listed", OneDenial(error));
        Assert.Equal(1, fsck.Exit);
        Assert.Contains($"error   unreadable  {root.Path}/containers/{container}\n", fsck.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("container-config-corrupt", fsck.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(Seed.ContentAddressedAufs, "aufs")]
    [InlineData(Seed.ContentAddressedOverlay2, "overlay2")]
    public void Images_ImageConfigClosed_ListsTheOthersAndNamesTheConfig(Seed seed, string driver)
    {
        using var root = Root(seed);
        var busybox = root.Image("busybox");
        var config = $"image/{driver}/imagedb/content/sha256/{busybox["sha256:".Length..]}";
        root.Close(config, 0b110_000_000);

        var (exit, output, error) = root.Cli("images");
        var fsck = root.Cli("fsck", "--quick");

        Assert.Equal(1, exit);
        Assert.Contains("redis", output, StringComparison.Ordinal);
        Assert.DoesNotContain("busybox", output, StringComparison.Ordinal);
        Assert.Equal($"docker-aufs: warning: permission denied: {config} (mode 0600, owner root): {Remedy}; image {busybox} is not listed", OneDenial(error));
        Assert.Equal(1, fsck.Exit);
        Assert.Contains($"error   unreadable  {root.Path}/{config}\n", fsck.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Images_ReferenceStoreClosed_ListsEveryImageUntaggedAndExits1()
    {
        using var root = Root(Seed.ContentAddressedAufs);
        root.Close("image/aufs/repositories.json", 0b110_000_000);

        var (exit, output, error) = root.Cli("images");

        Assert.Equal(1, exit);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("<none>", StringComparison.Ordinal)));
        Assert.Equal($"docker-aufs: warning: permission denied: image/aufs/repositories.json (mode 0600, owner root): {Remedy}; no tags are shown; images stay reachable by ID", OneDenial(error));
    }

    [Fact]
    public void LayerDirectoryClosed_ImagesAndHistoryStillWork_FsckAndLsNameIt()
    {
        using var root = Root(Seed.ContentAddressedOverlay2);
        var busybox = root.Image("busybox");
        var cacheId = root.TopDriverLayer("busybox");
        root.Close("overlay2/" + cacheId, 0b111_000_000);

        var images = root.Cli("images");
        var history = root.Cli("history", "busybox");
        var ls = root.Cli("ls", "busybox", "/");
        var fsck = root.Cli("fsck", "--quick");

        Assert.Equal((0, true), (images.Exit, images.Out.Contains("busybox", StringComparison.Ordinal)));
        Assert.Equal((0, true), (history.Exit, history.Out.Contains(busybox[7..19], StringComparison.Ordinal)));
        Assert.Equal(1, ls.Exit);
        Assert.Equal($"docker-aufs: permission denied: overlay2/{cacheId} (mode 0700, owner root): {Remedy}", ls.Err.TrimEnd('\n'));
        Assert.Equal(1, fsck.Exit);
        Assert.Contains($"error   unreadable  {root.Path}/overlay2/{cacheId}\n", fsck.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Images_ImageStoreDirectoryClosed_IsOneClearError()
    {
        using var root = Root(Seed.ContentAddressedOverlay2);
        root.Close("image/overlay2/imagedb/content/sha256", 0b111_000_000);

        var (exit, output, error) = root.Cli("images");

        Assert.Equal(1, exit);
        Assert.Empty(output);
        Assert.Equal($"docker-aufs: permission denied: image/overlay2/imagedb/content/sha256 (mode 0700, owner root): {Remedy}", error.TrimEnd('\n'));
    }

    [Theory]
    [InlineData(Seed.GraphAufs)]
    [InlineData(Seed.ContentAddressedOverlay2)]
    public void RootClosedAsAWhole_IsOneLineNamingIt_FsckExits2(Seed seed)
    {
        using var root = Root(seed);
        root.Close(".", 0b111_000_000);

        var images = root.Cli("images");
        var fsck = root.Cli("fsck");

        var line = $"docker-aufs: permission denied: {root.Path} (mode 0700, owner root): {Remedy}";
        Assert.Equal((1, line), (images.Exit, images.Err.TrimEnd('\n')));
        Assert.Equal((2, line), (fsck.Exit, fsck.Err.TrimEnd('\n')));
    }

    [Fact]
    public void LsRecursive_DirectoryInsideALayerClosed_ListsTheRestWarnsOnceAndExits1()
    {
        using var root = Root(Seed.GraphAufs);

        // The sample's base layer keeps /root as the image has it: mode 0700, owner root.
        var (exit, output, error) = root.Cli("ls", "-R", "redis", "/");

        Assert.Equal(1, exit);
        Assert.Contains(" /root\n", output, StringComparison.Ordinal);
        Assert.Contains("/usr/local/bin/docker-entrypoint.sh\n", output, StringComparison.Ordinal);
        Assert.Equal($"docker-aufs: warning: permission denied: aufs/diff/{RedisBase}/root (mode 0700, owner root): {Remedy}; /root is left out with everything in it", OneDenial(error));
    }

    [Fact]
    public void Diff_DirectoryInsideTheContainerLayerClosed_ShowsTheOtherChangesWarnsOnceAndExits1()
    {
        using var root = Root(Seed.GraphAufs);
        var container = root.Container();

        var (exit, output, error) = root.Cli("diff", container);

        Assert.Equal(1, exit);
        Assert.Equal("C /data\nA /data/dump.rdb\nC /root\nC /usr/local/bin\nD /usr/local/bin/redis-benchmark\n", output);
        Assert.Equal($"docker-aufs: warning: permission denied: aufs/diff/{container}/root (mode 0700, owner root): {Remedy}; /root is left out with everything in it", OneDenial(error));
    }

    [Fact]
    public void Export_DirectoryInsideALayerClosed_WritesTheTarWithoutItsContentWarnsAndExits1()
    {
        using var root = Root(Seed.GraphAufs);
        root.Close($"aufs/diff/{RedisConfigLayer}/etc/shadow", 0b110_100_100); // a file it may not read stops an export; only the directory is closed here
        var output = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(root.Path)!, "out");
        Directory.CreateDirectory(output);
        File.SetUnixFileMode(output, (UnixFileMode)0b111_111_111); // the tar is written beside its target, by the other user
        var tar = System.IO.Path.Combine(output, "redis.tar");

        var (exit, _, error) = root.Cli("export", "redis", "-o", tar);

        Assert.Equal(1, exit);
        Assert.Equal($"docker-aufs: warning: permission denied: aufs/diff/{RedisBase}/root (mode 0700, owner root): {Remedy}; /root is left out with everything in it", OneDenial(error));
        var names = new List<string>();
        using (var reader = new System.Formats.Tar.TarReader(File.OpenRead(tar)))
        {
            while (reader.GetNextEntry() is { } entry)
            {
                names.Add(entry.Name);
            }
        }

        Assert.Contains("root/", names);
        Assert.Contains("usr/local/bin/docker-entrypoint.sh", names);
        Assert.DoesNotContain(names, n => n.StartsWith("root/", StringComparison.Ordinal) && n != "root/");
    }

    /// <summary>The redis image's base layer (its /root is mode 0700) and the layer holding its /etc/shadow.</summary>
    private const string RedisBase = "2e4125888032d525ea7911decb974240d77d5946a00262bbabf6a765b28351c4";

    private const string RedisConfigLayer = "e5bcc9ce9b776659b5d8a8dc4d1b4bccb0d3f5a9c3ec750f5e1aa5f58c3e5a4e";

    /// <summary>The one line of standard error that says what was refused; every line is the CLI's own, none is errno text.</summary>
    private static string OneDenial(string error)
    {
        Clean(error);
        return Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("permission denied", StringComparison.Ordinal));
    }

    private static void Clean(string error)
    {
        foreach (var line in error.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.StartsWith("docker-aufs: ", line, StringComparison.Ordinal);
        }

        foreach (var raw in new[] { "statx(", "errno", "Access to the path", "   at ", "internal error" })
        {
            Assert.DoesNotContain(raw, error, StringComparison.Ordinal);
        }
    }

    private static SampleOnDisk Root(Seed seed)
    {
        Assert.SkipWhen(AsNobody.Unavailable is not null, AsNobody.Unavailable ?? string.Empty);
        return new SampleOnDisk(seed);
    }

    /// <summary>The sample written by root to a temporary directory every user may enter.</summary>
    private sealed class SampleOnDisk : IDisposable
    {
        private readonly TempDirectory _temp = new();
        private readonly List<(string Path, UnixFileMode Mode)> _closed = [];

        public SampleOnDisk(Seed seed)
        {
            File.SetUnixFileMode(_temp.Path, (UnixFileMode)0b111_101_101);
            Path = _temp.Combine("docker");
            string[] store = seed switch
            {
                Seed.GraphAufs => [],
                Seed.ContentAddressedAufs => ["--store", "content-addressed"],
                _ => ["--driver", "overlay2"],
            };
            var (exit, _, error) = CliRunner.Run(new FileSystem(), ["sample", Path, .. store]);
            Assert.True(exit == 0, error);
            Opened = DockerRoot.Open(new FileSystem(), Path);
        }

        public string Path { get; }

        private IDockerRoot Opened { get; }

        public string Image(string reference) => Opened.ResolveImage(reference).Id;

        public string TopDriverLayer(string reference) => Opened.ResolveImage(reference).Layers[0].DriverLayerId;

        public string Container() => Opened.GetContainers()[0].Id;

        /// <summary>Sets the mode of a file or directory of the root (relative; "." for the root itself).</summary>
        public void Close(string relative, int mode)
        {
            var path = relative == "." ? Path : System.IO.Path.Combine(Path, relative);
            _closed.Add((path, File.GetUnixFileMode(path)));
            File.SetUnixFileMode(path, (UnixFileMode)mode);
        }

        public (int Exit, string Out, string Err) Cli(params string[] args) => AsNobody.Cli(["--root", Path, .. args]);

        public void Dispose()
        {
            foreach (var (path, mode) in _closed)
            {
                File.SetUnixFileMode(path, mode);
            }

            _temp.Dispose();
        }
    }
}

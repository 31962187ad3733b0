using System.IO.Abstractions;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// The hostile corpus on the real disk, for what only a real disk can show: links in metadata places and in layers
/// pointing at a watched host directory (<see cref="HostSentinel"/>, inotify: any open or read of it fails the case), link
/// loops, fifos, sockets and device nodes where metadata files should be, a 10,000-deep chain. Each case writes a fresh
/// seed root in a temporary directory, damages it, runs every operation (<see cref="HostileRun"/>) and three CLI commands
/// on the real file system, and asserts documented exceptions only, the time bound, no host file opened or read, and not a
/// byte, mode, owner, inode or time changed in the root.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class HostileDiskTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly IReadOnlyDictionary<string, (bool Small, Action<DiskRoot> Mutate)> Cases = BuildCases();

    public static TheoryData<string> CaseNames => [.. Cases.Keys];

    [Fact]
    public void TheDiskCorpus_HoldsAtLeast40Cases() => Assert.True(Cases.Count >= 40, $"{Cases.Count} cases");

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void EveryOperation_OnAMalformedRootOnDisk_KeepsEveryPromiseAndOpensNothingOutside(string name)
    {
        var (small, mutate) = Cases[name];
        using var temp = new TempDirectory();
        using var host = new HostSentinel();
        var rootPath = temp.Combine("docker");
        var output = temp.Combine("out");
        var seed = small ? HostileSeed.Small(new FileSystem(), rootPath) : HostileSeed.Sample(new FileSystem(), rootPath);
        mutate(new DiskRoot(seed, host, temp));
        var before = TreeSnapshot.Take(rootPath);
        host.Drain();

        // The real file system itself, not the recording one: the library lstats only through it (a wrapped file system
        // is "another IFileSystem", where a fifo cannot be told from a file). The sentinel sees what a recorder would.
        var disk = new FileSystem();
        var run = new HostileRun(disk, rootPath, null, disk, output, HostileTargets.Of(seed))
        {
            AfterEach = () => [.. host.Drain().Distinct().Select(e => "opened a host file: " + e)],
        };
        var problems = run.Library(Bound).ToList();
        foreach (var args in new[] { ["images"], ["ls", seed.Tags[0], "-R"], new[] { "save", seed.Tags[0], "-o", Path.Combine(output, "cli.tar") } })
        {
            problems.AddRange(HostileRun.Cli(disk, rootPath, Bound, args));
            problems.AddRange(host.Drain().Distinct().Select(e => $"docker-aufs {string.Join(' ', args)}: opened a host file: {e}"));
        }

        Assert.True(problems.Count == 0, $"{name}:\n{string.Join('\n', problems.Distinct())}");
        Assert.Equal(before, TreeSnapshot.Take(rootPath));
    }

    /// <summary>A case's root on disk and the host directory its links point at.</summary>
    internal sealed class DiskRoot(HostileSeed seed, HostSentinel host, TempDirectory temp)
    {
        public HostileSeed Seed { get; } = seed;

        public HostSentinel Host { get; } = host;

        public string Top => Seed.ImageIds[0];

        public string Base => Seed.LayerIds[0];

        public string Container => Seed.ContainerIds[0];

        public string At(string relative) => Path.Combine(Seed.Root, relative);

        /// <summary>Replaces the entry (file, directory or link) with a symbolic link to <paramref name="target"/>.</summary>
        public void Link(string relative, string target)
        {
            Remove(relative);
            Directory.CreateDirectory(Path.GetDirectoryName(At(relative))!);
            File.CreateSymbolicLink(At(relative), target);
        }

        /// <summary>Moves a directory of the root outside it and links its old place to the new one.</summary>
        public void MoveOutsideAndLink(string relative)
        {
            var moved = temp.Combine("moved-" + relative.Replace('/', '-'));
            Directory.Move(At(relative), moved);
            File.CreateSymbolicLink(At(relative), moved);
        }

        public void Fifo(string relative)
        {
            Remove(relative);
            LinuxNative.MakeFifo(At(relative), 0x1A4);
        }

        public void Device(string relative, uint major, uint minor)
        {
            Remove(relative);
            LinuxNative.MakeNode(At(relative), 0x2000 | 0x1A4, major, minor);
        }

        public void Socket(string relative)
        {
            Remove(relative);
            var shortPath = Path.Combine(Path.GetTempPath(), "hs-" + Guid.NewGuid().ToString("N")[..8]); // socket paths are limited to 108 bytes
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            socket.Bind(new UnixDomainSocketEndPoint(shortPath));
            File.Move(shortPath, At(relative)); // before the socket closes, which removes the file at the bound path
        }

        public void Write(string relative, byte[] content)
        {
            Remove(relative);
            Directory.CreateDirectory(Path.GetDirectoryName(At(relative))!);
            File.WriteAllBytes(At(relative), content);
        }

        public byte[] Read(string relative) => File.ReadAllBytes(At(relative));

        public void Remove(string relative)
        {
            var path = At(relative);
            var info = new FileInfo(path);
            if (info.LinkTarget is null && Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
            else if (info.Exists || info.LinkTarget is not null)
            {
                File.Delete(path);
            }
        }

        /// <summary>Adds a chain of <paramref name="depth"/> images on the seed's base layer (or looping back), tagged <c>deep:latest</c>.</summary>
        public void DeepChain(int depth, bool loop, bool parentFiles = true)
        {
            var ids = Enumerable.Range(0, depth).Select(i => Ids.Of("deep " + i)).ToArray();
            var top = new StringBuilder();
            for (var i = 0; i < depth; i++)
            {
                var parent = i + 1 < depth ? ids[i + 1] : loop ? ids[0] : Base;
                Directory.CreateDirectory(At($"graph/{ids[i]}"));
                File.WriteAllText(At($"graph/{ids[i]}/json"), $"{{\"id\":\"{ids[i]}\",\"parent\":\"{parent}\",\"created\":\"2017-01-01T00:00:00Z\"}}");
                if (parentFiles)
                {
                    File.WriteAllText(At($"graph/{ids[i]}/parent"), parent);
                }

                File.WriteAllText(At($"graph/{ids[i]}/layersize"), "0");
                File.WriteAllText(At($"aufs/layers/{ids[i]}"), parent + "\n");
                Directory.CreateDirectory(At($"aufs/diff/{ids[i]}"));
                Directory.CreateDirectory(At($"aufs/mnt/{ids[i]}"));
                top.Append(parent).Append('\n');
            }

            File.WriteAllText(At($"aufs/layers/{ids[0]}"), top.ToString());
            File.WriteAllText(At("repositories-aufs"), $"{{\"Repositories\":{{\"deep\":{{\"latest\":\"{ids[0]}\"}}}}}}");
        }
    }

    private static Dictionary<string, (bool, Action<DiskRoot>)> BuildCases()
    {
        var cases = new Dictionary<string, (bool, Action<DiskRoot>)>(StringComparer.Ordinal);
        void Both(string name, Action<DiskRoot> mutate)
        {
            cases["sample: " + name] = (false, mutate);
            cases["small: " + name] = (true, mutate);
        }

        void Small(string name, Action<DiskRoot> mutate) => cases["small: " + name] = (true, mutate);

        // The seeds themselves: every operation succeeds on them (a baseline for the damage below).
        Both("the seed, undamaged", _ => { });

        // Links to the watched host directory, at every place Docker writes a file or directory.
        Both("graph/<top> links to a host directory", r => r.Link($"graph/{r.Top}", r.Host.Directory));
        Both("graph/<base> links to a host directory", r => r.Link($"graph/{r.Base}", r.Host.Directory));
        Both("aufs/diff/<top> links to a host directory", r => r.Link($"aufs/diff/{r.Top}", r.Host.Combine("layer")));
        Both("aufs/diff/<base> links to a host directory by a relative path", r => r.Link($"aufs/diff/{r.Base}", Path.GetRelativePath(r.At("aufs/diff"), r.Host.Combine("layer"))));
        Both("aufs/diff/<container> links to a host directory", r => r.Link($"aufs/diff/{r.Container}", r.Host.Combine("layer")));
        Both("aufs/layers/<top> links to a host file", r => r.Link($"aufs/layers/{r.Top}", r.Host.SecretFile));
        Both("aufs/mnt/<top> links to a host directory", r => r.Link($"aufs/mnt/{r.Top}", r.Host.Directory));
        Both("graph/<top>/json links to a host file", r => r.Link($"graph/{r.Top}/json", r.Host.Combine("json")));
        Small("graph/<top>/layersize links to a host file", r => r.Link($"graph/{r.Top}/layersize", r.Host.Combine("layersize")));
        Small("graph/<top>/parent links to a host file", r => r.Link($"graph/{r.Top}/parent", r.Host.Combine("parent")));
        Small("graph/<base>/tar-data.json.gz links to a host file", r => r.Link($"graph/{r.Base}/tar-data.json.gz", r.Host.SecretFile));
        Both("repositories-aufs links to a host file", r => r.Link("repositories-aufs", r.Host.Combine("repositories-aufs")));
        Both("containers/<id> links to a host directory", r => r.Link($"containers/{r.Container}", r.Host.Directory));
        Small("containers/<id>/config.json links to a host file", r => r.Link($"containers/{r.Container}/config.json", r.Host.Combine("config.json")));
        Small("containers/<id>/hostconfig.json links to a host file", r => r.Link($"containers/{r.Container}/hostconfig.json", r.Host.Combine("hostconfig.json")));
        Small("containers links to a host directory", r => r.Link("containers", r.Host.Directory));
        Small("graph is moved outside and linked", r => r.MoveOutsideAndLink("graph"));
        Small("aufs/diff is moved outside and linked", r => r.MoveOutsideAndLink("aufs/diff"));
        Small("aufs/layers is moved outside and linked", r => r.MoveOutsideAndLink("aufs/layers"));
        Small("a Docker 0.7 link whose graph/<id>/layer links to a host directory", r =>
        {
            r.Link($"graph/{r.Top}/layer", r.Host.Combine("layer"));
            r.Link($"aufs/diff/{r.Top}", $"../../graph/{r.Top}/layer");
        });
        Small("a Docker 0.7 link through a graph/<id> that links to a host directory", r =>
        {
            Directory.CreateDirectory(r.Host.Combine("layer"));
            r.Link($"graph/{r.Top}", r.Host.Directory);
            r.Link($"aufs/diff/{r.Top}", $"../../graph/{r.Top}/layer");
        });

        // Link loops in metadata places and inside layers.
        Both("graph/<top>/json is a link loop", r => { r.Link($"graph/{r.Top}/json", "json2"); r.Link($"graph/{r.Top}/json2", "json"); });
        Small("aufs/diff/<top> links to itself", r => r.Link($"aufs/diff/{r.Top}", r.Top));
        Small("aufs/layers/<top> links to itself", r => r.Link($"aufs/layers/{r.Top}", r.Top));
        Small("repositories-aufs links to itself", r => r.Link("repositories-aufs", "repositories-aufs"));
        Small("containers/<id>/config.json is a link loop", r => r.Link($"containers/{r.Container}/config.json", "config.json"));
        Both("a link loop inside the top layer", r => { r.Link($"aufs/diff/{r.Top}/loop1", "loop2"); r.Link($"aufs/diff/{r.Top}/loop2", "/loop1"); });
        Both("a layer link to a host file by its absolute path", r => r.Link($"aufs/diff/{r.Top}/etc/passwd", r.Host.Combine("etc/passwd")));
        Both("a layer link escaping by ../", r => r.Link($"aufs/diff/{r.Top}/escape", string.Concat(Enumerable.Repeat("../", 40)) + r.Host.Combine("etc/shadow").TrimStart('/')));
        Small("a layer directory link to a host directory, with files above it", r =>
        {
            r.Link($"aufs/diff/{r.Base}/usr", r.Host.Directory);
            r.Write($"aufs/diff/{r.Top}/usr/etc/extra", "x"u8.ToArray());
        });
        Small("a link chain of 100 links in a layer", r =>
        {
            for (var i = 0; i < 100; i++)
            {
                r.Link($"aufs/diff/{r.Top}/chain{i}", $"chain{i + 1}");
            }

            r.Link($"aufs/diff/{r.Top}/chain100", r.Host.SecretFile);
        });

        // Fifos, sockets and devices where metadata files should be (opening a fifo would block forever).
        Both("graph/<top>/json is a fifo", r => r.Fifo($"graph/{r.Top}/json"));
        Small("graph/<top>/layersize is a fifo", r => r.Fifo($"graph/{r.Top}/layersize"));
        Small("graph/<top>/parent is a fifo", r => r.Fifo($"graph/{r.Top}/parent"));
        Small("graph/<base>/tar-data.json.gz is a fifo", r => r.Fifo($"graph/{r.Base}/tar-data.json.gz"));
        Both("aufs/layers/<top> is a fifo", r => r.Fifo($"aufs/layers/{r.Top}"));
        Both("repositories-aufs is a fifo", r => r.Fifo("repositories-aufs"));
        Both("containers/<id>/config.json is a fifo", r => r.Fifo($"containers/{r.Container}/config.json"));
        Small("containers/<id>/hostconfig.json is a fifo", r => r.Fifo($"containers/{r.Container}/hostconfig.json"));
        Small("graph/<top>/json is a socket", r => r.Socket($"graph/{r.Top}/json"));
        Small("graph/<top>/json is /dev/zero", r => r.Device($"graph/{r.Top}/json", 1, 5));
        Small("aufs/layers/<top> is /dev/zero", r => r.Device($"aufs/layers/{r.Top}", 1, 5));
        Small("repositories-aufs is /dev/zero", r => r.Device("repositories-aufs", 1, 5));

        // Layer contents that tar-split data says are regular files.
        Small("a tar-split file entry names the layer's fifo", r =>
            r.Write($"graph/{r.Base}/tar-data.json.gz", HostileMutations.EditTarSplitEntry(r.Read($"graph/{r.Base}/tar-data.json.gz"), "etc/passwd", e => e["name"] = "run/fifo")));
        Small("a tar-split file entry names a link to a host file", r =>
        {
            r.Link($"aufs/diff/{r.Base}/etc/passwd", r.Host.SecretFile);
        });
        Small("a tar-split file entry names a link out through a directory link", r =>
        {
            r.Link($"aufs/diff/{r.Base}/var", r.Host.Directory);
            r.Write($"graph/{r.Base}/tar-data.json.gz", HostileMutations.EditTarSplitEntry(r.Read($"graph/{r.Base}/tar-data.json.gz"), "etc/passwd", e => e["name"] = "var/secret"));
        });
        Small("a layer file replaced by /dev/zero", r => r.Device($"aufs/diff/{r.Base}/etc/passwd", 1, 5));
        Small("a layer file replaced by a fifo", r => r.Fifo($"aufs/diff/{r.Top}/top.txt"));
        Small("a layer file replaced by a socket", r => r.Socket($"aufs/diff/{r.Top}/top.txt"));

        // Depth.
        Small("a chain 10,000 deep", r => r.DeepChain(10_000, loop: false));
        Small("a chain 10,000 deep that loops at the bottom", r => r.DeepChain(10_000, loop: true));
        Small("a chain 2,000 deep through JSON parents only", r => r.DeepChain(2_000, loop: false, parentFiles: false));
        Small("a directory 1,000 levels deep in a layer", r => r.Write($"aufs/diff/{r.Top}/" + string.Concat(Enumerable.Repeat("d/", 1_000)) + "f", "deep"u8.ToArray()));
        return cases;
    }
}

using System.IO.Abstractions;
using System.Runtime.Versioning;
using System.Text;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// Files swapped between listing and opening (issue 15, class 10), a corpus family on the real disk: a layer file the
/// command has already listed is replaced, just before its content is opened (<see cref="LayerFileOpener.BeforeOpen"/>,
/// so the race is won every time, without sleeping), by a symbolic link to a watched host file, by a fifo with no writer,
/// by another file, or one of its directories by a link to a watched host directory. Every command that reads file
/// content — cat, export, layer-tar, digest, save, fsck's content check, cp of the file and of its directory — must then
/// fail with one line naming the file,
/// put no byte of the host file anywhere, open nothing outside the root, and never hang.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SwappedFileTests : IClassFixture<SwappedFileTests.Roots>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly Roots _roots;

    public SwappedFileTests(Roots roots) => _roots = roots;

    public enum Swap
    {
        LinkToHostFile,
        Fifo,
        AnotherFile,
        DirectoryOnTheWayLinked,
    }

    public static TheoryData<string, string, Swap> Cases()
    {
        var data = new TheoryData<string, string, Swap>();
        string[] graph = ["cat", "export", "layer-tar regenerate", "digest regenerate", "save regenerate", "cp file", "cp directory"];
        string[] cas = ["cat", "export", "layer-tar tar-split", "digest tar-split", "save tar-split", "fsck", "cp file", "cp directory"];
        foreach (var swap in Enum.GetValues<Swap>())
        {
            foreach (var command in graph)
            {
                data.Add("graph", command, swap);
            }

            foreach (var command in cas)
            {
                data.Add("content-addressed", command, swap);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void AFileSwappedAfterItWasListed_IsRefusedWithOneLineNamingIt_AndNothingOfTheHostIsRead(string store, string command, Swap swap)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the race is the Linux kernel's");
        using var sentinel = new HostSentinel();
        using var temp = new TempDirectory();
        var root = _roots.Root(store);
        var output = temp.Combine("out.tar");
        var words = command.Split(' ');
        string[] args = words[0] switch
        {
            "cat" => ["cat", "busybox", "/etc/passwd"],
            "export" => ["export", "busybox", "-o", output],
            "fsck" => ["fsck"],
            // cp of the file itself, and of its directory: a copy that fails midway leaves nothing at the target.
            "cp" => ["cp", words[1] == "file" ? "busybox:/etc/passwd" : "busybox:/etc", output],
            // busybox's top layer is empty in the graph-era sample: its base layer holds the file.
            _ => ["layer-tar", store == "graph" ? LayerOf(_roots.Passwd(store)) : "busybox", "--layer-source", words[1], "-o", output],
        };
        if (words[0] == "save")
        {
            args = ["save", "busybox", "--layer-source", words[1], "-o", output];
        }

        if (words[0] == "digest")
        {
            args = ["digest", "busybox", "--layer-source", words[1]];
        }

        var target = _roots.Passwd(store);
        var swapped = 0;
        using var restore = new Restorer(target, temp.Combine("aside"));
        var (exit, stdout, stderr) = RunBounded(() =>
        {
            LayerFileOpener.BeforeOpen.Value = path =>
            {
                if (path == target && swapped++ == 0)
                {
                    restore.Apply(swap, sentinel);
                }
            };
            return CliRunner.Run(new FileSystem(), ["--root", root, .. args]);
        }, target);

        Assert.Equal(1, swapped);
        var written = Directory.Exists(output) ? Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories) : File.Exists(output) ? [output] : [];
        var all = stdout + stderr + string.Concat(written.Select(f => Encoding.Latin1.GetString(File.ReadAllBytes(f))));
        Assert.DoesNotContain(HostSentinel.Secret, all, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", all, StringComparison.OrdinalIgnoreCase);
        if (command == "cp directory" && swap == Swap.DirectoryOnTheWayLinked && exit == 0)
        {
            // The copy holds the directory it listed open: the file is read from there, the link put in its place is never
            // followed, and the copy is the original's.
            Assert.StartsWith("root:x:0:0:", File.ReadAllText(Path.Combine(output, "passwd")), StringComparison.Ordinal);
            sentinel.AssertUntouched($"{command} after {swap}");
            return;
        }

        Assert.NotEqual(0, exit);
        var report = words[0] == "fsck" ? stdout + stderr : stderr;
        Assert.Contains("etc/passwd", report, StringComparison.Ordinal);
        if (words[0] != "fsck")
        {
            // One line: the error, nothing else (no stack trace).
            Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("docker-aufs:", StringComparison.Ordinal));
            Assert.False(File.Exists(output) || Directory.Exists(output), "a failed output leaves nothing");
            if (words[0] == "cp")
            {
                Assert.Equal([temp.Combine("aside")], Directory.EnumerateFileSystemEntries(temp.Path)); // nor anything hidden beside it
            }
        }

        sentinel.AssertUntouched($"{command} after {swap}");
    }

    [Theory]
    [InlineData(Swap.LinkToHostFile, false)]
    [InlineData(Swap.Fifo, false)]
    [InlineData(Swap.AnotherFile, false)]
    [InlineData(Swap.DirectoryOnTheWayLinked, false)]
    [InlineData(Swap.LinkToHostFile, true)]
    [InlineData(Swap.DirectoryOnTheWayLinked, true)]
    [InlineData(Swap.Fifo, true)]
    public void OpenEntry_OfAnEntrySwappedAfterItWasLooked_Refuses_WithOrWithoutOpenat2(Swap swap, bool withoutOpenat2)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the race is the Linux kernel's");
        using var sentinel = new HostSentinel();
        using var temp = new TempDirectory();
        var store = "graph";
        var root = DockerRoot.Open(new FileSystem(), _roots.Root(store));
        var view = root.OpenImage("busybox");
        var entry = view.GetEntry("/etc/passwd");
        Assert.Equal(_roots.Passwd(store), entry.SourcePath);
        using var restore = new Restorer(entry.SourcePath, temp.Combine("aside"));
        restore.Apply(swap, sentinel);
        if (withoutOpenat2)
        {
            LinuxNative.DisableOpenat2ForTests(true);
        }

        try
        {
            var (exception, _, _) = RunBounded(() => (Record.Exception(() => view.OpenEntry(entry).Dispose()), string.Empty, string.Empty), entry.SourcePath);
            var refused = Assert.IsAssignableFrom<DockerDataException>(exception);
            Assert.Contains("etc/passwd", refused.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', refused.Message);
        }
        finally
        {
            LinuxNative.DisableOpenat2ForTests(false);
        }

        sentinel.AssertUntouched($"OpenEntry after {swap}");
    }

    [Fact]
    public void OpenEntry_OfAnUnchangedFile_ReadsIt_AndTheSameFileFromTheUnionFileSystem()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "on disk");
        var root = DockerRoot.Open(new FileSystem(), _roots.Root("graph"));
        var view = root.OpenImage("busybox");
        using (var reader = new StreamReader(view.OpenRead("/etc/passwd")))
        {
            Assert.StartsWith("root:x:0:0:", reader.ReadToEnd(), StringComparison.Ordinal);
        }

        LinuxNative.DisableOpenat2ForTests(true);
        try
        {
            using var reader = new StreamReader(view.OpenRead("/etc/passwd"));
            Assert.StartsWith("root:x:0:0:", reader.ReadToEnd(), StringComparison.Ordinal);
        }
        finally
        {
            LinuxNative.DisableOpenat2ForTests(false);
        }
    }

    /// <summary>The layer ID of a graph-era layer file: the name of its directory under <c>aufs/diff/</c>.</summary>
    private static string LayerOf(string path)
    {
        var marker = "/aufs/diff/";
        var start = path.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        return path[start..path.IndexOf('/', start)];
    }

    /// <summary>Runs <paramref name="run"/> with a time bound; a run still blocked (on a fifo) is freed by opening the fifo for writing, and the case fails.</summary>
    private static (T Result, string Out, string Err) RunBounded<T>(Func<(T, string, string)> run, string fifo)
    {
        var task = Task.Run(run);
        if (!task.Wait(Bound))
        {
            try
            {
                using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            }
            catch (IOException)
            {
            }

            Assert.Fail($"the operation hung for {Bound.TotalSeconds} s after {fifo} was swapped");
        }

        return task.Result;
    }

    /// <summary>Swaps a layer file (or its directory) and puts the original back when disposed.</summary>
    private sealed class Restorer(string file, string aside) : IDisposable
    {
        private string? _moved;
        private string? _original;

        public void Apply(Swap swap, HostSentinel sentinel)
        {
            Directory.CreateDirectory(aside);
            _original = swap == Swap.DirectoryOnTheWayLinked ? Path.GetDirectoryName(file)! : file;
            _moved = Path.Combine(aside, "original");
            if (swap == Swap.AnotherFile)
            {
                // Written beside it and renamed over it: a new inode, whatever the file system reuses; the original is kept by a hardlink.
                var other = file + ".new";
                File.WriteAllText(other, "root:x:0:0:another file, put in its place after the listing\n");
                LinuxNative.Link(file, _moved);
                File.Move(other, file, overwrite: true);
                _replaced = true;
                return;
            }

            if (swap == Swap.DirectoryOnTheWayLinked)
            {
                Directory.Move(_original, _moved);
            }
            else
            {
                File.Move(_original, _moved);
            }

            switch (swap)
            {
                case Swap.LinkToHostFile:
                    File.CreateSymbolicLink(file, sentinel.SecretFile);
                    break;
                case Swap.Fifo:
                    LinuxNative.MakeFifo(file, 0x1A4);
                    break;
                case Swap.DirectoryOnTheWayLinked:
                    File.CreateSymbolicLink(_original, sentinel.Combine("etc"));
                    break;
            }
        }

        private bool _replaced;

        public void Dispose()
        {
            if (_replaced)
            {
                File.Move(_moved!, file, overwrite: true);
                return;
            }

            if (_moved is null || _original is null)
            {
                return;
            }

            if (!Directory.Exists(_moved))
            {
                File.Delete(_original); // the link or fifo
                File.Move(_moved, _original);
                return;
            }

            File.Delete(_original); // the link
            Directory.Move(_moved, _original);
        }
    }

    /// <summary>One sample root of each era on disk, shared by the cases (each puts back what it swapped).</summary>
    public sealed class Roots : IDisposable
    {
        private readonly TempDirectory _temp = new();
        private readonly Dictionary<string, string> _roots = [];

        public string Root(string store)
        {
            lock (_roots)
            {
                if (!_roots.TryGetValue(store, out var root))
                {
                    root = _temp.Combine(store);
                    var (exit, _, error) = CliRunner.Run("--store", store, "sample", root);
                    Assert.True(exit == 0, error);
                    _roots[store] = root;
                }

                return root;
            }
        }

        /// <summary>The host path of busybox's <c>/etc/passwd</c> (its one layer that has the file).</summary>
        public string Passwd(string store)
        {
            var root = DockerRoot.Open(new FileSystem(), Root(store));
            return root.OpenImage("busybox").GetEntry("/etc/passwd").SourcePath;
        }

        public void Dispose() => _temp.Dispose();
    }
}

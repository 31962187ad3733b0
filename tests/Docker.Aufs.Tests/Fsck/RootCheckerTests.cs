using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Fsck;

public sealed class RootCheckerTests
{
    private const string R = "/r";

    /// <summary>A small healthy root: base A, child B tagged app, an untagged C, and a container's layers on A.</summary>
    private sealed class Fixture
    {
        public Fixture(Action<DockerRootBuilder>? extra = null)
        {
            var builder = new DockerRootBuilder(Fs, R);
            A = builder.AddLayer(l => l.File("etc/a", "aaaa").Hardlink("etc/a2", "etc/a").Symlink("lnk", "/etc/a"));
            B = builder.AddLayer(l => l.Parent(A).File("etc/b", "bb").Whiteout("etc/a2"));
            C = builder.AddLayer(l => l.File("c", "c"));
            builder.Tag("app", B);
            Container = builder.AddContainer(c => c.Image(B, "app").Changes(l => l.File("etc/b", "changed")));
            extra?.Invoke(builder);
            Built = builder.Build();
        }

        public MockFileSystem Fs { get; } = new();

        public BuiltRoot Built { get; }

        public string A { get; }

        public string B { get; }

        public string C { get; }

        public string Container { get; }

        public FsckReport Check() => RootChecker.Check(Fs, R, new DockerRootOptions { Metadata = Built.Metadata }, cancellationToken: TestContext.Current.CancellationToken);
    }

    private static readonly string Stranger = Ids.Of("stranger");

    private static readonly Dictionary<string, (Action<Fixture> Inject, string Code, FindingSeverity Severity, Func<Fixture, string> Path)> Faults = new()
    {
        ["several drivers"] = (f => f.Fs.AddDirectory($"{R}/devicemapper"), FindingCodes.SeveralDrivers, FindingSeverity.Warning, _ => R),
        ["migrated root"] = (f => f.Fs.AddFile($"{R}/.migration-v1-images.json", new MockFileData("{}\n")), FindingCodes.MigratedRoot, FindingSeverity.Info, _ => $"{R}/.migration-v1-images.json"),
        ["graph/ gone, the driver's data left"] = (f => f.Fs.Directory.Delete($"{R}/graph", true), FindingCodes.NoImageStore, FindingSeverity.Error, _ => R),
        ["a graph entry that is not an ID"] = (f => f.Fs.AddDirectory($"{R}/graph/not-an-id"), FindingCodes.UnexpectedGraphEntry, FindingSeverity.Warning, _ => $"{R}/graph/not-an-id"),
        ["a file named like an ID in graph"] = (f => f.Fs.AddFile($"{R}/graph/{Stranger}", new MockFileData("")), FindingCodes.UnexpectedGraphEntry, FindingSeverity.Warning, _ => $"{R}/graph/{Stranger}"),
        ["a staging leftover"] = (f => f.Fs.AddDirectory($"{R}/graph/_tmp/{Stranger}"), FindingCodes.LeftoverTemp, FindingSeverity.Info, _ => $"{R}/graph/_tmp/{Stranger}"),
        ["a removal leftover in graph"] = (f => f.Fs.AddDirectory($"{R}/graph/{Stranger}-removing"), FindingCodes.LeftoverRemoving, FindingSeverity.Info, _ => $"{R}/graph/{Stranger}-removing"),
        ["a removal leftover in aufs/diff"] = (f => f.Fs.AddDirectory($"{R}/aufs/diff/{Stranger}-removing"), FindingCodes.LeftoverRemoving, FindingSeverity.Info, _ => $"{R}/aufs/diff/{Stranger}-removing"),
        ["aufs/tmp of Docker 0.7"] = (f => f.Fs.AddDirectory($"{R}/aufs/tmp/diff"), FindingCodes.LeftoverAufsTemp, FindingSeverity.Info, _ => $"{R}/aufs/tmp"),
        ["truncated JSON"] = (f => f.Fs.File.WriteAllText($"{R}/graph/{f.C}/json", "{\"id\":\""), FindingCodes.JsonCorrupt, FindingSeverity.Error, f => $"{R}/graph/{f.C}/json"),
        ["JSON of the wrong type"] = (f => f.Fs.File.WriteAllText($"{R}/graph/{f.C}/json", "{\"Size\":\"big\"}"), FindingCodes.JsonCorrupt, FindingSeverity.Error, f => $"{R}/graph/{f.C}/json"),
        ["JSON naming another ID"] = (f => f.Fs.File.WriteAllText($"{R}/graph/{f.C}/json", $"{{\"id\":\"{Stranger}\"}}"), FindingCodes.JsonIdMismatch, FindingSeverity.Error, f => $"{R}/graph/{f.C}/json"),
        ["a missing parent"] = (f => f.Fs.Directory.Delete($"{R}/graph/{f.A}", true), FindingCodes.MissingParent, FindingSeverity.Error, f => $"{R}/graph/{f.B}"),
        ["a chain that loops"] = (f => f.Fs.File.WriteAllText($"{R}/graph/{f.A}/parent", f.B), FindingCodes.ChainCycle, FindingSeverity.Error, f => $"{R}/graph/{f.A}"),
        ["aufs/layers disagreeing with graph"] = (f => f.Fs.File.WriteAllText($"{R}/aufs/layers/{f.B}", f.C + "\n"), FindingCodes.ChainMismatch, FindingSeverity.Error, f => $"{R}/aufs/layers/{f.B}"),
        ["aufs/layers naming a layer twice"] = (f => f.Fs.File.WriteAllText($"{R}/aufs/layers/{f.B}", $"{f.A}\n{f.A}\n"), FindingCodes.DuplicateBranch, FindingSeverity.Error, f => $"{R}/aufs/layers/{f.B}"),
        ["aufs/layers naming a path"] = (f => f.Fs.File.WriteAllText($"{R}/aufs/layers/{f.B}", "../../etc\n"), FindingCodes.LayersFileCorrupt, FindingSeverity.Error, f => $"{R}/aufs/layers/{f.B}"),
        ["graph without driver data"] = (f => f.Fs.File.Delete($"{R}/aufs/layers/{f.C}"), FindingCodes.GraphWithoutDriverData, FindingSeverity.Warning, f => $"{R}/graph/{f.C}"),
        ["an orphan driver layer"] = (f => { f.Fs.AddFile($"{R}/aufs/layers/{Stranger}", new MockFileData("")); f.Fs.AddDirectory($"{R}/aufs/diff/{Stranger}"); }, FindingCodes.OrphanDriverLayer, FindingSeverity.Warning, _ => $"{R}/aufs/diff/{Stranger}"),
        ["an orphan init layer"] = (f => f.Fs.AddDirectory($"{R}/aufs/diff/{Stranger}-init"), FindingCodes.OrphanDriverLayer, FindingSeverity.Warning, _ => $"{R}/aufs/diff/{Stranger}-init"),
        ["a missing diff directory"] = (f => f.Fs.Directory.Delete($"{R}/aufs/diff/{f.C}", true), FindingCodes.DiffMissing, FindingSeverity.Error, f => $"{R}/aufs/diff/{f.C}"),
        ["a mount point that links elsewhere"] = (f => { f.Fs.Directory.Delete($"{R}/aufs/mnt/{f.C}"); f.Fs.AddDirectory("/elsewhere"); f.Fs.File.CreateSymbolicLink($"{R}/aufs/mnt/{f.C}", "/elsewhere"); }, FindingCodes.UnsafeLink, FindingSeverity.Error, f => $"{R}/aufs/mnt/{f.C}"),
        ["a missing mount point"] = (f => f.Fs.Directory.Delete($"{R}/aufs/mnt/{f.C}", true), FindingCodes.MountMissing, FindingSeverity.Info, f => $"{R}/aufs/mnt/{f.C}"),
        ["a populated mount point"] = (f => f.Fs.AddFile($"{R}/aufs/mnt/{f.Container}/etc/hosts", new MockFileData("x")), FindingCodes.MountPopulated, FindingSeverity.Warning, f => $"{R}/aufs/mnt/{f.Container}"),
        ["a missing layersize"] = (f => f.Fs.File.Delete($"{R}/graph/{f.C}/layersize"), FindingCodes.LayerSizeMissing, FindingSeverity.Info, f => $"{R}/graph/{f.C}/layersize"),
        ["a malformed layersize"] = (f => f.Fs.File.WriteAllText($"{R}/graph/{f.C}/layersize", "12 bytes"), FindingCodes.LayerSizeMalformed, FindingSeverity.Warning, f => $"{R}/graph/{f.C}/layersize"),
        ["a layersize that differs from the diff"] = (f => f.Fs.File.WriteAllText($"{R}/graph/{f.A}/layersize", "99"), FindingCodes.LayerSizeMismatch, FindingSeverity.Warning, f => $"{R}/graph/{f.A}/layersize"),
        ["a file added to a diff since"] = (f => f.Fs.AddFile($"{R}/aufs/diff/{f.C}/extra", new MockFileData("12345")), FindingCodes.LayerSizeMismatch, FindingSeverity.Warning, f => $"{R}/graph/{f.C}/layersize"),
        ["a missing tag store"] = (f => f.Fs.File.Delete($"{R}/repositories-aufs"), FindingCodes.RepositoriesMissing, FindingSeverity.Info, _ => $"{R}/repositories-aufs"),
        ["an empty tag store"] = (f => f.Fs.File.WriteAllText($"{R}/repositories-aufs", ""), FindingCodes.RepositoriesEmpty, FindingSeverity.Warning, _ => $"{R}/repositories-aufs"),
        ["a truncated tag store"] = (f => f.Fs.File.WriteAllText($"{R}/repositories-aufs", "{\"Repositories\":{\"app\":{\"la"), FindingCodes.RepositoriesCorrupt, FindingSeverity.Warning, _ => $"{R}/repositories-aufs"),
        ["a corrupt copy of the tag store"] = (f => f.Fs.AddFile($"{R}/repositories-aufs.corrupt", new MockFileData("x")), FindingCodes.RepositoriesCorruptCopy, FindingSeverity.Info, _ => $"{R}/repositories-aufs.corrupt"),
        ["a tag naming a path"] = (f => f.Fs.File.WriteAllText($"{R}/repositories-aufs", "{\"Repositories\":{\"evil\":{\"latest\":\"../../etc\"}}}"), FindingCodes.TagTargetInvalid, FindingSeverity.Error, _ => $"{R}/repositories-aufs"),
        ["a tag of a missing image"] = (f => f.Fs.File.WriteAllText($"{R}/repositories-aufs", $"{{\"Repositories\":{{\"gone\":{{\"latest\":\"{Stranger}\"}}}}}}"), FindingCodes.TagTargetMissing, FindingSeverity.Warning, _ => $"{R}/repositories-aufs"),
        ["a container config that is not JSON"] = (f => f.Fs.File.WriteAllText($"{R}/containers/{f.Container}/config.json", "{\"ID\":"), FindingCodes.ContainerConfigCorrupt, FindingSeverity.Error, f => $"{R}/containers/{f.Container}/config.json"),
        ["a container of a missing image"] = (f => f.Fs.Directory.Delete($"{R}/graph/{f.B}", true), FindingCodes.ContainerImageMissing, FindingSeverity.Warning, f => $"{R}/containers/{f.Container}/config.json"),
        ["a container without its init layer"] = (f => f.Fs.Directory.Delete($"{R}/aufs/diff/{f.Container}-init", true), FindingCodes.ContainerLayerMissing, FindingSeverity.Error, f => $"{R}/aufs/diff/{f.Container}-init"),
        ["a container without its read-write layer"] = (f => f.Fs.File.Delete($"{R}/aufs/layers/{f.Container}"), FindingCodes.ContainerLayerMissing, FindingSeverity.Error, f => $"{R}/aufs/diff/{f.Container}"),
        ["tar-split data on some layers only"] = (f => f.Fs.AddFile($"{R}/graph/{f.A}/tar-data.json.gz", new MockFileData([])), FindingCodes.TarSplitMissing, FindingSeverity.Info, f => $"{R}/graph/{f.B}/tar-data.json.gz"),
    };

    /// <summary>A root whose layers were applied from tars, as Docker 1.8+ registers them, so each has tar-split data.</summary>
    private sealed class TarSplitFixture
    {
        public TarSplitFixture()
        {
            var builder = new DockerRootBuilder(Fs, R);
            var baseTar = new TarBytes().Directory("etc").File("etc/motd", "hello").File("etc/issue", "Debian\n").Symlink("etc/mtab", "/proc/mounts")
                .Directory("dev").Device("dev/null", Docker.Aufs.Formats.TarType.CharDevice, 1, 3).Build();
            var topTar = new TarBytes().Directory("srv").File("srv/data", "0123456789").Build();
            Base = builder.AddLayer(l => l.FromTar(() => new MemoryStream(baseTar)));
            Top = builder.AddLayer(l => l.Parent(Base).FromTar(() => new MemoryStream(topTar)));
            builder.Tag("app", Top);
            Built = builder.Build();
        }

        public MockFileSystem Fs { get; } = new();

        public BuiltRoot Built { get; }

        public string Base { get; }

        public string Top { get; }

        /// <summary>Changes what lstat says of a file of the base layer, as chmod, chown or mknod after the pull would.</summary>
        public void Restat(string name, Func<Docker.Aufs.IO.UnixFileStatus, Docker.Aufs.IO.UnixFileStatus> change)
        {
            var path = $"{R}/aufs/diff/{Base}/{name}";
            Assert.True(Built.Metadata.TryGetStatus(path, out var status), path);
            Built.Metadata.Record(path, change(status));
        }

        public FsckReport Check(bool verifyContent = true) =>
            RootChecker.Check(Fs, R, new DockerRootOptions { Metadata = Built.Metadata }, verifyContent, TestContext.Current.CancellationToken);
    }

    private static readonly Dictionary<string, (Action<TarSplitFixture> Inject, string Code, Func<TarSplitFixture, string> Path)> ContentFaults = new()
    {
        ["a file whose bytes changed, same size"] = (f => f.Fs.File.WriteAllText($"{R}/aufs/diff/{f.Top}/srv/data", "9876543210"), FindingCodes.TarSplitMismatch, f => $"{R}/aufs/diff/{f.Top}/srv/data"),
        ["a file removed from the diff"] = (f => f.Fs.File.Delete($"{R}/aufs/diff/{f.Base}/etc/motd"), FindingCodes.TarSplitMismatch, f => $"{R}/aufs/diff/{f.Base}/etc/motd"),
        ["tar-split data that is not gzip"] = (f => f.Fs.File.WriteAllText($"{R}/graph/{f.Top}/tar-data.json.gz", "plain text"), FindingCodes.TarSplitCorrupt, f => $"{R}/graph/{f.Top}/tar-data.json.gz"),

        // What tar-split recorded against what is on disk (issue 16 class 2): each kind of header field changed after the layer was applied.
        ["a file given the set-user-ID bit"] = (f => f.Restat($"etc/motd", s => s with { Permissions = 0x9ED }), FindingCodes.TarSplitModeMismatch, f => $"{R}/aufs/diff/{f.Base}/etc/motd"),
        ["a file given another owner"] = (f => f.Restat($"etc/issue", s => s with { Uid = 1000, Gid = 1000 }), FindingCodes.TarSplitOwnerMismatch, f => $"{R}/aufs/diff/{f.Base}/etc/issue"),
        ["a device node given other numbers"] = (f => f.Restat($"dev/null", s => s with { DeviceMajor = 8, DeviceMinor = 0 }), FindingCodes.TarSplitDeviceMismatch, f => $"{R}/aufs/diff/{f.Base}/dev/null"),
        ["a file replaced by a directory"] = (f =>
        {
            f.Fs.File.Delete($"{R}/aufs/diff/{f.Base}/etc/issue");
            f.Fs.Directory.CreateDirectory($"{R}/aufs/diff/{f.Base}/etc/issue");
            f.Restat("etc/issue", s => s with { Type = Docker.Aufs.IO.UnixFileType.Directory, Size = 0 });
        }, FindingCodes.TarSplitTypeMismatch, f => $"{R}/aufs/diff/{f.Base}/etc/issue"),
        ["a symbolic link pointed elsewhere"] = (f => f.Restat("etc/mtab", s => s with { LinkTarget = "/etc/shadow" }), FindingCodes.TarSplitLinkMismatch, f => $"{R}/aufs/diff/{f.Base}/etc/mtab"),
        ["tar-split data smuggling a member named with '..'"] = (f =>
        {
            byte[] smuggled = [.. Archive.TarSplitVerifierTests.Lines.Header("../../../../etc/cron.d/evil", 5), .. "evil\n"u8, .. new byte[507]];
            var path = System.IO.Path.GetTempFileName();
            new Archive.TarSplitVerifierTests.Lines().Segment(smuggled).End().WriteTo(path);
            f.Fs.File.WriteAllBytes($"{R}/graph/{f.Top}/tar-data.json.gz", System.IO.File.ReadAllBytes(path));
            System.IO.File.Delete(path);
        }, FindingCodes.TarSplitUnsafeName, f => $"{R}/graph/{f.Top}/tar-data.json.gz"),
    };

    public static TheoryData<string> FaultNames() => [.. Faults.Keys];

    public static TheoryData<string> ContentFaultNames() => [.. ContentFaults.Keys];

    [Fact]
    public void Check_TheHealthyFixture_HasNoFinding() => Assert.Empty(new Fixture().Check().Findings);

    [Fact]
    public void Check_TheSample_HasNoFinding()
    {
        var fs = new MockFileSystem();
        var sample = SampleRoots.Write(fs);
        var report = RootChecker.Check(fs, sample.Path, new DockerRootOptions { Metadata = sample.Metadata }, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(report.IsClean, string.Join('\n', report.Findings));
        Assert.Equal(("/var/lib/docker", "aufs"), (report.Root, report.Driver));
    }

    [Fact]
    public void Check_TheSampleOnDisk_HasNoFinding()
    {
        using var temp = new TempDirectory();
        SampleRoots.Write(new System.IO.Abstractions.FileSystem(), temp.Path);
        var report = RootChecker.Check(new System.IO.Abstractions.FileSystem(), temp.Path, cancellationToken: TestContext.Current.CancellationToken);
        Assert.True(report.IsClean, string.Join('\n', report.Findings));
    }

    [Theory]
    [MemberData(nameof(FaultNames))]
    public void Check_FindsEverySeededFault(string fault)
    {
        var fixture = new Fixture();
        var (inject, code, severity, path) = Faults[fault];
        inject(fixture);

        var findings = fixture.Check().Findings;

        Assert.Contains(findings, f => f.Code == code && f.Severity == severity && f.Path == path(fixture));
        Assert.All(findings, f => Assert.False(string.IsNullOrWhiteSpace(f.Message) || string.IsNullOrWhiteSpace(f.Hint)));
    }

    [Fact]
    public void Check_ALayerAppliedFromATar_IsCleanWithItsContentVerified() => Assert.Empty(new TarSplitFixture().Check().Findings);

    [Theory]
    [MemberData(nameof(ContentFaultNames))]
    public void Check_FindsEveryContentFault(string fault)
    {
        var fixture = new TarSplitFixture();
        var (inject, code, path) = ContentFaults[fault];
        inject(fixture);
        Assert.Contains(fixture.Check().Findings, f => f.Code == code && f.Severity == FindingSeverity.Error && f.Path == path(fixture));
    }

    [Fact]
    public void Check_ALayerCopiedWithoutItsOwners_IsOneFindingNamingHowManyMembersDiffer()
    {
        var fixture = new TarSplitFixture();
        foreach (var name in new[] { "etc", "etc/motd", "etc/issue", "etc/mtab", "dev", "dev/null" })
        {
            fixture.Restat(name, s => s with { Uid = 338377, Gid = 89939 });
        }

        var finding = Assert.Single(fixture.Check().Findings);
        Assert.Equal((FindingCodes.TarSplitOwnerMismatch, $"{R}/aufs/diff/{fixture.Base}/etc"), (finding.Code, finding.Path));
        Assert.Contains("records owner 0:0, the layer directory holds 338377:89939 (5 more member(s)", finding.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WithoutContentVerification_DoesNotReadLayerFiles()
    {
        var fixture = new TarSplitFixture();
        fixture.Fs.File.WriteAllText($"{R}/aufs/diff/{fixture.Top}/srv/data", "9876543210");
        Assert.Empty(fixture.Check(verifyContent: false).Findings);
    }

    [Fact]
    public void Check_EveryCodeIsCoveredByTheCorpus()
    {
        var codes = typeof(FindingCodes).GetFields().Select(f => (string)f.GetValue(null)!).ToHashSet();
        codes.ExceptWith(Faults.Values.Select(v => v.Code));
        codes.ExceptWith(ContentFaults.Values.Select(v => v.Code));
        codes.ExceptWith(CasFaults.All.Values.Select(v => v.Code));
        codes.Remove(FindingCodes.Unreadable); // only a real disk refuses a read: Hostile/PartlyReadableRootTests, as uid 65534
        Assert.Empty(codes);
    }

    [Fact]
    public void Check_ContainerLayersAreNotOrphans()
    {
        var findings = new Fixture().Check().Findings;
        Assert.DoesNotContain(findings, f => f.Code == FindingCodes.OrphanDriverLayer);
    }

    [Fact]
    public void Check_FindingsAreSortedByPathThenCode()
    {
        var fixture = new Fixture();
        foreach (var (inject, _, _, _) in Faults.Values.Take(8))
        {
            inject(fixture);
        }

        var findings = fixture.Check().Findings;
        Assert.Equal(findings.OrderBy(f => f.Path, StringComparer.Ordinal).ThenBy(f => f.Code, StringComparer.Ordinal), findings);
    }

    /// <summary>
    /// A root on disk (an in-memory file system costs more than linear time per directory listing, which would hide the
    /// library's own cost) with one base layer and a chain of <paramref name="depth"/> images above it, or looping back to
    /// its top when <paramref name="loop"/>; each aufs/layers file names its parent only.
    /// </summary>
    private static (TempDirectory Temp, string[] Ids) DeepChainOnDisk(int depth, bool loop)
    {
        var temp = new TempDirectory();
        var builder = new DockerRootBuilder(new System.IO.Abstractions.FileSystem(), temp.Path);
        var bottom = builder.AddLayer(l => l.File("a", "a"));
        builder.Build();
        var ids = Enumerable.Range(0, depth).Select(i => Ids.Of("chain " + i)).ToArray();
        for (var i = 0; i < depth; i++)
        {
            var parent = i + 1 < depth ? ids[i + 1] : loop ? ids[0] : bottom;
            Directory.CreateDirectory(temp.Combine("graph", ids[i]));
            File.WriteAllText(temp.Combine("graph", ids[i], "json"), $"{{\"id\":\"{ids[i]}\",\"parent\":\"{parent}\"}}");
            File.WriteAllText(temp.Combine("graph", ids[i], "layersize"), "0");
            File.WriteAllText(temp.Combine("aufs", "layers", ids[i]), parent + "\n");
            Directory.CreateDirectory(temp.Combine("aufs", "diff", ids[i]));
            Directory.CreateDirectory(temp.Combine("aufs", "mnt", ids[i]));
        }

        return (temp, ids);
    }

    private static FsckReport CheckOnDisk(string path) =>
        RootChecker.Check(new System.IO.Abstractions.FileSystem(), path, cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public void Check_AChain10000Deep_WalksItOnceAndReportsEachShortLayersFile()
    {
        var (temp, ids) = DeepChainOnDisk(10_000, loop: false);
        using var _ = temp;
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var findings = CheckOnDisk(temp.Path).Findings;

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}"); // walking each chain from each layer took 14 s
        var mismatches = findings.Where(f => f.Code == FindingCodes.ChainMismatch).ToList();
        Assert.Equal(ids.Length - 1, mismatches.Count); // each file names its parent only; the last one is right
        Assert.Contains(mismatches, m => m.Path == temp.Combine("aufs", "layers", ids[0]) && m.Message.Contains("chain of 10000", StringComparison.Ordinal));
        Assert.DoesNotContain(findings, f => f.Code == FindingCodes.ChainCycle);
    }

    [Fact]
    public void Check_AChain10000DeepThatLoops_ReportsEveryLayerOfTheLoopOnceAndNoMismatch()
    {
        var (temp, ids) = DeepChainOnDisk(10_000, loop: true);
        using var _ = temp;
        var watch = System.Diagnostics.Stopwatch.StartNew();

        var findings = CheckOnDisk(temp.Path).Findings;

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"took {watch.Elapsed}");
        var cycles = findings.Where(f => f.Code == FindingCodes.ChainCycle).Select(f => f.Path).ToList();
        Assert.Equal(ids.Select(i => temp.Combine("graph", i)).Order(StringComparer.Ordinal), cycles.Order(StringComparer.Ordinal));
        Assert.DoesNotContain(findings, f => f.Code == FindingCodes.ChainMismatch);
    }

    [Fact]
    public void Check_ALoopBelowAChain_ReportsTheLoopNotTheLayersAboveIt()
    {
        var fixture = new Fixture();
        fixture.Fs.File.WriteAllText($"{R}/graph/{fixture.A}/parent", fixture.B);

        var cycles = fixture.Check().Findings.Where(f => f.Code == FindingCodes.ChainCycle).Select(f => f.Path).ToList();

        Assert.Equal(new[] { $"{R}/graph/{fixture.A}", $"{R}/graph/{fixture.B}" }.Order(StringComparer.Ordinal), cycles.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("deleted")]
    [InlineData("a directory")]
    public void Check_ALayerWithTarSplitDataWhoseAufsLayersFileIs_ReportsItInsteadOfThrowing(string damage)
    {
        var fixture = new TarSplitFixture();
        var layerFile = $"{R}/aufs/layers/{fixture.Base}";
        fixture.Fs.File.Delete(layerFile);
        if (damage == "a directory")
        {
            fixture.Fs.AddDirectory(layerFile);
        }

        var findings = fixture.Check().Findings; // verified the content of a layer the driver does not have: ImageNotFoundException

        Assert.Contains(findings, f => f.Code == FindingCodes.GraphWithoutDriverData && f.Path == $"{R}/graph/{fixture.Base}");
    }

    [Fact]
    public void Check_ARootThatDoesNotExist_Throws() =>
        Assert.Throws<NotADockerRootException>(() => RootChecker.Check(new MockFileSystem(), "/nowhere", cancellationToken: TestContext.Current.CancellationToken));

    [Fact]
    public void FsckCommand_ExitCodesAreCleanFindingsUnreadable()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        Assert.Equal(0, CliRunner.Run("sample", root).Exit);
        var (clean, output, _) = CliRunner.Run("--root", root, "fsck");
        Assert.Equal(0, clean);
        Assert.EndsWith(": no findings\n", output, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(root, "repositories-aufs"), "");
        Directory.CreateDirectory(Path.Combine(root, "graph", "_tmp", "leftover"));
        var (found, json, _) = CliRunner.Run("--root", root, "fsck", "--json");
        Assert.Equal(1, found);
        var items = System.Text.Json.JsonDocument.Parse(json).RootElement.EnumerateArray().ToList();
        Assert.Equal(["code", "severity", "path", "message", "hint"], items[0].EnumerateObject().Select(p => p.Name));
        Assert.Contains(items, i => i.GetProperty("code").GetString() == "repositories-empty" && i.GetProperty("severity").GetString() == "warning");
        Assert.Contains(items, i => i.GetProperty("code").GetString() == "leftover-tmp" && i.GetProperty("severity").GetString() == "info");

        var (unreadable, _, error) = CliRunner.Run("--root", temp.Combine("missing"), "fsck");
        Assert.Equal(2, unreadable);
        Assert.StartsWith("docker-aufs: ", error, StringComparison.Ordinal);
        Assert.Equal(0, CliRunner.Run("--sample", "fsck").Exit);
    }

    [Fact]
    public void FsckCommand_ARootWhoseGraphDirectoryIsALink_IsUnreadableExitCode2()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        Assert.Equal(0, CliRunner.Run("sample", root).Exit);
        Directory.Move(Path.Combine(root, "graph"), temp.Combine("graph-elsewhere"));
        File.CreateSymbolicLink(Path.Combine(root, "graph"), temp.Combine("graph-elsewhere"));

        var (exit, output, error) = CliRunner.Run("--root", root, "fsck");

        Assert.Equal(2, exit);
        Assert.Empty(output);
        Assert.StartsWith("docker-aufs: " + Path.Combine(root, "graph"), error, StringComparison.Ordinal);
    }
}

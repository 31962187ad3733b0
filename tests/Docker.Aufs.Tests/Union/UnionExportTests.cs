using System.Formats.Tar;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Union;

/// <summary>Flattening a merged view into one tar, as <c>docker export</c> does.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class UnionExportTests
{
    private static readonly DateTimeOffset Time = new(2016, 2, 3, 4, 5, 6, TimeSpan.Zero);
    private readonly BalenaFixtureTests.ExtractedRoot _balena;

    public UnionExportTests(BalenaFixtureTests.ExtractedRoot balena)
    {
        _balena = balena;
    }

    private static List<(TarEntry Entry, byte[] Data)> Read(Stream tar)
    {
        tar.Position = 0;
        var entries = new List<(TarEntry, byte[])>();
        using var reader = new TarReader(tar);
        while (reader.GetNextEntry() is { } entry)
        {
            using var data = new MemoryStream();
            entry.DataStream?.CopyTo(data);
            entries.Add((entry, data.ToArray()));
        }

        return entries;
    }

    [Fact]
    public void WriteTar_RealAufsFixture_WritesTheMergedTreeWithItsLinks()
    {
        var view = _balena.View();
        using var tar = new MemoryStream();

        var count = view.WriteTar(tar, TestContext.Current.CancellationToken);
        var entries = Read(tar);

        Assert.Equal(427, count);
        Assert.Equal(view.EnumerateRecursive().Select(e => e.IsDirectory ? e.Path + "/" : e.Path), entries.Select(e => e.Entry.Name));
        var byName = entries.ToDictionary(e => e.Entry.Name, e => e.Entry);
        Assert.Equal(TarEntryType.RegularFile, byName["tmp/d1/d1f2"].EntryType);
        Assert.Equal((TarEntryType.HardLink, "tmp/d1/d1f2"), (byName["tmp/hlkn"].EntryType, byName["tmp/hlkn"].LinkName));
        Assert.Equal((TarEntryType.SymbolicLink, "/tmp/d1/d1f2"), (byName["tmp/slkn"].EntryType, byName["tmp/slkn"].LinkName));
        Assert.Equal((UnixFileMode)0x3FF, byName["tmp/"].Mode);
        Assert.DoesNotContain("tmp/f1", byName.Keys);
        Assert.DoesNotContain(byName.Keys, n => n.Contains(".wh.", StringComparison.Ordinal));

        // busybox: one regular file, every applet a hardlink to the first name written, as many as the inode has names.
        var hardlinks = entries.Where(e => e.Entry.EntryType == TarEntryType.HardLink && e.Entry.Name.StartsWith("bin/", StringComparison.Ordinal)).ToList();
        var first = Assert.Single(hardlinks.Select(e => e.Entry.LinkName).Distinct());
        Assert.Equal(TarEntryType.RegularFile, byName[first].EntryType);
        Assert.Equal(view.GetEntry(first).LinkCount, (uint)hardlinks.Count + 1);
        Assert.Equal(view.GetEntry(first).Size, entries.Single(e => e.Entry.Name == first).Data.Length);
    }

    [Theory]
    [InlineData(Disk.Memory)]
    [InlineData(Disk.Real)]
    public void WriteTar_BuiltImage_KeepsModesOwnersTimesAndContent(Disk disk)
    {
        var bytes = Enumerable.Range(0, 100_000).Select(i => (byte)(i % 251)).ToArray();
        using var root = TestRoot.Build(disk, b => b.Tag("t:latest", b.AddLayer(l => l.Id(Ids.Of("export")).Created(Time)
            .Directory("srv", mode: "0750", uid: 33, gid: 33, modified: Time)
            .FileBytes("srv/blob", bytes, mode: "4755", uid: 33, gid: 34, modified: Time.AddSeconds(5))
            .Symlink("srv/link", "blob", modified: Time)
            .Fifo("srv/pipe", mode: "0600")
            .CharacterDevice("dev/null", 1, 3))));
        var view = root.Open().OpenImage("t");
        using var tar = new MemoryStream();

        view.WriteTar(tar, TestContext.Current.CancellationToken);
        var entries = Read(tar).ToDictionary(e => e.Entry.Name);

        var blob = entries["srv/blob"];
        Assert.Equal(bytes, blob.Data);
        Assert.Equal((UnixFileMode)0x9ED /* 04755 */, blob.Entry.Mode);
        Assert.Equal(Time.AddSeconds(5), blob.Entry.ModificationTime);
        Assert.Equal((UnixFileMode)0x1E8, entries["srv/"].Entry.Mode);
        Assert.Equal(("blob", TarEntryType.SymbolicLink), (entries["srv/link"].Entry.LinkName, entries["srv/link"].Entry.EntryType));
        Assert.Equal(TarEntryType.Fifo, entries["srv/pipe"].Entry.EntryType);
        if (disk == Disk.Memory || TarExtraction.IsRoot)
        {
            Assert.Equal((33, 34), (blob.Entry.Uid, blob.Entry.Gid));
            var device = entries["dev/null"].Entry;
            Assert.Equal((TarEntryType.CharacterDevice, 1, 3), (device.EntryType, ((PosixTarEntry)device).DeviceMajor, ((PosixTarEntry)device).DeviceMinor));
        }
    }

    /// <summary>A one-layer image in memory whose entry at <paramref name="path"/> lstat reports as <paramref name="damage"/> says.</summary>
    private static Docker.Aufs.Union.UnionView Damaged(TestRoot root, string path, Func<Docker.Aufs.IO.UnixFileStatus, Docker.Aufs.IO.UnixFileStatus> damage)
    {
        var view = root.Open().OpenImage("t");
        var recorded = Assert.IsType<Docker.Aufs.IO.RecordedMetadataProvider>(view.Metadata);
        var source = view.GetEntry(path).SourcePath;
        Assert.True(recorded.TryGetStatus(source, out var status));
        recorded.Record(source, damage(status));
        return root.Open().OpenImage("t");
    }

    private static TestRoot Special() => TestRoot.Build(Disk.Memory, b => b.Tag("t:latest", b.AddLayer(l => l.Id(Ids.Of("special")).Created(Time)
        .Symlink("srv/link", "blob").CharacterDevice("dev/null", 1, 3).File("srv/blob", "x"))));

    [Fact]
    public void WriteTar_SymbolicLinkWithAnEmptyTarget_IsACorruptFileNamingIt()
    {
        using var root = Special();
        var view = Damaged(root, "srv/link", s => s with { LinkTarget = string.Empty, Size = 0 });

        var error = Assert.Throws<CorruptFileException>(() => view.WriteTar(Stream.Null, TestContext.Current.CancellationToken));
        Assert.EndsWith("srv/link", error.Path, StringComparison.Ordinal);
        Assert.Contains("empty target", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0x8000_0000u, 3u)]
    [InlineData(1u, 0xFFFF_FFFFu)]
    public async Task WriteTar_DeviceNumbersNoLinuxDeviceHas_AreACorruptFileNamingIt(uint major, uint minor)
    {
        using var root = Special();
        var view = Damaged(root, "dev/null", s => s with { DeviceMajor = major, DeviceMinor = minor });

        var error = Assert.Throws<CorruptFileException>(() => view.WriteTar(Stream.Null, TestContext.Current.CancellationToken));
        Assert.EndsWith("dev/null", error.Path, StringComparison.Ordinal);
        await Assert.ThrowsAsync<CorruptFileException>(() => view.WriteTarAsync(Stream.Null, TestContext.Current.CancellationToken));
    }

    [Fact]
    public void WriteTar_DeviceNumbersBeyondTheOctalField_AreKept()
    {
        using var root = Special();
        var view = Damaged(root, "dev/null", s => s with { DeviceMajor = 0x20_0000, DeviceMinor = int.MaxValue });
        using var tar = new MemoryStream();

        view.WriteTar(tar, TestContext.Current.CancellationToken);

        var device = Assert.IsAssignableFrom<PosixTarEntry>(Read(tar).Single(e => e.Entry.Name == "dev/null").Entry);
        Assert.Equal((0x20_0000, int.MaxValue), (device.DeviceMajor, device.DeviceMinor));
    }

    [Fact]
    public void WriteTar_OwnerUpToInt32Max_IsKept()
    {
        using var root = Special();
        var view = Damaged(root, "srv/blob", s => s with { Uid = int.MaxValue, Gid = 70_000 });
        using var tar = new MemoryStream();

        view.WriteTar(tar, TestContext.Current.CancellationToken);

        var blob = Read(tar).Single(e => e.Entry.Name == "srv/blob").Entry;
        Assert.Equal((int.MaxValue, 70_000), (blob.Uid, blob.Gid));
    }

    [Fact]
    public void WriteTar_OwnerAboveInt32Max_IsWrittenAsTheLayerTarsWriteIt()
    {
        using var root = Special();
        var view = Damaged(root, "srv/blob", s => s with { Uid = -1 });
        using var tar = new MemoryStream();

        view.WriteTar(tar, TestContext.Current.CancellationToken);

        // uid_t is unsigned: -1 is 4294967295, written as Go does (base-256), as the layer tars write it; never another owner.
        tar.Position = 0;
        var reader = new Docker.Aufs.Formats.TarStreamReader(tar);
        Docker.Aufs.Formats.TarEntryHeader? header;
        while ((header = SyncCore.Run(reader.NextAsync<SyncIo>(TestContext.Current.CancellationToken))) is not null && header.NameString != "srv/blob")
        {
            reader.TakeRaw();
        }

        Assert.Equal(4294967295L, header!.Uid);
    }

    [Fact]
    public async Task WriteTarAsync_SameView_WritesTheSameBytesAsWriteTar()
    {
        var view = _balena.View();
        using var sync = new MemoryStream();
        using var async = new MemoryStream();

        view.WriteTar(sync, TestContext.Current.CancellationToken);
        var count = await view.WriteTarAsync(async, TestContext.Current.CancellationToken);

        Assert.Equal(427, count);
        Assert.Equal(sync.ToArray(), async.ToArray());
    }

    [Fact]
    public void WriteTar_Cancelled_StopsWithOperationCanceled()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.Throws<OperationCanceledException>(() => _balena.View().WriteTar(Stream.Null, cancelled.Token));
    }
}

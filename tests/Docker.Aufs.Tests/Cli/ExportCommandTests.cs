using System.Formats.Tar;
using System.IO.Abstractions;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Tests.Union;

namespace Docker.Aufs.Tests.Cli;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ExportCommandTests
{
    private readonly BalenaFixtureTests.ExtractedRoot _balena;

    public ExportCommandTests(BalenaFixtureTests.ExtractedRoot balena)
    {
        _balena = balena;
    }

    private static List<TarEntry> Entries(Stream tar)
    {
        var entries = new List<TarEntry>();
        using var reader = new TarReader(tar);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            entries.Add(entry);
        }

        return entries;
    }

    [Fact]
    public void Export_ContainerToAFile_WritesTheMergedTreeAsOneTar()
    {
        using var directory = new TempDirectory();
        var file = directory.Combine("redis-cache.tar");

        var result = CliCapture.Run("--sample", "export", "redis-cache", "-o", file, "--json");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("\"entries\": 55", result.Out, StringComparison.Ordinal);
        using var tar = File.OpenRead(file);
        var entries = Entries(tar);
        Assert.Equal(55, entries.Count);
        Assert.Contains(entries, e => e.Name == "data/dump.rdb" && e.Uid == 999);
        Assert.Contains(entries, e => e.Name == "etc/mtab" && e.EntryType == TarEntryType.SymbolicLink && e.LinkName == "/proc/mounts");
        Assert.DoesNotContain(entries, e => e.Name.Contains("redis-benchmark", StringComparison.Ordinal) || e.Name.Contains(".wh.", StringComparison.Ordinal));
    }

    [Fact]
    public void Export_LayerToStandardOutput_WritesTheTarBytes()
    {
        var result = CliCapture.Run("--root", _balena.Path, "export", "0ea3c275", "--layer", "-o", "-");

        Assert.Equal(0, result.ExitCode);
        var entries = Entries(new MemoryStream(result.Bytes));
        Assert.Equal(427, entries.Count);
        Assert.Contains(entries, e => e.Name == "tmp/hlkn" && e.EntryType == TarEntryType.HardLink && e.LinkName == "tmp/d1/d1f2");
    }

    [Fact]
    public void Export_WithoutOutput_IsAUsageError()
    {
        var result = CliCapture.Run("--sample", "export", "redis-cache");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("docker-aufs: export: --output FILE is required\n", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Export_IntoTheDockerRoot_IsRefused()
    {
        using var root = TestRoot.Build(Disk.Real, b => b.Tag("t:latest", b.AddLayer(l => l.File("a", "a"))));
        var inside = System.IO.Path.Combine(root.Path, "tmp", "out.tar");

        var result = CliCapture.Run(new FileSystem(), "--root", root.Path, "export", "t", "-o", inside);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("inside the Docker root", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(inside));
    }
}

using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary>
/// Every command on the built-in sample written with the overlay (v1) driver, in both eras, and with vfs in the graph era:
/// each succeeds, and what does not depend on the driver (images, history, digests, DiffIDs, file content) is what the
/// AUFS sample of the same era prints.
/// </summary>
public sealed class OverlaySampleTests
{
    /// <summary>The driver and store of each sample, and the AUFS sample of the same era.</summary>
    public static TheoryData<string, string> Samples => new()
    {
        { "overlay", "cas" },
        { "overlay", "graph" },
        { "vfs", "graph" },
    };

    /// <summary>Every command that reads the sample, with what it is asked.</summary>
    public static TheoryData<string, string, string> Commands()
    {
        string[][] commands =
        [
            ["images"], ["history", "redis"], ["ls", "redis", "/usr/local/bin"], ["cat", "redis", "/etc/os-release"], ["diff", "redis-cache"],
            ["digest", "redis"], ["containers"], ["layers", "redis"], ["inspect", "redis"], ["ls", "redis-cache", "/usr/local/bin"],
        ];
        var data = new TheoryData<string, string, string>();
        foreach (var (driver, store) in new[] { ("overlay", "cas"), ("overlay", "graph"), ("vfs", "graph") })
        {
            foreach (var command in commands)
            {
                data.Add(driver, store, string.Join(' ', command));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void EachCommand_OnTheSampleOfADriver_PrintsWhatTheAufsSampleOfTheSameEraPrints(string driver, string store, string command)
    {
        var args = command.Split(' ');
        var other = CliRunner.Run(["--sample", "--driver", driver, "--store", store, .. args]);
        var aufs = CliRunner.Run(["--sample", "--store", store, .. args]);

        Assert.Equal((0, ""), (other.Exit, other.Err));
        switch (args[0])
        {
            case "layers" or "inspect" or "containers":
                Assert.NotEmpty(other.Out); // these name the driver's own directories or the driver
                break;
            case "ls":
                Assert.Equal(WithoutLayerIds(aufs.Out), WithoutLayerIds(other.Out)); // the layer an entry comes from: a whole tree's is the top layer
                break;
            case "diff":
                // Docker's naive diff (vfs, overlay) also reports every directory above a change as changed; AUFS's only the nearest.
                var lines = other.Out.Split('\n');
                Assert.Empty(aufs.Out.Split('\n').Except(lines));
                Assert.All(lines.Except(aufs.Out.Split('\n')), line => Assert.StartsWith("C /", line, StringComparison.Ordinal));
                break;
            case "digest" when store == "graph":
                Assert.Equal(WithoutColumn(aufs.Out, -1), WithoutColumn(other.Out, -1)); // the source: AUFS regenerates, the others reassemble
                break;
            default:
                Assert.Equal(aufs.Out, other.Out);
                break;
        }
    }

    /// <summary>The output's lines without the short layer IDs.</summary>
    private static string[] WithoutLayerIds(string output) =>
        [.. output.Split('\n').Select(line => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(word => !(word.Length == 12 && Docker.Aufs.Formats.DockerIds.IsLowerHex(word)))))];

    /// <summary>The output's lines with one whitespace-separated column left out (counted from the end when negative).</summary>
    private static string[] WithoutColumn(string output, int column) =>
        [.. output.Split('\n').Select(line =>
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();
            var index = column < 0 ? words.Count + column : column;
            if (words.Count > 2 && index >= 0 && index < words.Count)
            {
                words.RemoveAt(index);
            }

            return string.Join(' ', words);
        })];

    [Theory]
    [MemberData(nameof(Samples))]
    public void Diff_OfTheContainer_ShowsOnlyItsOwnChanges(string driver, string store)
    {
        var (exit, output, error) = CliRunner.Run("--sample", "--driver", driver, "--store", store, "diff", "redis-cache");

        Assert.Equal((0, ""), (exit, error));
        Assert.Contains("D /usr/local/bin/redis-benchmark\n", output, StringComparison.Ordinal);
        Assert.DoesNotContain("/etc/hostname", output, StringComparison.Ordinal); // the init layer's file, copied into the read-write upper/
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void SaveExportLayerTarAndFsck_OnTheSampleOfADriver_Succeed(string driver, string store)
    {
        var fs = new System.IO.Abstractions.TestingHelpers.MockFileSystem();
        fs.AddDirectory("/out");
        string[] sample = ["--sample", "--driver", driver, "--store", store];

        var save = CliRunner.Run(fs, [.. sample, "save", "redis", "-o", "/out/redis.tar"]);
        var export = CliRunner.Run(fs, [.. sample, "export", "redis-cache", "-o", "/out/redis-cache.tar"]);
        var fsck = CliRunner.Run(fs, [.. sample, "fsck"]);

        Assert.Equal((0, ""), (save.Exit, save.Err));
        Assert.Equal((0, ""), (export.Exit, export.Err));
        Assert.Equal(0, fsck.Exit);
        Assert.True(fs.File.ReadAllBytes("/out/redis.tar").Length > 0);
        Assert.True(fs.File.ReadAllBytes("/out/redis-cache.tar").Length > 0);
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void Save_OfTheSampleOfADriver_IsTheArchiveOfTheAufsSample(string driver, string store)
    {
        var fs = new System.IO.Abstractions.TestingHelpers.MockFileSystem();
        fs.AddDirectory("/out");

        var other = CliRunner.Run(fs, "--sample", "--driver", driver, "--store", store, "save", "redis", "-o", "/out/other.tar");
        var aufs = CliRunner.Run(fs, "--sample", "--store", store, "save", "redis", "-o", "/out/aufs.tar");

        Assert.Equal((0, 0), (other.Exit, aufs.Exit));
        Assert.Equal(fs.File.ReadAllBytes("/out/aufs.tar"), fs.File.ReadAllBytes("/out/other.tar"));
    }

    [Fact]
    public void SampleCommand_WithOverlayInTheGraphEra_WritesOverlayLayersAndTheOverlayTagStore()
    {
        var fs = new System.IO.Abstractions.TestingHelpers.MockFileSystem();

        var (exit, _, error) = CliRunner.Run(fs, "--driver", "overlay", "--store", "graph", "sample", "/out");

        Assert.Equal((0, ""), (exit, error));
        Assert.True(fs.File.Exists("/out/repositories-overlay"));
        Assert.True(fs.Directory.Exists("/out/overlay/" + Docker.Aufs.Testing.SampleRoots.BusyboxId + "/root"));
        Assert.False(fs.Directory.Exists("/out/aufs"));
    }
}

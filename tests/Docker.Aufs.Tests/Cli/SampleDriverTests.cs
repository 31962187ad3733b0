using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Cli;

/// <summary><c>--sample</c> and <c>sample</c> with <c>--driver</c>: the 1.10+ sample on overlay2.</summary>
public sealed class SampleDriverTests
{
    [Fact]
    public void Images_OnTheOverlay2Sample_AreTheImagesOfThe110Sample()
    {
        var overlay2 = CliRunner.Run("--sample", "--driver", "overlay2", "images");
        var aufs = CliRunner.Run("--sample", "--store", "cas", "images");

        Assert.Equal((0, ""), (overlay2.Exit, overlay2.Err));
        Assert.Equal(aufs.Out, overlay2.Out);
    }

    [Fact]
    public void Diff_OfTheContainerOnTheOverlay2Sample_ShowsItsDeletion()
    {
        var (exit, output, error) = CliRunner.Run("--sample", "--driver", "overlay2", "diff", "redis-cache");

        Assert.Equal((0, ""), (exit, error));
        Assert.Contains("D /usr/local/bin/redis-benchmark\n", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("devicemapper")]
    [InlineData("overlay2", "--store", "graph")]
    public void Sample_WithADriverTheSampleIsNotWrittenWith_FailsWithOneClearLine(string driver, params string[] more)
    {
        var (exit, output, error) = CliRunner.Run(["--sample", "--driver", driver, .. more, "images"]);

        Assert.Equal(1, exit);
        Assert.Equal("", output);
        Assert.StartsWith("docker-aufs: the built-in sample is written with the aufs, overlay or vfs driver (either store) or with overlay2", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void SampleCommand_WithOverlay2_WritesAnOverlay2Root()
    {
        var fs = new MockFileSystem();

        var (exit, _, error) = CliRunner.Run(fs, "--driver", "overlay2", "sample", "/out");

        Assert.Equal((0, ""), (exit, error));
        Assert.True(fs.Directory.Exists("/out/overlay2/l"));
        Assert.True(fs.Directory.Exists("/out/image/overlay2/imagedb"));
        Assert.False(fs.Directory.Exists("/out/aufs"));
    }
}

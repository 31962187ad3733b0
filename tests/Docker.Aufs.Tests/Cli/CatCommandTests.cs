using System.Text;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Tests.Union;

namespace Docker.Aufs.Tests.Cli;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class CatCommandTests
{
    private readonly BalenaFixtureTests.ExtractedRoot _balena;

    public CatCommandTests(BalenaFixtureTests.ExtractedRoot balena)
    {
        _balena = balena;
    }

    [Fact]
    public void Cat_BinaryFile_WritesItsRawBytes()
    {
        var result = CliCapture.Run("--sample", "cat", "redis-cache", "/data/dump.rdb");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Encoding.Latin1.GetBytes("REDIS0008\u00fa\tredis-ver\u00054.0.6\u00fe\u0000\u0000\u0008greeting\u0005hello\u00ff"), result.Bytes);
        Assert.Empty(result.Out);
    }

    [Fact]
    public void Cat_ThroughALink_FollowsItInsideTheImage()
    {
        var result = CliCapture.Run("--sample", "cat", "redis", "/lib/x86_64-linux-gnu/libc.so.6");

        Assert.Equal("\u007fELF GNU C Library (Debian GLIBC 2.24-11+deb9u1)\n", Encoding.ASCII.GetString(result.Bytes));
    }

    [Fact]
    public void Cat_LayerOfARealAufsRoot_ReadsTheFile()
    {
        var result = CliCapture.Run("--root", _balena.Path, "cat", "0ea3c275", "/etc/passwd", "--layer");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("root:x:0:0:", Encoding.UTF8.GetString(result.Bytes), StringComparison.Ordinal);
        Assert.Equal(File.ReadAllBytes(System.IO.Path.Combine(_balena.Path, "aufs", "diff", "34999927091de7ae41baa85f0be576c4b70ff81bf30d6850bf84c16d5d8cb9f5", "etc", "passwd")), result.Bytes);
    }

    [Theory]
    [InlineData("/data", "docker-aufs: /data: is a directory")]
    [InlineData("/nope", "docker-aufs: /nope: no such file or directory in the image")]
    [InlineData("/usr/local/bin/redis-benchmark", "docker-aufs: /usr/local/bin/redis-benchmark: no such file or directory in the image")]
    public void Cat_DirectoryOrMissing_FailsWithOneLine(string path, string message)
    {
        var result = CliCapture.Run("--sample", "cat", "redis-cache", path);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal(message, result.Error.TrimEnd());
        Assert.Empty(result.Bytes);
    }

    /// <summary>A root on the real disk (real links) with a dangling link, a link to a file written as a directory, and a file.</summary>
    private static TestRoot LinkRoot() => TestRoot.Build(Disk.Real, builder =>
    {
        var layer = builder.AddLayer(l => l.File("etc/passwd", "root:x:0:0\n").Symlink("usr/bin/tool", "/opt/tool/bin/tool").Symlink("etc/pw", "passwd/"));
        builder.Tag("app", layer);
    });

    [Fact]
    public void Cat_ThroughADanglingLink_NamesTheLinkAndItsTarget()
    {
        using var root = LinkRoot();
        var (exit, output, error) = CliRunner.Run("--root", root.Path, "cat", "app", "/usr/bin/tool");

        Assert.Equal((1, string.Empty), (exit, output));
        Assert.Equal(
            "docker-aufs: /usr/bin/tool: no such file or directory in the image: the symbolic link /usr/bin/tool points to /opt/tool/bin/tool, which does not exist in the image",
            error.TrimEnd());
    }

    [Theory]
    [InlineData("/etc/passwd/", "docker-aufs: /etc/passwd/: not a directory in the image (/etc/passwd is a regular file)")]
    [InlineData("/etc/passwd/../passwd", "docker-aufs: /etc/passwd/../passwd: not a directory in the image (/etc/passwd is a regular file)")]
    [InlineData("/etc/pw", "docker-aufs: /etc/pw: not a directory in the image (/etc/passwd is a regular file, reached through the symbolic link /etc/pw -> passwd/)")]
    public void Cat_APathThatUsesAFileAsADirectory_IsNotADirectory(string path, string message)
    {
        using var root = LinkRoot();
        var (exit, output, error) = CliRunner.Run("--root", root.Path, "cat", "app", path);

        Assert.Equal((1, string.Empty), (exit, output));
        Assert.Equal(message, error.TrimEnd());
    }
}

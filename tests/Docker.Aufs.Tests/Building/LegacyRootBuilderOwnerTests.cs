using System.IO.Abstractions;
using Docker.Aufs.Testing;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Building;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LegacyRootBuilderOwnerTests
{
    [Fact]
    public void Build_SetUserIdFileOfAnotherOwnerOnTheRealDisk_KeepsItsModeAsTarDoes()
    {
        Assert.SkipUnless(LinuxNative.IsRoot, "Changing owners on the real disk needs root.");
        using var directory = new TempDirectory();
        var id = Ids.Of("setuid");
        var builder = new DockerRootBuilder(new FileSystem(), directory.Path);
        builder.AddLayer(l => l.Id(id).File("bin/ping", "ping", mode: "4755", uid: 0, gid: 33).Directory("srv", mode: "2775", uid: 33, gid: 33));
        builder.Build();

        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(directory.Combine("aufs", "diff", id, "bin", "ping"), out var ping));
        Assert.Equal((0x9ED /* 04755 */, 0, 33), (ping.Permissions, ping.Uid, ping.Gid));
        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(directory.Combine("aufs", "diff", id, "srv"), out var srv));
        Assert.Equal((0x5FD /* 02775 */, 33), (srv.Permissions, srv.Uid));
    }
}

using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

// Not Docker.Aufs.Tests.IO: that would hide Docker.Aufs.IO from tests that write "IO.UnixFileType".
namespace Docker.Aufs.Tests.InputOutput;

public sealed class MetadataSeamTests
{
    [Fact]
    public void LinuxMetadataProvider_FileWithCapabilities_ReportsTheRawSecurityCapability()
    {
        if (InteropTools.Run("id", "-u").Trim() != "0")
        {
            Assert.Skip("setting security.capability needs root");
        }

        using var temp = new TempDirectory();
        var ping = temp.Combine("ping");
        File.WriteAllText(ping, "#!");
        // VFS_CAP_REVISION_2, effective, permitted CAP_NET_RAW (bit 13): the bytes setcap cap_net_raw+ep writes.
        byte[] capability = [0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        InteropTools.Run("python3", "-c", $"import os; os.setxattr('{ping}', 'security.capability', bytes.fromhex('{Convert.ToHexString(capability)}'))");

        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(ping, out var status));
        Assert.Equal(capability, status.SecurityCapability);
    }

    [Fact]
    public void LinuxMetadataProvider_Status_ReadsTheCapabilityWhenFirstAskedNotWithTheLstat()
    {
        if (InteropTools.Run("id", "-u").Trim() != "0")
        {
            Assert.Skip("setting security.capability needs root");
        }

        using var temp = new TempDirectory();
        var ping = temp.Combine("ping");
        File.WriteAllText(ping, "#!");
        byte[] capability = [0x01, 0x00, 0x00, 0x02, 0x00, 0x20, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

        // A listing never asks for it: the attribute set after the lstat is what the status shows, read once.
        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(ping, out var status));
        InteropTools.Run("python3", "-c", $"import os; os.setxattr('{ping}', 'security.capability', bytes.fromhex('{Convert.ToHexString(capability)}'))");

        Assert.Equal(capability, status.SecurityCapability);
        InteropTools.Run("python3", "-c", $"import os; os.removexattr('{ping}', 'security.capability')");
        Assert.Equal(capability, status.SecurityCapability);
        Assert.Null((status with { SecurityCapability = null }).SecurityCapability);
    }

    [Fact]
    public void LinuxMetadataProvider_OrdinaryFileAndSymlink_HaveNoCapability()
    {
        using var temp = new TempDirectory();
        File.WriteAllText(temp.Combine("plain"), "x");
        File.CreateSymbolicLink(temp.Combine("link"), "plain");
        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(temp.Combine("plain"), out var plain));
        Assert.True(LinuxMetadataProvider.Instance.TryGetStatus(temp.Combine("link"), out var link));
        Assert.Null(plain.SecurityCapability);
        Assert.Null(link.SecurityCapability);
        Assert.Equal(UnixFileType.SymbolicLink, link.Type);
    }

    [Fact]
    public void RecordedMetadataProvider_Rebase_MovesTheRecordsOfARenamedTreeOnly()
    {
        var recorded = new RecordedMetadataProvider();
        recorded.Record("/tmp/.x.tmp", new UnixFileStatus { Type = UnixFileType.Directory, Inode = 1 });
        recorded.Record("/tmp/.x.tmp/a/b", new UnixFileStatus { Type = UnixFileType.RegularFile, Inode = 2 });
        recorded.Record("/tmp/.x.tmp-other/c", new UnixFileStatus { Type = UnixFileType.RegularFile, Inode = 3 });

        var rebased = recorded.Rebase("/tmp/.x.tmp", "/data/x");

        Assert.True(rebased.TryGetStatus("/data/x", out var root) && root.Inode == 1);
        Assert.True(rebased.TryGetStatus("/data/x/a/b", out var file) && file.Inode == 2);
        Assert.True(rebased.TryGetStatus("/tmp/.x.tmp-other/c", out var other) && other.Inode == 3);
        Assert.False(rebased.TryGetStatus("/tmp/.x.tmp/a/b", out _));
        Assert.Equal(3, rebased.Count);
    }
}

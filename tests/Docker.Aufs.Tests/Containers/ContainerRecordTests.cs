using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Stores;

namespace Docker.Aufs.Tests.Containers;

public sealed class ContainerRecordTests
{
    // A container of Docker 1.9, from moby v1.10.0 migrate/v1/migratev1_test.go (TestMigrateContainers).
    private const string Id = "f780ee3f80e66e9b432a57049597118a66aab8932be88e5628d4c824edbee37c";

    private const string RealConfig = "{\"State\":{\"Running\":false,\"Paused\":false,\"Restarting\":false,\"OOMKilled\":false,\"Dead\":false,\"Pid\":0,\"ExitCode\":0,\"Error\":\"\",\"StartedAt\":\"2015-11-10T21:42:40.604267436Z\",\"FinishedAt\":\"2015-11-10T21:42:41.869265487Z\"},\"ID\":\"f780ee3f80e66e9b432a57049597118a66aab8932be88e5628d4c824edbee37c\",\"Created\":\"2015-11-10T21:42:40.433831551Z\",\"Path\":\"sh\",\"Args\":[],\"Config\":{\"Hostname\":\"f780ee3f80e6\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":true,\"AttachStdout\":true,\"AttachStderr\":true,\"Tty\":true,\"OpenStdin\":true,\"StdinOnce\":true,\"Env\":null,\"Cmd\":[\"sh\"],\"Image\":\"busybox\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{}},\"Image\":\"2c5ac3f849df8627fcf2822727f87c57f38b7129d3604fbc11d861fe856ff093\",\"NetworkSettings\":{\"Bridge\":\"\",\"EndpointID\":\"\",\"Gateway\":\"\",\"GlobalIPv6Address\":\"\",\"GlobalIPv6PrefixLen\":0,\"HairpinMode\":false,\"IPAddress\":\"\",\"IPPrefixLen\":0,\"IPv6Gateway\":\"\",\"LinkLocalIPv6Address\":\"\",\"LinkLocalIPv6PrefixLen\":0,\"MacAddress\":\"\",\"NetworkID\":\"\",\"PortMapping\":null,\"Ports\":null,\"SandboxKey\":\"\",\"SecondaryIPAddresses\":null,\"SecondaryIPv6Addresses\":null},\"ResolvConfPath\":\"/var/lib/docker/containers/f780ee3f80e66e9b432a57049597118a66aab8932be88e5628d4c824edbee37c/resolv.conf\",\"HostnamePath\":\"/var/lib/docker/containers/f780ee3f80e66e9b432a57049597118a66aab8932be88e5628d4c824edbee37c/hostname\",\"HostsPath\":\"/var/lib/docker/containers/f780ee3f80e66e9b432a57049597118a66aab8932be88e5628d4c824edbee37c/hosts\",\"LogPath\":\"/var/lib/docker/containers/f780ee3f80e66e9b432a57049597118a66aab8932be88e5628d4c824edbee37c/f780ee3f80e66e9b432a57049597118a66aab8932be88e5628d4c824edbee37c-json.log\",\"Name\":\"/determined_euclid\",\"Driver\":\"overlay\",\"ExecDriver\":\"native-0.2\",\"MountLabel\":\"\",\"ProcessLabel\":\"\",\"RestartCount\":0,\"UpdateDns\":false,\"HasBeenStartedBefore\":false,\"MountPoints\":{},\"Volumes\":{},\"VolumesRW\":{},\"AppArmorProfile\":\"\"}";

    private const string Dir = "/var/lib/docker/containers";

    private static MockFileSystem With(string config, string? hostConfig = null, string id = Id)
    {
        var fs = new MockFileSystem();
        fs.AddFile($"{Dir}/{id}/config.json", new MockFileData(config));
        if (hostConfig is not null)
        {
            fs.AddFile($"{Dir}/{id}/hostconfig.json", new MockFileData(hostConfig));
        }

        return fs;
    }

    [Fact]
    public void Read_RealConfigOfDocker19_GivesItsFields()
    {
        var container = ContainerRecord.Read(With(RealConfig), Dir, Id);

        Assert.Equal(Id, container.Id);
        Assert.Equal("determined_euclid", container.Name);
        Assert.Equal("2c5ac3f849df8627fcf2822727f87c57f38b7129d3604fbc11d861fe856ff093", container.ImageId);
        Assert.Equal("busybox", container.Config.Config!.Image);
        Assert.Equal(["sh"], container.Config.Config.Cmd);
        Assert.Equal("overlay", container.Driver);
        Assert.Equal("native-0.2", container.Config.ExecDriver);
        Assert.Equal("sh", container.Command);
        Assert.Equal(new DateTimeOffset(2015, 11, 10, 21, 42, 40, TimeSpan.Zero).AddTicks(4_338_315), container.Created?.Value);
        Assert.Equal(ContainerStatus.Exited, container.State.Status);
        Assert.Equal(0, container.Config.State!.ExitCode);
        Assert.Null(container.HostConfig);
        Assert.Equal(Id + "-init", container.LegacyInitLayerId);
    }

    [Theory]
    [InlineData("{\"Running\":true,\"StartedAt\":\"2015-01-01T00:00:00Z\"}", ContainerStatus.Running)]
    [InlineData("{\"Running\":true,\"Paused\":true,\"StartedAt\":\"2015-01-01T00:00:00Z\"}", ContainerStatus.Paused)]
    [InlineData("{\"Running\":true,\"Restarting\":true,\"StartedAt\":\"2015-01-01T00:00:00Z\"}", ContainerStatus.Restarting)]
    [InlineData("{\"Dead\":true,\"StartedAt\":\"2015-01-01T00:00:00Z\"}", ContainerStatus.Dead)]
    [InlineData("{\"StartedAt\":\"0001-01-01T00:00:00Z\",\"FinishedAt\":\"0001-01-01T00:00:00Z\"}", ContainerStatus.Created)]
    [InlineData("{\"StartedAt\":\"2015-01-01T00:00:00Z\",\"FinishedAt\":\"2015-01-02T00:00:00Z\",\"ExitCode\":137}", ContainerStatus.Exited)]
    [InlineData("null", ContainerStatus.Created)]
    public void Status_SavedState_IsDerivedAsDockerPsDerivesIt(string state, ContainerStatus expected)
    {
        var container = ContainerRecord.Read(With($"{{\"ID\":\"{Id}\",\"State\":{state}}}"), Dir, Id);

        Assert.Equal(expected, container.State.Status);
    }

    [Fact]
    public void Read_KeysInAnyCaseAndTrailingBytes_AreReadAsGoReadsThem()
    {
        var container = ContainerRecord.Read(With($"{{\"id\":\"{Id}\",\"NAME\":\"/first\",\"name\":\"/web\",\"driver\":\"\"}}\ntrailing garbage"), Dir, Id);

        Assert.Equal("web", container.Name);
        Assert.Equal("aufs", container.Driver);
    }

    [Fact]
    public void Read_HostConfig_IsTypedWithGoRules()
    {
        var hostConfig = "{\"Binds\":[\"/srv:/data:ro\"],\"Privileged\":null,\"PortBindings\":{\"6379/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"6379\"}]},\"NetworkMode\":\"bridge\",\"CapAdd\":\"NET_ADMIN\",\"RestartPolicy\":{\"Name\":\"always\",\"MaximumRetryCount\":0},\"LogConfig\":{\"Type\":\"json-file\",\"Config\":{}},\"Ulimits\":null,\"ConsoleSize\":[0,0]}";

        var container = ContainerRecord.Read(With(RealConfig, hostConfig), Dir, Id);

        Assert.Equal(["/srv:/data:ro"], container.HostConfig!.Binds);
        Assert.False(container.HostConfig.Privileged);
        Assert.Equal("6379", container.HostConfig.PortBindings!["6379/tcp"]![0].HostPort);
        Assert.Equal(["NET_ADMIN"], container.HostConfig.CapAdd);
        Assert.Equal("always", container.HostConfig.RestartPolicy!.Name);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{\"ID\":", "not valid JSON")]
    [InlineData("<html>", "not valid JSON")]
    [InlineData("{\"ID\":\"" + Id + "\",\"State\":{\"Running\":\"yes\"}}", "unexpected JSON content")]
    [InlineData("{\"ID\":\"0000000000000000000000000000000000000000000000000000000000000000\"}", "is stored in the directory of")]
    [InlineData("[]", "unexpected JSON content")]
    [InlineData("null", "JSON null")]
    public void Read_ConfigThatIsNotAContainer_ThrowsCorruptFileNamingConfigJson(string config, string problem)
    {
        var e = Assert.Throws<CorruptFileException>(() => ContainerRecord.Read(With(config), Dir, Id));

        Assert.Equal($"{Dir}/{Id}/config.json", e.Path);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_HostConfigThatIsNotJson_ThrowsCorruptFileNamingIt()
    {
        var e = Assert.Throws<CorruptFileException>(() => ContainerRecord.Read(With(RealConfig, "{\"Binds\":"), Dir, Id));

        Assert.Equal($"{Dir}/{Id}/hostconfig.json", e.Path);
    }

    [Fact]
    public void Read_DirectoryOfDocker110_ThrowsCorruptFileSayingWhy()
    {
        var fs = new MockFileSystem();
        fs.AddFile($"{Dir}/{Id}/config.v2.json", new MockFileData("{}"));

        var e = Assert.Throws<CorruptFileException>(() => ContainerRecord.Read(fs, Dir, Id));

        Assert.Contains("Docker 1.10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_IdThatIsAPath_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => ContainerRecord.Read(new MockFileSystem(), Dir, "../../etc"));
}

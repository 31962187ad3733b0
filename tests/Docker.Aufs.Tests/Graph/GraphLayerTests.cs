using System.IO.Abstractions.TestingHelpers;
using System.Text;
using Docker.Aufs.Stores.Graph;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Graph;

public sealed class GraphLayerTests
{
    private const string GraphDir = "/r/graph";
    private static readonly string Id = Ids.Of("layer");
    private static readonly string ParentId = Ids.Of("parent");

    private static MockFileSystem Layer(string json, params (string Name, string Content)[] files)
    {
        var fs = new MockFileSystem();
        fs.AddFile($"{GraphDir}/{Id}/json", new MockFileData(json));
        foreach (var (name, content) in files)
        {
            fs.AddFile($"{GraphDir}/{Id}/{name}", new MockFileData(content));
        }

        return fs;
    }

    private static GraphLayer Read(MockFileSystem fs) => GraphLayer.Read(fs, GraphDir, Id);

    [Fact]
    public void Read_TypicalLayer_ExposesEveryFile()
    {
        var fs = Layer($"{{\"id\":\"{Id}\",\"parent\":\"{ParentId}\",\"created\":\"2015-11-03T12:00:00.5Z\",\"Size\":12}}\n",
            ("layersize", "12"), ("checksum", "sha256:abc"), ("v1Compatibility", "{\"id\":\"x\"}"), ("tar-data.json.gz", ""));

        var layer = Read(fs);

        Assert.Equal(Id, layer.Id);
        Assert.Equal($"{GraphDir}/{Id}", layer.Directory);
        Assert.Equal(ParentId, layer.Parent);
        Assert.Equal(ParentSource.Json, layer.ParentSource);
        Assert.Equal(12, layer.Size);
        Assert.Equal(LayerSizeStatus.Present, layer.SizeStatus);
        Assert.Equal("sha256:abc", layer.Checksum);
        Assert.Equal("{\"id\":\"x\"}", layer.V1Compatibility);
        Assert.True(layer.HasTarSplit);
        Assert.Equal(new DateTimeOffset(2015, 11, 3, 12, 0, 0, 500, TimeSpan.Zero), layer.Image.Created?.Value);
        Assert.Equal(12, layer.Image.Size);
    }

    [Fact]
    public void Read_KeepsTheRawBytesIncludingTheTrailingNewline()
    {
        var json = $"{{\"id\":\"{Id}\"}}\n";
        var layer = Read(Layer(json));
        Assert.Equal(json, Encoding.UTF8.GetString(layer.RawJson.Span));
        Assert.Equal(json.TrimEnd('\n'), Encoding.UTF8.GetString(layer.GetJsonValue().Span));
    }

    [Fact]
    public void Read_KeysMatchCaseInsensitivelyAndTheLastDuplicateWins()
    {
        var json = $"{{\"ID\":\"{Id}\",\"PARENT\":\"{Ids.Of("first")}\",\"Parent\":\"{ParentId}\",\"size\":7,\"Container_Config\":{{\"cmd\":[\"a\"],\"CMD\":[\"b\",\"c\"]}}}}";
        var layer = Read(Layer(json));
        Assert.Equal(ParentId, layer.Parent);
        Assert.Equal(7, layer.Image.Size);
        Assert.Equal(["b", "c"], layer.Image.ContainerConfig!.Cmd!);
    }

    [Fact]
    public void Read_InspectApiSpellingsDoNotBindBecauseGoDoesNotIgnoreUnderscores()
    {
        var layer = Read(Layer("{\"ContainerConfig\":{\"Cmd\":[\"x\"]},\"DockerVersion\":\"1.9.1\"}"));
        Assert.Null(layer.Image.ContainerConfig);
        Assert.Null(layer.Image.DockerVersion);
    }

    [Theory]
    [InlineData("\"Cmd\":\"/bin/sh -c echo\"", new[] { "/bin/sh -c echo" })]
    [InlineData("\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) \",\"CMD [\\\"sh\\\"]\"]", new[] { "/bin/sh", "-c", "#(nop) ", "CMD [\"sh\"]" })]
    [InlineData("\"Cmd\":null", null)]
    public void Read_CmdIsAStringOrAnArray(string cmd, string[]? expected)
    {
        var layer = Read(Layer($"{{\"config\":{{{cmd},\"Entrypoint\":\"run.sh\"}}}}"));
        Assert.Equal(expected, layer.Image.Config!.Cmd);
        Assert.Equal(["run.sh"], layer.Image.Config!.Entrypoint!);
    }

    [Fact]
    public void Read_NullBooleansAndMapsAreGoZeroValues()
    {
        var layer = Read(Layer("{\"config\":{\"Tty\":null,\"OpenStdin\":true,\"ExposedPorts\":{\"6379/tcp\":{},\"80/tcp\":null},\"Volumes\":null,\"Labels\":{\"a\":\"1\",\"A\":\"2\",\"a\":\"3\"}}}"));
        var config = layer.Image.Config!;
        Assert.False(config.Tty);
        Assert.True(config.OpenStdin);
        Assert.Equal(["6379/tcp", "80/tcp"], config.ExposedPorts!);
        Assert.Null(config.Volumes);
        Assert.Equal("3", config.Labels!["a"]);
        Assert.Equal("2", config.Labels!["A"]);
    }

    [Fact]
    public void Read_EveryFieldOfTheSchema_IsTyped()
    {
        var json = """
            {"id":"@Id","parent":"@ParentId","comment":"Imported from -","created":"2013-06-13T14:03:50.821769-07:00",
             "container":"c","container_config":{"Hostname":"h","Domainname":"d","User":"u","Memory":1,"MemorySwap":2,"CpuShares":3,
             "Cpuset":"0-1","AttachStdin":true,"AttachStdout":true,"AttachStderr":true,"PortSpecs":["80"],"ExposedPorts":{"80/tcp":{}},
             "PublishService":"svc","Tty":true,"OpenStdin":true,"StdinOnce":true,"Env":["A=1"],"Cmd":["x"],"Dns":["8.8.8.8"],
             "VolumesFrom":"other","Image":"busybox","Volumes":{"/data":{}},"VolumeDriver":"local","WorkingDir":"/w","Entrypoint":["e"],
             "NetworkDisabled":true,"MacAddress":"m","OnBuild":["RUN x"],"SecurityOpt":["label:disable"],"Labels":{"k":"v"},"StopSignal":"SIGTERM"},
             "docker_version":"1.9.1","author":"me","config":null,"architecture":"x86_64","os":"linux","Size":5,"checksum":"tarsum",
             "parent_id":"sha256:@ParentId","layer_id":"sha256:@Id","throwaway":true}
            """.Replace("@Id", Id, StringComparison.Ordinal).Replace("@ParentId", ParentId, StringComparison.Ordinal);
        var image = Read(Layer(json)).Image;
        var c = image.ContainerConfig!;
        Assert.Equal(("Imported from -", "c", "1.9.1", "me", "x86_64", "linux", 5L, "tarsum"), (image.Comment, image.Container, image.DockerVersion, image.Author, image.Architecture, image.Os, image.Size!.Value, image.Checksum));
        Assert.Equal(($"sha256:{ParentId}", $"sha256:{Id}", true), (image.ParentId, image.LayerId, image.Throwaway!.Value));
        Assert.Null(image.Config);
        Assert.Equal(TimeSpan.FromHours(-7), image.Created!.Value.Value.Offset);
        Assert.Equal(("h", "d", "u", 1L, 2L, 3L, "0-1"), (c.Hostname, c.Domainname, c.User, c.Memory!.Value, c.MemorySwap!.Value, c.CpuShares!.Value, c.Cpuset));
        Assert.True(c.AttachStdin && c.AttachStdout && c.AttachStderr && c.Tty && c.OpenStdin && c.StdinOnce && c.NetworkDisabled);
        Assert.Equal(("svc", "other", "busybox", "local", "/w", "m", "SIGTERM"), (c.PublishService, c.VolumesFrom, c.Image, c.VolumeDriver, c.WorkingDir, c.MacAddress, c.StopSignal));
        Assert.Equal(["80"], c.PortSpecs!);
        Assert.Equal(["80/tcp"], c.ExposedPorts!);
        Assert.Equal(["A=1"], c.Env!);
        Assert.Equal(["8.8.8.8"], c.Dns!);
        Assert.Equal(["/data"], c.Volumes!);
        Assert.Equal(["e"], c.Entrypoint!);
        Assert.Equal(["RUN x"], c.OnBuild!);
        Assert.Equal(["label:disable"], c.SecurityOpt!);
        Assert.Equal("v", c.Labels!["k"]);
    }

    [Fact]
    public void Read_StrongIdJsonWithoutIdOrParent_TakesTheParentFromParentId()
    {
        var layer = Read(Layer($"{{\"parent_id\":\"sha256:{ParentId}\",\"layer_id\":\"sha256:{Ids.Of("blob")}\"}}"));
        Assert.Null(layer.Image.Id);
        Assert.Equal(ParentId, layer.Parent);
        Assert.Equal(ParentSource.ParentId, layer.ParentSource);
    }

    [Fact]
    public void Read_TheParentFileOverridesTheJson()
    {
        var reused = Ids.Of("reused-v1-id");
        var layer = Read(Layer($"{{\"parent\":\"{ParentId}\",\"parent_id\":\"sha256:{ParentId}\"}}", ("parent", reused)));
        Assert.Equal(reused, layer.Parent);
        Assert.Equal(ParentSource.ParentFile, layer.ParentSource);
    }

    [Theory]
    [InlineData("sha256:abc")]
    [InlineData("md5:0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("")]
    public void Read_AnInvalidParentIdIsIgnoredAsDockerIgnoresIt(string parentId)
    {
        var layer = Read(Layer($"{{\"parent_id\":\"{parentId}\"}}"));
        Assert.Null(layer.Parent);
        Assert.Equal(ParentSource.None, layer.ParentSource);
    }

    [Theory]
    [InlineData("12", 12L, nameof(LayerSizeStatus.Present))]
    [InlineData("0", 0L, nameof(LayerSizeStatus.Present))]
    [InlineData("12\n", 12L, nameof(LayerSizeStatus.Present))]
    [InlineData(" 12 ", 12L, nameof(LayerSizeStatus.Present))]
    [InlineData("-1", null, nameof(LayerSizeStatus.Malformed))]
    [InlineData("+3", null, nameof(LayerSizeStatus.Malformed))]
    [InlineData("abc", null, nameof(LayerSizeStatus.Malformed))]
    [InlineData("", null, nameof(LayerSizeStatus.Malformed))]
    [InlineData("99999999999999999999999", null, nameof(LayerSizeStatus.Malformed))]
    [InlineData("1.5", null, nameof(LayerSizeStatus.Malformed))]
    public void Read_LayerSizeIsReadLenientlyAndGarbageMeansUnknown(string content, long? size, string statusName)
    {
        var layer = Read(Layer("{}", ("layersize", content)));
        Assert.Equal(size, layer.Size);
        Assert.Equal(Enum.Parse<LayerSizeStatus>(statusName), layer.SizeStatus);
    }

    [Fact]
    public void Read_MissingLayerSize_IsUnknown()
    {
        var layer = Read(Layer("{}"));
        Assert.Null(layer.Size);
        Assert.Equal(LayerSizeStatus.Missing, layer.SizeStatus);
    }

    [Fact]
    public void Read_NullDocument_IsAnEmptyImageWhoseIdIsTheDirectory()
    {
        var layer = Read(Layer("null"));
        Assert.Null(layer.Image.Id);
        Assert.Equal(Id, layer.Id);
        Assert.Null(layer.Parent);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{\"id\":", "not valid JSON")]
    [InlineData("\u001f\u008b\u0008 binary", "not valid JSON")]
    [InlineData("[1,2]", "unexpected JSON content")]
    [InlineData("{\"Size\":\"big\"}", "unexpected JSON content")]
    [InlineData("{\"Size\":99999999999999999999999}", "unexpected JSON content")]
    [InlineData("{\"created\":\"yesterday\"}", "RFC 3339")]
    [InlineData("{\"created\":5}", "RFC 3339")]
    [InlineData("{\"config\":{\"Cmd\":{\"a\":1}}}", "string or a list")]
    [InlineData("{\"config\":{\"Cmd\":[1]}}", "string in the list")]
    [InlineData("{\"config\":{\"Tty\":\"yes\"}}", "true or false")]
    [InlineData("{\"config\":{\"ExposedPorts\":[\"80\"]}}", "expected an object")]
    [InlineData("{\"config\":{\"ExposedPorts\":{\"80\":1}}}", "expected {}")]
    public void Read_CorruptOrWronglyTypedJson_ThrowsCorruptFileNamingTheJsonFile(string json, string problem)
    {
        var e = Assert.Throws<CorruptFileException>(() => Read(Layer(json)));
        Assert.Equal($"{GraphDir}/{Id}/json", e.Path);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_JsonIdThatDiffersFromTheDirectory_ThrowsCorruptFile()
    {
        var e = Assert.Throws<CorruptFileException>(() => Read(Layer($"{{\"id\":\"{ParentId}\"}}")));
        Assert.Contains("differs from the directory name", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingJson_ThrowsCorruptFile()
    {
        var fs = new MockFileSystem();
        fs.AddFile($"{GraphDir}/{Id}/layersize", new MockFileData("0"));
        var e = Assert.Throws<CorruptFileException>(() => Read(fs));
        Assert.Equal($"{GraphDir}/{Id}/json", e.Path);
    }

    [Theory]
    [InlineData("{\"parent\":\"../../etc\"}", "json")]
    [InlineData("{\"parent\":\"/etc/passwd\"}", "json")]
    public void Read_ParentThatLooksLikeAPath_ThrowsUnsafePath(string json, string file)
    {
        var e = Assert.Throws<UnsafePathException>(() => Read(Layer(json)));
        Assert.Equal($"{GraphDir}/{Id}/{file}", e.Path);
    }

    [Fact]
    public void Read_ParentFileThatLooksLikeAPath_ThrowsUnsafePathNamingTheParentFile()
    {
        var e = Assert.Throws<UnsafePathException>(() => Read(Layer("{}", ("parent", "../../../etc"))));
        Assert.Equal($"{GraphDir}/{Id}/parent", e.Path);
    }

    [Fact]
    public void Read_ParentThatIsNotAnId_ThrowsCorruptFile() =>
        Assert.Throws<CorruptFileException>(() => Read(Layer("{\"parent\":\"not-an-id\"}")));

    [Fact]
    public void Read_InvalidUtf8InAString_IsReplacedNotFatal()
    {
        var fs = new MockFileSystem();
        fs.AddFile($"{GraphDir}/{Id}/json", new MockFileData([.. "{\"comment\":\"caf"u8, 0xE9, .. "\"}"u8]));
        Assert.Equal("caf\uFFFD", Read(fs).Image.Comment);
    }

    [Fact]
    public void Read_ImplausiblyLargeJson_ThrowsCorruptFileWithoutReadingIt()
    {
        var fs = Layer("{}");
        fs.AddFile($"{GraphDir}/{Id}/json", new MockFileData(new byte[65 * 1024 * 1024]));
        var e = Assert.Throws<CorruptFileException>(() => Read(fs));
        Assert.Contains("plausibly", e.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_InvalidId_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => GraphLayer.Read(new MockFileSystem(), GraphDir, "../x"));
}

using System.Security.Cryptography;
using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

public sealed class GoImageConfigTests
{
    // moby v1.9.1 image/fixtures/post1.9: v1compatibility, and the config Docker 1.9's MakeImageConfig made of it
    // (id/parent/Size deleted, layer_id and parent_id added, keys sorted, values compacted); its sha256 is expected_computed_id.
    private const string Post19V1Compatibility = """{"id":"8dfb96b5d09e6cf6f376d81f1e2770ee5ede309f9bd9e079688c9782649ab326","parent":"361a94d06b2b781b2f1ee6c72e1cbbfbbd032a103e26a3db75b431743829ae4f","created":"2015-09-08T21:30:30.807853054Z","container":"fb1f7270da9519308361b99dc8e0d30f12c24dfd28537c2337ece995ac853a16","container_config":{"Hostname":"fb1f7270da95","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["foo=bar"],"Cmd":["/bin/sh","-c","#(nop) ADD file:11998b2a4d664a75cd0c3f4e4cb1837434e0f997ba157a0ac1d3c68a07aa2f4f in /"],"Image":"361a94d06b2b781b2f1ee6c72e1cbbfbbd032a103e26a3db75b431743829ae4f","Volumes":null,"VolumeDriver":"","WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"docker_version":"1.9.0-dev","config":{"Hostname":"fb1f7270da95","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["foo=bar"],"Cmd":null,"Image":"361a94d06b2b781b2f1ee6c72e1cbbfbbd032a103e26a3db75b431743829ae4f","Volumes":null,"VolumeDriver":"","WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"architecture":"amd64","os":"linux"}""";

    private const string Post19ExpectedConfig = """{"architecture":"amd64","config":{"Hostname":"fb1f7270da95","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["foo=bar"],"Cmd":null,"Image":"361a94d06b2b781b2f1ee6c72e1cbbfbbd032a103e26a3db75b431743829ae4f","Volumes":null,"VolumeDriver":"","WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"container":"fb1f7270da9519308361b99dc8e0d30f12c24dfd28537c2337ece995ac853a16","container_config":{"Hostname":"fb1f7270da95","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["foo=bar"],"Cmd":["/bin/sh","-c","#(nop) ADD file:11998b2a4d664a75cd0c3f4e4cb1837434e0f997ba157a0ac1d3c68a07aa2f4f in /"],"Image":"361a94d06b2b781b2f1ee6c72e1cbbfbbd032a103e26a3db75b431743829ae4f","Volumes":null,"VolumeDriver":"","WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"created":"2015-09-08T21:30:30.807853054Z","docker_version":"1.9.0-dev","layer_id":"sha256:31176893850e05d308cdbfef88877e460d50c8063883fb13eb5753097da6422a","os":"linux","parent_id":"sha256:ec3025ca8cc9bcab039e193e20ec647c2da3c53a74020f2ba611601f9b2c6c02"}""";

    // moby-empty-layer.tar (a real Docker 1.4-era save): the three image JSON files, base first.
    private const string CentosBase = """{"id":"17d1436ef796af2fc2210cc37c4672e5aa1b62cb08ac4b95dd15372321105a66","comment":"Imported from -","created":"2013-06-13T14:03:50.821769-07:00","container_config":{"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":null,"Image":"","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":null},"docker_version":"0.4.0","architecture":"x86_64","layer_id":"sha256:74db925ddbf25d3b8815535598afc9b43b5cd220f194703dd8bde424f93aac8c"}""";

    private const string CentosMaintainer = """{"id":"9c7cb910d84346a3fbf3cc2be046f44bf0af7f11eb8db2ef1f45e93c1202faac","parent":"17d1436ef796af2fc2210cc37c4672e5aa1b62cb08ac4b95dd15372321105a66","created":"2014-10-01T20:46:13.51090041Z","container":"fed991d241a9e03e1b38c985a9b9300d144b375c7ff41d5f3c49b27d6250e16d","container_config":{"Hostname":"fed991d241a9","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh","-c","#(nop) MAINTAINER The CentOS Project \u003ccloud-ops@centos.org\u003e - ami_creator"],"Image":"511136ea3c5a64f264b78b5433614aec563103b4d4702f3ba7d4d2698e22c158","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":[],"Labels":null},"docker_version":"1.2.0","author":"The CentOS Project \u003ccloud-ops@centos.org\u003e - ami_creator","config":{"Hostname":"fed991d241a9","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":null,"Image":"511136ea3c5a64f264b78b5433614aec563103b4d4702f3ba7d4d2698e22c158","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":[],"Labels":null},"architecture":"amd64","os":"linux","parent_id":"sha256:17d1436ef796af2fc2210cc37c4672e5aa1b62cb08ac4b95dd15372321105a66","layer_id":"sha256:1775fca35fb6a4d31c541746eaea63c5cb3c00280c8b5a351d4e944cdca7489d"}""";

    private const string CentosTop = """{"id":"25445a0fc5025c3917a0cd6e307d92322540e0da691614312ddea22511b71513","parent":"9c7cb910d84346a3fbf3cc2be046f44bf0af7f11eb8db2ef1f45e93c1202faac","created":"2015-03-04T21:38:56.769279623Z","container":"cd2c5e92b2a0ef081f7acfe660aeaafbd8498c4428fd1ec130def86e7c9a48f6","container_config":{"Hostname":"cd2c5e92b2a0","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh","-c","#(nop) ADD file:2b2b26209d285cd1a96e8168dfb25338aa09155d0a9a6ed54a94be0bd9914461 in /"],"Image":"5b12ef8fd57065237a6833039acc0e7f68e363c15d8abb5cacce7143a1f7de8a","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":[],"Labels":null},"docker_version":"1.4.1","author":"The CentOS Project \u003ccloud-ops@centos.org\u003e - ami_creator","config":{"Hostname":"cd2c5e92b2a0","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":null,"Image":"5b12ef8fd57065237a6833039acc0e7f68e363c15d8abb5cacce7143a1f7de8a","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":[],"Labels":null},"architecture":"amd64","os":"linux","Size":215725104,"parent_id":"sha256:9c7cb910d84346a3fbf3cc2be046f44bf0af7f11eb8db2ef1f45e93c1202faac","layer_id":"sha256:7bd4f13333ba078de4fd536af062446ff873b28e886d9250f518f54f7e33d236"}""";

    private static readonly string[] CentosDiffIds =
    [
        "sha256:f624397841595b2369935cbd47fde10171ff91347afa9a5c793275d3765e8e0d",
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:3b90aed61465a1f294fdd312108c1e7f476b3e1b7246c8eebc0f537dec42f2de",
    ];

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    [Fact]
    public void Rewrite_MobyPost19Vector_ReproducesDockersConfigAndItsId()
    {
        var config = GoImageConfig.Rewrite(Utf8(Post19V1Compatibility), ["id", "parent", "Size"],
        [
            new("layer_id", Utf8("\"sha256:31176893850e05d308cdbfef88877e460d50c8063883fb13eb5753097da6422a\"")),
            new("parent_id", Utf8("\"sha256:ec3025ca8cc9bcab039e193e20ec647c2da3c53a74020f2ba611601f9b2c6c02\"")),
        ], "/v1compatibility");

        Assert.Equal(Post19ExpectedConfig, Encoding.UTF8.GetString(config));
        Assert.Equal("f2722a8ec6926e02fa9f2674072cbc2a25cf0f449f27350f613cd843b02c9105", Convert.ToHexStringLower(SHA256.HashData(config)));
    }

    [Fact]
    public void MakeConfig_OldImageChain_RoundTripsThroughV1ImageAndAddsRootfsAndHistory()
    {
        var chain = new[] { CentosBase, CentosMaintainer, CentosTop };
        var history = chain.Select(j => GoImageConfig.HistoryFromV1(Utf8(j), "/json")).ToList();
        var config = Encoding.UTF8.GetString(GoImageConfig.MakeConfig(Utf8(CentosTop), history, CentosDiffIds, "/json"));

        // docker_version 1.4.1 < 1.8.3: the JSON goes through Go's V1Image first, so parent_id and layer_id (not fields of it)
        // vanish, the config keeps the struct's field order and omitempty rules, and Go re-escapes the author.
        const string ContainerConfig = """{"Hostname":"cd2c5e92b2a0","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["/bin/sh","-c","#(nop) ADD file:2b2b26209d285cd1a96e8168dfb25338aa09155d0a9a6ed54a94be0bd9914461 in /"],"Image":"5b12ef8fd57065237a6833039acc0e7f68e363c15d8abb5cacce7143a1f7de8a","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":[],"Labels":null}""";
        const string RunConfig = """{"Hostname":"cd2c5e92b2a0","Domainname":"","User":"","AttachStdin":false,"AttachStdout":false,"AttachStderr":false,"Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":null,"Image":"5b12ef8fd57065237a6833039acc0e7f68e363c15d8abb5cacce7143a1f7de8a","Volumes":null,"WorkingDir":"","Entrypoint":null,"OnBuild":[],"Labels":null}""";
        const string Author = "The CentOS Project \\u003ccloud-ops@centos.org\\u003e - ami_creator";
        var expected =
            "{\"architecture\":\"amd64\"," +
            $"\"author\":\"{Author}\"," +
            $"\"config\":{RunConfig}," +
            "\"container\":\"cd2c5e92b2a0ef081f7acfe660aeaafbd8498c4428fd1ec130def86e7c9a48f6\"," +
            $"\"container_config\":{ContainerConfig}," +
            "\"created\":\"2015-03-04T21:38:56.769279623Z\"," +
            "\"docker_version\":\"1.4.1\"," +
            "\"history\":[" +
            "{\"created\":\"2013-06-13T14:03:50.821769-07:00\",\"comment\":\"Imported from -\"}," +
            $"{{\"created\":\"2014-10-01T20:46:13.51090041Z\",\"author\":\"{Author}\",\"created_by\":\"/bin/sh -c #(nop) MAINTAINER {Author}\"}}," +
            $"{{\"created\":\"2015-03-04T21:38:56.769279623Z\",\"author\":\"{Author}\",\"created_by\":\"/bin/sh -c #(nop) ADD file:2b2b26209d285cd1a96e8168dfb25338aa09155d0a9a6ed54a94be0bd9914461 in /\"}}" +
            "]," +
            "\"os\":\"linux\"," +
            $"\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{CentosDiffIds[0]}\",\"{CentosDiffIds[1]}\",\"{CentosDiffIds[2]}\"]}}}}";
        Assert.Equal(expected, config);
    }

    [Fact]
    public void MakeConfig_OldImage_DropsKeysV1ImageDoesNotHaveAndNormalizesTheConfig()
    {
        const string Json = """
            { "id": "aa", "Memory": 0, "checksum": "tarsum+sha256:00", "docker_version": "1.6.2", "created": "2015-01-02T03:04:05Z",
              "container_config": { "Cmd": "echo hi", "Memory": 7, "Cpuset": "", "PortSpecs": null, "ExposedPorts": {}, "VolumeDriver": "",
                                    "Volumes": {}, "Labels": {"b": "2", "a": "1"}, "NetworkDisabled": false, "MacAddress": "" },
              "config": { "ExposedPorts": { "80/tcp": {}, "443/tcp": {} }, "Entrypoint": ["/x"], "Env": [], "StopSignal": "SIGTERM" } }
            """;
        var config = Encoding.UTF8.GetString(GoImageConfig.MakeConfig(Utf8(Json), [], [], "/json"));
        const string Zero = "\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,";
        Assert.Equal(
            "{\"config\":{" + Zero + "\"ExposedPorts\":{\"443/tcp\":{},\"80/tcp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[],\"Cmd\":null,\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":[\"/x\"],\"OnBuild\":null,\"Labels\":null,\"StopSignal\":\"SIGTERM\"}," +
            "\"container_config\":{" + Zero + "\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"echo hi\"],\"Image\":\"\",\"Volumes\":{},\"WorkingDir\":\"\",\"Entrypoint\":null,\"OnBuild\":null,\"Labels\":{\"a\":\"1\",\"b\":\"2\"}}," +
            "\"created\":\"2015-01-02T03:04:05Z\",\"docker_version\":\"1.6.2\",\"history\":[],\"rootfs\":{\"type\":\"layers\"}}",
            config);
    }

    [Fact]
    public void MakeConfig_RecentImage_KeepsEveryKeyAsWrittenOnlyCompacted()
    {
        const string Json = "{\"docker_version\":\"1.8.3\",\"Memory\":0,\"x\":{ \"b\" : 1, \"a\" : 2 },\"throwaway\":true,\"Size\":0,\"id\":\"x\",\"layer_id\":\"l\",\"parent_id\":\"p\",\"parent\":\"q\",\"z\":\"<&>\"}";
        var config = Encoding.UTF8.GetString(GoImageConfig.MakeConfig(Utf8(Json), [], ["sha256:00"], "/json"));
        Assert.Equal("{\"Memory\":0,\"docker_version\":\"1.8.3\",\"history\":[],\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:00\"]},\"x\":{\"b\":1,\"a\":2},\"z\":\"\\u003c\\u0026\\u003e\"}", config);
    }

    [Fact]
    public void MakeConfig_DuplicateKeys_TheLastWinsAndCaseMatters()
    {
        const string Json = "{\"docker_version\":\"1.9.1\",\"os\":\"a\",\"os\":\"linux\",\"Id\":\"kept\"}";
        var config = Encoding.UTF8.GetString(GoImageConfig.MakeConfig(Utf8(Json), [], [], "/json"));
        Assert.Equal("{\"Id\":\"kept\",\"docker_version\":\"1.9.1\",\"history\":[],\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}", config);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    public void MakeConfig_NotAnObject_ThrowsCorruptFile(string json) =>
        Assert.Throws<CorruptFileException>(() => GoImageConfig.MakeConfig(Utf8(json), [], [], "/json"));

    [Fact]
    public void HistoryFromV1_JoinsTheCommandAndDefaultsCreatedToGosZeroTime()
    {
        var history = GoImageConfig.HistoryFromV1(Utf8("{\"container_config\":{\"Cmd\":[\"/bin/sh\",\"-c\",\"echo\\thi\"]},\"comment\":\"c\"}"), "/json");
        Assert.Equal("/bin/sh -c echo\thi", history.CreatedBy);
        Assert.Equal("c", history.Comment);
        Assert.Equal("0001-01-01T00:00:00Z", history.Created.ToString());
    }

    [Theory]
    [InlineData("{\"created\":null}", "'created'")]
    [InlineData("{\"created\":\"yesterday\"}", "'created'")]
    [InlineData("{\"Size\":\"12\"}", "'Size'")]
    [InlineData("{\"Size\":1.5}", "'Size'")]
    [InlineData("{\"container_config\":{\"Cmd\":[1]}}", "'Cmd'")]
    [InlineData("{\"container_config\":{\"Tty\":\"yes\"}}", "'Tty'")]
    [InlineData("{\"config\":{\"Labels\":{\"a\":1}}}", "'Labels.a'")]
    [InlineData("{\"container_config\":[]}", "'container_config'")]
    public void HistoryFromV1_WrongGoTypes_ThrowCorruptFileNamingTheKey(string json, string key)
    {
        var e = Assert.Throws<CorruptFileException>(() => GoImageConfig.HistoryFromV1(Utf8(json), "/json"));
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.8.2", true)]
    [InlineData("1.8", true)]
    [InlineData("", true)]
    [InlineData("0.4.0", true)]
    [InlineData("1.8.3", false)]
    [InlineData("1.9.0-dev", false)]
    [InlineData("1.10", false)]
    [InlineData("18.06.1-ce", false)]
    public void VersionLessThan_ComparesNumericallyAsDockersVersionPackage(string version, bool less) =>
        Assert.Equal(less, GoImageConfig.VersionLessThan(version, "1.8.3"));

    [Fact]
    public void MakeV1FromConfig_IsTheConfigWithoutRootfsAndHistoryPlusIdAndParent()
    {
        var json = GoImageConfig.MakeV1FromConfig(Utf8("{\"os\":\"linux\",\"rootfs\":{},\"history\":[],\"architecture\":\"amd64\"}"), "top", "below", "/c");
        Assert.Equal("{\"architecture\":\"amd64\",\"id\":\"top\",\"os\":\"linux\",\"parent\":\"below\"}", Encoding.UTF8.GetString(json));
    }
}

using System.Text.Json;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.Tests.Union;

namespace Docker.Aufs.Tests.Cli;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class LsCommandTests
{
    private static readonly string Init = SampleRoots.RedisContainerId + "-init";
    private readonly BalenaFixtureTests.ExtractedRoot _balena;

    public LsCommandTests(BalenaFixtureTests.ExtractedRoot balena)
    {
        _balena = balena;
    }

    private static List<JsonElement> Json(CliResult result)
    {
        Assert.True(result.ExitCode == 0, result.Error);
        using var document = JsonDocument.Parse(result.Out);
        return [.. document.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    [Fact]
    public void Ls_Json_IsTheDocumentedContract()
    {
        var entries = Json(CliCapture.Run("--sample", "ls", "redis-cache", "/etc", "--json"));

        Assert.All(entries, e => Assert.Equal(["path", "type", "mode", "size", "linkTarget", "uid", "gid", "modified", "layer"], e.EnumerateObject().Select(p => p.Name)));
        var mtab = entries.Single(e => e.GetProperty("path").GetString() == "etc/mtab");
        Assert.Equal(("symlink", "0777", 12, "/proc/mounts", 0, 0, Init),
            (mtab.GetProperty("type").GetString(), mtab.GetProperty("mode").GetString(), mtab.GetProperty("size").GetInt64(), mtab.GetProperty("linkTarget").GetString(),
             mtab.GetProperty("uid").GetInt32(), mtab.GetProperty("gid").GetInt32(), mtab.GetProperty("layer").GetString()));
        var shadow = entries.Single(e => e.GetProperty("path").GetString() == "etc/shadow");
        Assert.Equal(("file", "0640", 42, JsonValueKind.Null), (shadow.GetProperty("type").GetString(), shadow.GetProperty("mode").GetString(), shadow.GetProperty("gid").GetInt32(), shadow.GetProperty("linkTarget").ValueKind));
        Assert.DoesNotContain(entries, e => e.GetProperty("path").GetString()!.StartsWith('/'));
    }

    [Fact]
    public void Ls_OwnerAboveInt32MaxOnTheRealDisk_IsPrintedUnsigned()
    {
        Assert.SkipUnless(Docker.Aufs.IO.LinuxNative.IsRoot, "Changing owners on the real disk needs root.");
        using var root = TestRoot.Build(Disk.Real, b => b.Tag("t:latest", b.AddLayer(l => l.Id(Ids.Of("owner")).File("nobody", "x", uid: -2, gid: -2))));

        var entry = Assert.Single(Json(CliCapture.Run("--root", root.Path, "ls", "t", "--json")));
        var table = CliCapture.Run("--root", root.Path, "ls", "t");

        Assert.Equal((4294967294L, 4294967294L), (entry.GetProperty("uid").GetInt64(), entry.GetProperty("gid").GetInt64()));
        Assert.Contains("4294967294:4294967294", table.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Ls_JsonOfDirectoriesAndSpecialModes_HasSizeZeroAndFourOctalDigits()
    {
        var entries = Json(CliCapture.Run("--sample", "ls", "redis", "--json"));

        var tmp = entries.Single(e => e.GetProperty("path").GetString() == "tmp");
        Assert.Equal(("dir", "1777", 0L), (tmp.GetProperty("type").GetString(), tmp.GetProperty("mode").GetString(), tmp.GetProperty("size").GetInt64()));
        var root = entries.Single(e => e.GetProperty("path").GetString() == "root");
        Assert.Equal("0700", root.GetProperty("mode").GetString());
    }

    [Fact]
    public void Ls_Recursive_ListsEverythingBelowThePathDepthFirst()
    {
        var entries = Json(CliCapture.Run("--sample", "ls", "redis-cache", "/data", "-R", "--json"));

        Assert.Equal(["data/dump.rdb"], entries.Select(e => e.GetProperty("path").GetString()));
        var all = Json(CliCapture.Run("--sample", "ls", "redis-cache", "-R", "--json"));
        Assert.Equal(55, all.Count);
        Assert.Contains(all, e => e.GetProperty("path").GetString() == "usr/local/bin/redis-cli");
        Assert.DoesNotContain(all, e => e.GetProperty("path").GetString() == "usr/local/bin/redis-benchmark");
    }

    [Fact]
    public void Ls_AFileOrALink_ShowsTheEntryItselfAndATrailingSlashFollowsALink()
    {
        var link = Json(CliCapture.Run("--sample", "ls", "redis", "/bin/sh", "--json"));
        Assert.Equal(("bin/sh", "symlink", "dash"), (link[0].GetProperty("path").GetString(), link[0].GetProperty("type").GetString(), link[0].GetProperty("linkTarget").GetString()));

        var table = CliCapture.Run("--sample", "ls", "redis", "/usr/local/bin/redis-check-aof");
        Assert.Equal(0, table.ExitCode);
        Assert.Equal("MODE                OWNER               SIZE                MODIFIED            LAYER               PATH", table.Lines[0]);
        Assert.Equal("lrwxrwxrwx          0:0                 12                  2017-12-12 07:12    f450a2878ab6        /usr/local/bin/redis-check-aof -> redis-server", table.Lines[1]);
    }

    [Fact]
    public void Ls_Human_ShowsLsModesOwnersAndTheInitLayer()
    {
        var result = CliCapture.Run("--sample", "ls", "redis-cache", "/etc");

        Assert.Contains("-rw-r-----          0:42                74                  2017-12-12 07:10    e5bcc9ce9b77        /etc/shadow", result.Lines);
        Assert.Contains(result.Lines, l => l.StartsWith("-rwxr-xr-x", StringComparison.Ordinal) && l.Contains(SampleRoots.RedisContainerId[..12] + "-init", StringComparison.Ordinal) && l.EndsWith("/etc/hosts", StringComparison.Ordinal));
    }

    [Fact]
    public void Ls_LayerOnARootWithoutGraph_ReadsTheAufsStack()
    {
        var entries = Json(CliCapture.Run("--root", _balena.Path, "ls", "0ea3c275", "/tmp", "--layer", "--json"));

        Assert.Equal(["tmp/d1", "tmp/f2", "tmp/hlkn", "tmp/slkn"], entries.Select(e => e.GetProperty("path").GetString()));
        Assert.Equal("/tmp/d1/d1f2", entries[3].GetProperty("linkTarget").GetString());
        Assert.Equal(427, Json(CliCapture.Run("--root", _balena.Path, "ls", "0ea3c275", "-R", "--layer", "--json")).Count);
        Assert.Equal(427, Json(CliCapture.Run("--root", System.IO.Path.Combine(_balena.Path, "aufs"), "ls", "0ea3", "-R", "--layer", "--json")).Count);
    }

    [Fact]
    public void Ls_ADriverLayerIdWithoutLayerOnARootOfDocker110_SaysNoImageIsNamedSo()
    {
        // A 1.10+ root names images by config digest, not by AUFS layer: a driver layer needs --layer.
        var result = CliCapture.Run("--root", _balena.Path, "ls", "0ea3c275");

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"docker-aufs: No such image: 0ea3c275 (no container matches it either){Environment.NewLine}", result.Error);
    }

    [Fact]
    public void Ls_TheTaggedImageOfARootOfDocker110_ListsItsMergedRoot()
    {
        var result = CliCapture.Run("--root", _balena.Path, "ls", "a2o-test", "/tmp");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["/tmp/d1", "/tmp/f2", "/tmp/hlkn", "/tmp/slkn -> /tmp/d1/d1f2"], result.Lines.Skip(1).Select(l => l[l.IndexOf("/tmp/", StringComparison.Ordinal)..]));
    }

    [Theory]
    [InlineData("nothing-like-it", "No such image: nothing-like-it (no container matches it either)")]
    [InlineData("redis:nope", "No such image: redis:nope (no container matches it either)")]
    public void Ls_UnknownReference_FailsWithOneLine(string reference, string message)
    {
        var result = CliCapture.Run("--sample", "ls", reference);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"docker-aufs: {message}{Environment.NewLine}", result.Error);
    }

    [Fact]
    public void Ls_MissingPathOrNoReference_FailsOrIsAUsageError()
    {
        var missing = CliCapture.Run("--sample", "ls", "redis", "/nope");
        Assert.Equal((1, "docker-aufs: /nope: no such file or directory in the image"), (missing.ExitCode, missing.Error.TrimEnd()));

        Assert.Equal(2, CliCapture.Run("--sample", "ls").ExitCode);
        Assert.Equal(1, CliCapture.Run("--sample", "ls", "ffff", "--layer").ExitCode);
    }

    [Fact]
    public void Ls_NameThatIsNotValidUtf8_IsListedWithoutAWarning()
    {
        using var root = TestRoot.Build(Disk.Real, b => b.Tag("odd:latest", b.AddLayer(l => l.Id(Ids.Of("odd")).File("data/good", "g"))));
        using var odd = TarExtraction.CreateFileWithRawName(System.IO.Path.Combine(root.Path, "aufs", "diff", Ids.Of("odd"), "data"), [0xC3, 0x28]);

        var result = CliCapture.Run("--root", root.Path, "ls", "odd", "-R", "--json");

        // Go's encoding/json shows the invalid byte as U+FFFD; the exact bytes are beside it (docs/hostile-input.md).
        Assert.Equal(["data", "data/good", "data/\uFFFD("], Json(result).Select(e => e.GetProperty("path").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal([.. "data/"u8, 0xC3, 0x28], Json(result).Single(e => e.TryGetProperty("pathBytes", out _)).GetProperty("pathBytes").GetBytesFromBase64());
        Assert.Empty(result.Error);
    }

    [Theory]
    [InlineData(ImageStoreKind.Graph)]
    [InlineData(ImageStoreKind.ContentAddressed)]
    public void Ls_WithVolumes_ShowsTheVolumeAtItsMountPointAndWithoutTheContainersLayers(ImageStoreKind store)
    {
        using var root = TestRoot.Build(Disk.Real, b =>
        {
            var image = b.AddLayer(l => l.Directory("srv").File("srv/in-image", "x"));
            b.AddContainer(c => c.Name("web").Image(image).Volume("webdata", "/srv", l => l.File("upload.txt", "in the volume\n")).Bind("/etc", "/host"));
        }, store);

        var recursive = Json(CliCapture.Run("--root", root.Path, "ls", "--volumes", "-R", "web", "/", "--json"));
        var plain = Json(CliCapture.Run("--root", root.Path, "ls", "-R", "web", "/srv", "--json"));
        var cat = CliCapture.Run("--root", root.Path, "cat", "--volumes", "web", "/srv/upload.txt");
        var bind = CliCapture.Run("--root", root.Path, "ls", "--volumes", "web", "/host/shadow");

        var upload = recursive.Single(e => e.GetProperty("path").GetString() == "srv/upload.txt");
        Assert.Equal("volume:webdata", upload.GetProperty("layer").GetString());
        Assert.DoesNotContain(recursive, e => e.GetProperty("path").GetString() == "srv/in-image");
        Assert.Equal(["srv/in-image"], plain.Select(e => e.GetProperty("path").GetString()));
        Assert.Equal("in the volume\n", System.Text.Encoding.UTF8.GetString(cat.Bytes));
        Assert.Equal(1, bind.ExitCode);
        Assert.Contains("bind mount of the host path /etc", bind.Error, StringComparison.Ordinal);
    }
}

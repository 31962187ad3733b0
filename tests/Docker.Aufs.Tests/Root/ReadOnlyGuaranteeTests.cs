using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Building;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Root;

/// <summary>The forensic guarantee: every read operation, run through a recording file system, asks for nothing but reads.</summary>
public sealed class ReadOnlyGuaranteeTests
{
    [Fact]
    public void EveryReadOperationOfTheLibrary_MakesNoMutatingCall()
    {
        var memory = new MockFileSystem();
        var built = SampleRoot.Write(memory);
        var before = Snapshot(memory);
        var (spy, log) = SpyFileSystem.Wrap(memory);

        var root = DockerRoot.Open(spy, built.Path, new DockerRootOptions { Metadata = built.Metadata });
        foreach (var image in root.GetImages())
        {
            root.Resolve(image.Id);
            root.GetHistory(image.RepoTags[0]);
        }

        foreach (var id in root.GetImageIds())
        {
            _ = root.GetLayer(id).GetJsonValue();
            root.Aufs!.ReadLayerFile(id);
            root.Aufs.GetLayerIds();
        }

        Assert.Throws<ImageNotFoundException>(() => root.ResolveImageId("f00"));
        Assert.NotEmpty(log.Calls);
        Assert.True(log.Mutations.IsEmpty, "mutating calls:\n" + string.Join('\n', log.Mutations));
        Assert.Equal(before, Snapshot(memory));
    }

    [Theory]
    [InlineData("images")]
    [InlineData("images", "--json", "--digests")]
    [InlineData("layers", "redis")]
    [InlineData("history", "busybox", "--json")]
    [InlineData("inspect", "redis")]
    [InlineData("inspect", "c7d9", "--json")]
    [InlineData("layers", "no-such-image")]
    [InlineData("fsck")]
    [InlineData("fsck", "--json")]
    public void EveryReadCommandOfTheCli_MakesNoMutatingCall(params string[] args)
    {
        var memory = new MockFileSystem();
        SampleRoot.Write(memory, "/r", SpecialFileMode.Recorded);
        var before = Snapshot(memory);
        var (spy, log) = SpyFileSystem.Wrap(memory);

        CliRunner.Run(spy, ["--root", "/r", .. args]);

        Assert.NotEmpty(log.Calls);
        Assert.True(log.Mutations.IsEmpty, "mutating calls:\n" + string.Join('\n', log.Mutations));
        Assert.Equal(before, Snapshot(memory));
    }

    [Fact]
    public void TheSpy_SeesAWriteWhenThereIsOne()
    {
        var (spy, log) = SpyFileSystem.Wrap(new MockFileSystem());
        spy.Directory.CreateDirectory("/x");
        using (var stream = spy.FileInfo.New("/x/f").Open(FileMode.OpenOrCreate, FileAccess.ReadWrite))
        {
            stream.WriteByte(1);
        }

        spy.FileInfo.New("/x/f").LastWriteTimeUtc = DateTime.UtcNow;
        Assert.Equal(4, log.Mutations.Count);
    }

    private static List<string> Snapshot(MockFileSystem fs) =>
        [.. fs.AllPaths.Order(StringComparer.Ordinal).Select(p =>
        {
            var file = fs.GetFile(p);
            return $"{p} {file.Attributes} {file.LastWriteTime.Ticks} {file.CreationTime.Ticks} {Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(file.Contents))}";
        })];
}

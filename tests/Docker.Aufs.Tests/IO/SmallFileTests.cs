using System.IO.Abstractions;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.IOTests;

/// <summary>
/// The small metadata files of a root (layer records, image configs, <c>parent</c> files) on the real Linux disk: one
/// <c>lstat</c>, then <c>open</c> with <c>O_NOFOLLOW | O_NONBLOCK</c>, <c>statx</c> of the descriptor, <c>read</c>,
/// <c>close</c>. A link put in place of the file after the <c>lstat</c> fails the open itself, so the file is never read
/// through a link, whenever it appears.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SmallFileTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FileSystem _fileSystem = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void OpenNoFollow_ALinkToARegularFile_FailsWithEloopInsteadOfOpeningTheTarget()
    {
        var target = _temp.Combine("secret");
        File.WriteAllText(target, "host secret");
        var link = _temp.Combine("diff");
        File.CreateSymbolicLink(link, target);

        var descriptor = LinuxNative.OpenNoFollow(link, out var errno);

        Assert.Equal((-1, 40 /* ELOOP */), (descriptor, errno));
    }

    [Fact]
    public void OpenNoFollow_AFifo_OpensWithoutBlockingSoItsTypeCanBeRefused()
    {
        var fifo = _temp.Combine("size");
        LinuxNative.MakeFifo(fifo, 0x1A4);

        var descriptor = LinuxNative.OpenNoFollow(fifo, out _);
        try
        {
            Assert.True(descriptor >= 0);
            Assert.Equal(UnixFileType.Fifo, UnixModes.TypeOf(LinuxNative.Fstat(descriptor, fifo).Mode));
        }
        finally
        {
            LinuxNative.Close(descriptor);
        }
    }

    [Fact]
    public void TryRead_ARegularFile_GivesItsBytesAndNothingForAMissingOne()
    {
        var path = _temp.Combine("cache-id");
        File.WriteAllText(path, new string('a', 64));

        Assert.Equal(new string('a', 64), System.Text.Encoding.UTF8.GetString(SmallFile.TryRead(_fileSystem, path, SmallFile.LineLimit)!));
        Assert.Null(SmallFile.TryRead(_fileSystem, _temp.Combine("parent"), SmallFile.LineLimit));
    }

    [Fact]
    public void Read_AFileLargerThanItsLimit_IsRefusedNamingItsSize()
    {
        var path = _temp.Combine("size");
        File.WriteAllBytes(path, new byte[SmallFile.LineLimit + 1]);

        var e = Assert.Throws<CorruptFileException>(() => SmallFile.Read(_fileSystem, path, SmallFile.LineLimit));

        Assert.Equal(path, e.Path);
        Assert.Contains($"the file is {SmallFile.LineLimit + 1} bytes, more than the {SmallFile.LineLimit} bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_ALinkOrAFifo_IsRefusedAsNoFollowRefusesIt()
    {
        var target = _temp.Combine("target");
        File.WriteAllText(target, "x");
        var link = _temp.Combine("diff");
        File.CreateSymbolicLink(link, target);
        var fifo = _temp.Combine("size");
        LinuxNative.MakeFifo(fifo, 0x1A4);

        Assert.Equal(link, Assert.Throws<UnsafePathException>(() => SmallFile.TryRead(_fileSystem, link, SmallFile.LineLimit)).Path);
        Assert.Contains("is a fifo", Assert.Throws<CorruptFileException>(() => SmallFile.TryRead(_fileSystem, fifo, SmallFile.LineLimit)).Message, StringComparison.Ordinal);
    }
}

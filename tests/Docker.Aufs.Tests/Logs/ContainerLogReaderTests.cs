using System.IO.Abstractions.TestingHelpers;
using System.IO.Compression;
using System.Text;
using Docker.Aufs.IO;
using Docker.Aufs.Logs;
using Docker.Aufs.Testing;

namespace Docker.Aufs.Tests.Logs;

public sealed class ContainerLogReaderTests
{
    private const string Entry = "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2017-12-31T10:00:00Z\"}\n";

    private static (MockFileSystem Fs, IDockerRoot Root, Container Container) Build(Action<ContainerBuilder> configure)
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/docker", SpecialFileMode.Recorded);
        var image = builder.AddLayer(l => l.File("bin/sh", "#!"));
        builder.AddContainer(c => configure(c.Name("web").Image(image)));
        builder.Build();
        var root = DockerRoot.Open(fs, "/docker");
        return (fs, root, root.ResolveContainer("web"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Read_OnDisk_ALogSwappedAfterItsCheckForALinkOrAFifo_IsRefusedNamingIt_NeverFollowedAndNeverHanging(bool fifo)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the race is the Linux kernel's");
        using var temp = new Docker.Aufs.Tests.TestSupport.TempDirectory();
        var disk = new System.IO.Abstractions.FileSystem();
        var builder = new DockerRootBuilder(disk, temp.Combine("docker"));
        var image = builder.AddLayer(l => l.File("bin/sh", "#!"));
        builder.AddContainer(c => c.Name("web").Image(image).RawLog(Encoding.UTF8.GetBytes(Entry)));
        builder.Build();
        var root = DockerRoot.Open(disk, temp.Combine("docker"));
        var container = root.ResolveContainer("web");
        var log = Path.Combine(container.Directory, container.Id + "-json.log");
        var secret = temp.Combine("secret");
        File.WriteAllText(secret, "{\"log\":\"HOST-SECRET\\n\",\"stream\":\"stdout\",\"time\":\"2017-12-31T10:00:00Z\"}\n");
        var swapped = 0;
        RootFile.BeforeOpen.Value = path =>
        {
            if (path == log && swapped++ == 0)
            {
                File.Move(log, temp.Combine("aside"));
                if (fifo)
                {
                    LinuxNative.MakeFifo(log, 0x1A4);
                }
                else
                {
                    File.CreateSymbolicLink(log, secret);
                }
            }
        };
        Task<Exception?> read;
        try
        {
            read = Task.Run(() => Record.Exception(() => new ContainerLogReader(root).Read(container, null, TestContext.Current.CancellationToken).ToList()), TestContext.Current.CancellationToken);
            if (await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken)) != read)
            {
                using (new FileStream(log, FileMode.Open, FileAccess.Write))
                {
                }

                Assert.Fail("the read hung on the fifo");
            }
        }
        finally
        {
            RootFile.BeforeOpen.Value = null;
        }

        Assert.Equal(1, swapped);
        var refused = Assert.IsAssignableFrom<DockerDataException>(await read);
        Assert.Contains("-json.log", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("HOST-SECRET", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ALogFileThatIsASymbolicLink_IsRefusedNotFollowed()
    {
        var (fs, root, container) = Build(_ => { });
        fs.File.WriteAllText("/secret", Entry);
        fs.File.CreateSymbolicLink(fs.Path.Combine(container.Directory, container.Id + "-json.log"), "/secret");

        var error = Assert.Throws<UnsafePathException>(() => new ContainerLogReader(root).Read(container, null, TestContext.Current.CancellationToken).ToList());

        Assert.Contains("-json.log", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_ARotatedFileThatIsASymbolicLink_IsRefusedNotFollowed()
    {
        var (fs, root, container) = Build(c => c.RawLog(Encoding.UTF8.GetBytes(Entry)));
        fs.File.WriteAllText("/secret", Entry);
        fs.File.CreateSymbolicLink(fs.Path.Combine(container.Directory, container.Id + "-json.log.1"), "/secret");

        Assert.Throws<UnsafePathException>(() => new ContainerLogReader(root).Read(container, null, TestContext.Current.CancellationToken).ToList());
    }

    [Fact]
    public void Read_ALineLongerThanTheLimit_StopsWithABoundedBuffer()
    {
        var huge = new byte[ContainerLogReader.MaxLineBytes + (256 * 1024)];
        huge.AsSpan().Fill((byte)'a');
        var (_, root, container) = Build(c => c.RawLog([.. Encoding.UTF8.GetBytes(Entry), .. huge, (byte)'\n', .. Encoding.UTF8.GetBytes(Entry)]));
        var read = new ContainerLogReader(root).Read(container, null, TestContext.Current.CancellationToken);
        var seen = new List<ContainerLogEntry>();

        var error = Assert.Throws<CorruptFileException>(() =>
        {
            foreach (var entry in read)
            {
                seen.Add(entry);
            }
        });

        Assert.Single(seen);
        Assert.True(error.Message.Contains("line 2 is longer than", StringComparison.Ordinal), error.Message);
        Assert.Contains("line 2 is longer than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CompressedRotatedFiles_AreReadInTheirPlace()
    {
        using var gz = new MemoryStream();
        using (var zip = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            zip.Write(Encoding.UTF8.GetBytes(Entry.Replace("x\\n", "zipped\\n", StringComparison.Ordinal)));
        }

        var (fs, root, container) = Build(c => c.RawLog(Encoding.UTF8.GetBytes(Entry.Replace("x\\n", "plain\\n", StringComparison.Ordinal)), 1).RawLog(Encoding.UTF8.GetBytes(Entry)));
        fs.File.WriteAllBytes(fs.Path.Combine(container.Directory, container.Id + "-json.log.2.gz"), gz.ToArray());

        var texts = new ContainerLogReader(root).Read(container, null, TestContext.Current.CancellationToken).Select(e => e.Text).ToList();

        Assert.Equal(["zipped\n", "plain\n", "x\n"], texts);
    }

    [Fact]
    public void Read_ARotatedFileCutShort_IsReportedAndTheNewerFilesStillRead()
    {
        var (_, root, container) = Build(c => c.RawLog(Encoding.UTF8.GetBytes(Entry + "{\"log\":\"cu"), 1).RawLog(Encoding.UTF8.GetBytes(Entry.Replace("x\\n", "newer\\n", StringComparison.Ordinal))));
        var read = new ContainerLogReader(root).Read(container, null, TestContext.Current.CancellationToken);

        var texts = read.Select(e => e.Text).ToList();

        Assert.Equal(["x\n", "newer\n"], texts);
        Assert.EndsWith("-json.log.1", read.TruncatedLastLine, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_KeysAreMatchedAsGoMatchesThem_CaseInsensitiveAndTheLastWins()
    {
        var (_, root, container) = Build(c => c.RawLog(Encoding.UTF8.GetBytes("{\"LOG\":\"first\\n\",\"Log\":\"second\\n\",\"Stream\":\"stderr\",\"TIME\":\"2017-12-31T11:00:00.5+01:00\",\"attrs\":{\"a\":\"b\"}}\n")));

        var entry = Assert.Single(new ContainerLogReader(root).Read(container, null, TestContext.Current.CancellationToken));

        Assert.Equal(("second\n", "stderr"), (entry.Text, entry.Stream));
        Assert.Equal("2017-12-31T11:00:00.5+01:00", entry.TimeText);
        Assert.Equal("2017-12-31T11:00:00.500000000+01:00", entry.FormatFixedTimestamp());
        Assert.Equal(new LogTimestamp(1514714400, 500_000_000), entry.Time);
    }

    [Theory]
    [InlineData("{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"yesterday\"}\n", "not RFC 3339")]
    [InlineData("{\"log\":5,\"stream\":\"stdout\"}\n", "\"log\" is not a string")]
    [InlineData("[1,2]\n", "a JSON object")]
    [InlineData("{\"log\":\"x\"} trailing\n", "line 1")]
    public void Read_ALineThatIsNoEntry_RaisesCorruptFileNamingTheLine(string content, string expected)
    {
        var (_, root, container) = Build(c => c.RawLog(Encoding.UTF8.GetBytes(content)));

        var error = Assert.Throws<CorruptFileException>(() => new ContainerLogReader(root).Read(container, null, TestContext.Current.CancellationToken).ToList());

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LoggingOff_SaysDockerKeptNoLog()
    {
        var (_, root, container) = Build(c => c.RawHostConfig("{\"LogConfig\":{\"Type\":\"none\"}}"));

        var error = Assert.Throws<NotSupportedException>(() => new ContainerLogReader(root).Read(container, null, TestContext.Current.CancellationToken));

        Assert.Contains("logging off", error.Message, StringComparison.Ordinal);
    }
}

using System.Diagnostics;
using System.IO.Abstractions;
using System.IO.Compression;
using System.Text;
using Docker.Aufs.Archive;
using Docker.Aufs.Cli;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Archive;

/// <summary>
/// Import from a stream (issue 16, class 11): the archive is read once, from wherever it comes — a pipe, a fifo, standard
/// input, gzip-compressed or not — and a valid archive is never called damaged; a stream that ends early is named as cut short.
/// </summary>
public sealed class ImageImporterStreamTests : IDisposable
{
    private static readonly string Id = Ids.Of("streamed");

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    private string Target => _temp.Combine("root");

    private static byte[] Layer => new TarBytes().File("etc/hostname", "streamed\n").Build();

    private static byte[] SaveArchive => new TarBytes()
        .Directory(Id)
        .File(Id + "/json", $"{{\"id\":\"{Id}\"}}")
        .Entry(Id + "/layer.tar", TarType.Regular, 0x81A4, Layer)
        .File("repositories", $"{{\"streamed\":{{\"latest\":\"{Id}\"}}}}")
        .Build();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImportStream_FromAStreamThatCannotSeek_ReadsItOnceAndImportsIt(bool gzip)
    {
        using var stream = new OneWayStream(gzip ? Gzip(SaveArchive) : SaveArchive);

        var result = ImageImporter.ImportStream(new FileSystem(), stream, "standard input", Target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["streamed:latest"], Assert.Single(result.Images).RepoTags);
        Assert.Equal("streamed\n", File.ReadAllText(Path.Combine(Target, "aufs", "diff", Id, "etc", "hostname")));
        Assert.False(File.Exists(Path.Combine(Target, ".archive.tar")));
        Assert.Equal(Digests.Sha256(Layer), ImageImporterTests.Digests(new FileSystem(), LinuxMetadataProvider.Instance, Target, Id).Layers[0].DiffId);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Import_FromAFifoWithAWriter_OpensItOnceAndImportsIt(bool gzip)
    {
        var fifo = _temp.Combine("archive.fifo");
        LinuxNative.MakeFifo(fifo, 0x180);
        var bytes = gzip ? Gzip(SaveArchive) : SaveArchive;
        var writer = Task.Run(() =>
        {
            // One writer, writing once: an import that opened the fifo a second time would wait for another writer forever.
            using var output = new FileStream(fifo, FileMode.Open, FileAccess.Write);
            output.Write(bytes);
        }, TestContext.Current.CancellationToken);

        var import = Task.Run(() => ImageImporter.Import(new FileSystem(), fifo, Target, cancellationToken: TestContext.Current.CancellationToken), TestContext.Current.CancellationToken);
        var result = await import.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        await writer;

        Assert.Equal(["streamed:latest"], Assert.Single(result.Images).RepoTags);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImportCommand_WithDashReadsStandardInput_PlainOrGzip(bool gzip)
    {
        using var input = new OneWayStream(gzip ? Gzip(SaveArchive) : SaveArchive);

        var (exit, output, error) = Run(input, "import", "-", "--into", Target);

        Assert.True(exit == 0, error);
        Assert.Contains("streamed:latest", output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Target, "aufs", "diff", Id, "etc", "hostname")));
    }

    [Theory]
    [InlineData(false, 700)]
    [InlineData(false, 1200)]
    [InlineData(false, 2600)]
    [InlineData(true, 40)]
    [InlineData(true, 200)]
    public void ImportCommand_AStreamCutShort_IsOneLineNamingStandardInputAndLeavesNothing(bool gzip, int keep)
    {
        var bytes = gzip ? Gzip(SaveArchive) : SaveArchive;
        using var input = new OneWayStream(bytes[..keep]);

        var (exit, _, error) = Run(input, "import", "-", "--into", Target);

        Assert.Equal(1, exit);
        var line = Assert.Single(error.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("docker-aufs: standard input", line, StringComparison.Ordinal);
        Assert.True(line.Contains("cut short", StringComparison.Ordinal) || line.Contains("the archive ends inside", StringComparison.Ordinal), line);
        Assert.False(Directory.Exists(Target));
        Assert.DoesNotContain(Directory.EnumerateFileSystemEntries(_temp.Path), e => Path.GetFileName(e).StartsWith(".root.tmp-", StringComparison.Ordinal));
    }

    /// <summary><c>import /dev/zero</c> once copied zeros until the disk was full (review of issue 16, F1).</summary>
    [Fact]
    public void ImportCommand_AnEndlessStreamOfZeros_StopsAtItsFirstBlocksAsAnEmptyArchive()
    {
        using var input = new EndlessStream(prefix: [], fill: 0);

        var (exit, _, error) = Run(input, "import", "-", "--into", Target);

        Assert.Equal(1, exit);
        Assert.StartsWith("docker-aufs: standard input", error, StringComparison.Ordinal);
        Assert.True(input.BytesRead < 64 * 1024, $"read {input.BytesRead} bytes");
        Assert.False(Directory.Exists(Target));
    }

    /// <summary>Go's tar reader, and so <c>docker load</c>, stops at the end-of-archive blocks; whatever follows is never read.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(0x41)]
    public void ImportStream_AnArchiveFollowedByEndlessData_ImportsTheArchiveAndReadsNoFurther(byte fill)
    {
        using var input = new EndlessStream(SaveArchive, fill);

        var result = ImageImporter.ImportStream(new FileSystem(), input, "standard input", Target, cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(["streamed:latest"], Assert.Single(result.Images).RepoTags);
        Assert.True(input.BytesRead < SaveArchive.Length + StepCopy.StepSize, $"read {input.BytesRead} bytes");
    }

    [Theory]
    [InlineData("0000000000\0", 0L)]
    [InlineData("00000001750\0", 1000L)]
    [InlineData("        17 ", 15L)]
    [InlineData("17777777777\0", 2147483647L)]
    [InlineData("0000000z750\0", null)]
    public void TarSpool_ReadsTheSizeFieldAsGoDoes(string field, long? expected)
    {
        var header = new byte[512];
        Encoding.ASCII.GetBytes(field).CopyTo(header, 124);
        header[156] = (byte)'0';

        Assert.Equal(expected, TarSpool.DataSize(header));

        header[156] = (byte)'5'; // a directory: header only, whatever the field says
        Assert.Equal(0L, TarSpool.DataSize(header));
    }

    [Fact]
    public async Task TheCli_ImportsAGzipArchivePipedIntoItsStandardInput()
    {
        var cli = Path.Combine(Path.GetDirectoryName(typeof(CliApp).Assembly.Location)!, "docker-aufs.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { cli, "import", "-", "--into", Target })
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.StandardInput.BaseStream.WriteAsync(Gzip(SaveArchive), TestContext.Current.CancellationToken);
        process.StandardInput.Close();
        await process.WaitForExitAsync(TestContext.Current.CancellationToken).WaitAsync(TimeSpan.FromSeconds(120), TestContext.Current.CancellationToken);

        Assert.True(process.ExitCode == 0, await error);
        Assert.Contains("streamed:latest", await output, StringComparison.Ordinal);
    }

    private static (int Exit, string Out, string Err) Run(Stream input, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = CliApp.Run(args, new CliEnvironment(output, error, TimeProvider.System, new FileSystem(), new MemoryStream()) { StandardInput = input });
        return (exit, output.ToString(), error.ToString());
    }

    private static byte[] Gzip(byte[] bytes)
    {
        using var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return compressed.ToArray();
    }

    /// <summary>A prefix, then the same byte forever; counts what was read.</summary>
    private sealed class EndlessStream(byte[] prefix, byte fill) : ReadOnlyStream
    {
        public long BytesRead { get; private set; }

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(buffer.Length, 4096);
            for (var i = 0; i < count; i++)
            {
                buffer[i] = BytesRead + i < prefix.Length ? prefix[BytesRead + i] : fill;
            }

            BytesRead += count;
            return count;
        }
    }

    /// <summary>A pipe's view of bytes: read once, forward only; seeking, a length or a position throw.</summary>
    private sealed class OneWayStream(byte[] bytes) : ReadOnlyStream
    {
        private int _position;

        public override int Read(Span<byte> buffer)
        {
            var count = Math.Min(Math.Min(buffer.Length, 4096), bytes.Length - _position);
            bytes.AsSpan(_position, count).CopyTo(buffer);
            _position += count;
            return count;
        }
    }
}

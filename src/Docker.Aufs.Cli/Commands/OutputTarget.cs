using System.IO.Abstractions;
using Docker.Aufs.IO;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// The <c>-o</c> of a writer, decided once before any work (docs/hostile-input.md, "Outputs"): <c>-</c> (or
/// <c>/dev/stdout</c>, <c>/dev/fd/1</c>, <c>/proc/self/fd/1</c>) is standard output (refused when it is a terminal; a file
/// the shell opened inside the root is refused for every command, by <see cref="CliApp.Execute"/>); a fifo or device, or a link to one (<c>/dev/stdout</c>), is written as a stream and never
/// replaced; anything else is a file written beside its path and renamed into place when complete. Outputs inside the
/// Docker root are refused by identity (<see cref="OutputGuard"/>).
/// </summary>
internal sealed class OutputTarget
{
    private readonly Session _session;

    private OutputTarget(Session session, string? path, bool isStandardOutput)
    {
        _session = session;
        Path = path;
        IsStandardOutput = isStandardOutput;
    }

    /// <summary>Gets the full path of a file, fifo or device output; <see langword="null"/> for standard output.</summary>
    public string? Path { get; }

    /// <summary>Gets whether the output is standard output (so summaries go to stderr).</summary>
    public bool IsStandardOutput { get; }

    /// <summary>Gets whether the output is written as a stream (standard output, a fifo, a device) rather than a file.</summary>
    public bool IsStream { get; private init; }

    /// <summary>Gets the output as a user reads it in messages.</summary>
    public string Shown => Path ?? "standard output";

    /// <summary>Where summaries go: stderr when the data itself goes to standard output.</summary>
    public TextWriter SummaryWriter => IsStandardOutput ? _session.Environment.Error : _session.Out;

    /// <summary>Decides what <paramref name="value"/> names; <paramref name="rootFileSystem"/> and <paramref name="rootPath"/> name the root to protect.</summary>
    /// <exception cref="IOException">The output is refused: inside the root, a directory, a socket, a link to a file, or a terminal.</exception>
    public static OutputTarget Resolve(Session session, string value, IFileSystem? rootFileSystem, string? rootPath)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new IOException("-o needs a file to write, or '-' for standard output");
        }

        // /dev/stdout and its other names are standard output: a link to whatever the shell opened, which is checked as '-' is.
        if (value == "-" || OutputGuard.IsStandardOutputName(value))
        {
            if (session.Environment.OutputIsTerminal)
            {
                throw new IOException("refusing to write an archive to a terminal: redirect standard output (> FILE, | COMMAND) or give -o FILE");
            }

            return new OutputTarget(session, null, isStandardOutput: true) { IsStream = true };
        }

        var fileSystem = session.Environment.FileSystem;
        var kind = OutputGuard.Check(fileSystem, value, rootFileSystem, rootPath, out var full);
        return new OutputTarget(session, full, isStandardOutput: false) { IsStream = kind == OutputKind.Stream };
    }

    /// <summary>Opens a stream output: standard output, or the fifo or device, opened for writing without creating or truncating anything.</summary>
    public Stream OpenStream() => IsStandardOutput
        ? new NonClosingStream(_session.Environment.OpenStandardOutput())
        : _session.Environment.FileSystem.FileStream.New(Path!, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1);

    /// <summary>
    /// Writes through a file-only writer (save, layer-tar) to a stream output: the writer fills a spool file in the temporary
    /// directory (removed however the command ends), which is then copied to the stream. The writers patch headers in place,
    /// so they need a file that can seek.
    /// </summary>
    public T ThroughSpool<T>(Func<string, T> write, CancellationToken cancellationToken)
    {
        var fileSystem = _session.Environment.FileSystem;
        var spool = fileSystem.Path.Combine(fileSystem.Path.GetTempPath(), "docker-aufs-" + Guid.NewGuid().ToString("N")[..12] + ".tar");
        PendingOutputs.Add(fileSystem, spool, isDirectory: false);
        try
        {
            var result = write(spool);
            using (var input = fileSystem.FileStream.New(spool, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
            using (var output = OpenStream())
            {
                StepCopy.Copy(input, output, cancellationToken);
            }

            return result;
        }
        finally
        {
            try
            {
                fileSystem.File.Delete(spool);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the spool is in the temporary directory.
            }

            PendingOutputs.Remove(spool);
        }
    }

    /// <summary>Standard output, left open when the writer disposes its stream.</summary>
    private sealed class NonClosingStream(Stream inner) : WriteOnlyStream
    {
        public override void Flush() => inner.Flush();

        public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Flush();
            }

            base.Dispose(disposing);
        }
    }
}

using Docker.Aufs.Archive;

namespace Docker.Aufs.Cli.Output;

/// <summary>
/// Passes writes through to <paramref name="inner"/> and reports the bytes written so far, for a writer whose library call
/// reports no progress of its own (<c>export</c>: the merged view's size is not known before it is walked).
/// </summary>
internal sealed class ProgressStream(Stream inner, IProgress<ArchiveProgress> progress) : Docker.Aufs.IO.WriteOnlyStream
{
    private long _written;

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        _written += buffer.Length;
        progress.Report(new ArchiveProgress { LayerId = string.Empty, BytesDone = _written }); // no layers: the merged view as a whole
    }

    public override void Flush() => inner.Flush();
}

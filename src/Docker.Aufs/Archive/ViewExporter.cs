using System.Buffers;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Docker.Aufs.Union;
using Microsoft.Extensions.Logging;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Archive;

/// <summary>
/// Writes a merged view as one uncompressed tar, what <c>docker export</c> gives for a container (moby v1.9.1
/// <c>daemon/export.go</c>: <c>archive.Tar</c> of the mounted root file system): every entry below the root in
/// <see cref="UnionView.EnumerateRecursive"/> order, names relative without <c>./</c>, directories with a trailing
/// <c>/</c>, through the same Go-exact writer as layer tars (<see cref="TarEntryWriter"/>). Sockets are skipped, as Docker's
/// tar writer skips them. File contents are streamed from their branches; nothing is buffered whole.
/// </summary>
internal static class ViewExporter
{
    public static async ValueTask<long> ExportAsync<TIo>(UnionView view, Stream output, ILogger logger, CancellationToken cancellationToken)
        where TIo : struct, IIoMode
    {
        var buffer = ArrayPool<byte>.Shared.Rent(TarSplitAssembler.BufferSize);
        try
        {
            using var writer = new TarEntryWriter(view.FileSystem, view.Metadata, new StreamTarOutput(output), buffer, logger);
            var options = TIo.IsAsync ? FileOptions.Asynchronous | FileOptions.SequentialScan : FileOptions.SequentialScan;
            long count = 0;
            foreach (var entry in view.EnumerateRecursive())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var status = entry.Status;
                if (status.Type == UnixFileType.Socket)
                {
                    Log.ExportSkippedSocket(logger, entry.Path);
                    continue;
                }

                var (directory, relative) = view.SplitSource(entry);
                await writer.WriteEntryAsync<TIo>(status, entry.Path, directory, relative, null, options, cancellationToken).ConfigureAwait(false);
                count++;
            }

            await writer.FinishAsync<TIo>(null, cancellationToken).ConfigureAwait(false);
            return count;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}

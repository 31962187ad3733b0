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
    public static ValueTask<long> ExportAsync<TIo>(UnionView view, Stream output, ILogger logger, CancellationToken cancellationToken)
        where TIo : struct, IIoMode =>
        ExportMembersAsync<TIo>(view.FileSystem, view.Metadata, view.EnumerateRecursive().Select(e => new ArchiveMember(e.Path, e)), output, logger, cancellationToken, view);

    /// <summary>
    /// Writes <paramref name="members"/> in their order, each under its name, through the same writer; sockets skipped. File
    /// content is opened relative to the directory of its branch (of <paramref name="view"/> when the members are its
    /// entries, else each file's own directory) and checked against its listing (<see cref="LayerFileOpener"/>).
    /// </summary>
    public static async ValueTask<long> ExportMembersAsync<TIo>(System.IO.Abstractions.IFileSystem fileSystem, IUnixMetadataProvider metadata, IEnumerable<ArchiveMember> members,
        Stream output, ILogger logger, CancellationToken cancellationToken, UnionView? view = null)
        where TIo : struct, IIoMode
    {
        var buffer = ArrayPool<byte>.Shared.Rent(TarSplitAssembler.BufferSize);
        try
        {
            using var writer = new TarEntryWriter(fileSystem, metadata, new StreamTarOutput(output), buffer, logger, portable: true);
            var options = TIo.IsAsync ? FileOptions.Asynchronous | FileOptions.SequentialScan : FileOptions.SequentialScan;
            long count = 0;
            foreach (var member in members)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entry = member.Entry;
                var status = entry.Status;
                if (status.Type == UnixFileType.Socket)
                {
                    Log.ExportSkippedSocket(logger, member.Name);
                    continue;
                }

                var (directory, relative) = view is not null ? view.SplitSource(entry) : UnionView.SplitByParent(entry.SourcePath);
                await writer.WriteEntryAsync<TIo>(status, member.Name, directory, relative, null, options, cancellationToken).ConfigureAwait(false);
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

using Docker.Aufs.Archive;
using Docker.Aufs.Drivers;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.IO;
using Docker.Aufs.Union;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Merged views opened at the driver level, and exports of views, without a whole root.</summary>
internal static class AufsViews
{
    /// <summary>The view of a layer of an AUFS driver directory, read with <paramref name="metadata"/>.</summary>
    public static UnionView Open(AufsDriver driver, string layerId, IUnixMetadataProvider metadata, ILoggerFactory? logs = null) =>
        new AufsDriver(new DriverContext(driver.FileSystem, driver.Context.Root, driver.Directory, metadata,
            (logs ?? NullLoggerFactory.Instance).CreateLogger("Docker.Aufs"))).OpenLayerView(layerId);

    /// <summary>Every entry of a view with what a reader sees of it (type, mode, owner, size, link, time), to compare views of different drivers.</summary>
    public static List<string> Describe(UnionView view) =>
        [.. view.EnumerateRecursive().Select(e => $"{e.Path} {e.Type} {Convert.ToString(e.Permissions, 8)} {e.Uid}:{e.Gid} {e.Size} {e.LinkTarget} {e.ModifiedTime:O}")];

    /// <summary>A view over branch directories, top first.</summary>
    public static UnionView Over(System.IO.Abstractions.IFileSystem fileSystem, IUnixMetadataProvider metadata, IReadOnlyList<UnionBranch> branches) =>
        new(fileSystem, metadata, branches, NullLogger.Instance);

    /// <summary>Writes a view as <c>docker export</c> does (<see cref="ImageArchiver.Export"/>, without a root).</summary>
    public static long WriteTar(this UnionView view, Stream output, CancellationToken cancellationToken = default) =>
        IoRun.Sync(ViewExporter.ExportAsync<SyncIo>(view, output, NullLogger.Instance, cancellationToken));

    /// <summary>Asynchronously writes a view as <c>docker export</c> does.</summary>
    public static Task<long> WriteTarAsync(this UnionView view, Stream output, CancellationToken cancellationToken = default) =>
        ViewExporter.ExportAsync<AsyncIo>(view, output, NullLogger.Instance, cancellationToken).AsTask();
}

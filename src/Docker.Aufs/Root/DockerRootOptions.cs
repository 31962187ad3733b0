using Docker.Aufs.IO;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs;

/// <summary>Options for <see cref="DockerRoot.Open(System.IO.Abstractions.IFileSystem, string?, DockerRootOptions?)"/>. Change with <c>with { … }</c>.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record DockerRootOptions
{
    /// <summary>Gets the default options: detect the driver, strict chains, no logging.</summary>
    public static DockerRootOptions Default { get; } = new();

    /// <summary>
    /// Gets the storage driver whose data to read (<c>aufs</c>, <c>overlay</c>, <c>vfs</c>, …), or <see langword="null"/> to
    /// detect it as Docker does: the one driver whose directory the root holds (<c>vfs</c> only when no other), refusing a
    /// root that holds several; with no driver directory, the one driver the root has a 1.10+ image store for.
    /// </summary>
    public string? Driver { get; init; }

    /// <summary>
    /// Gets the image store to read, or <see langword="null"/> to choose as Docker does: the content-addressed store of
    /// Docker 1.10+ (<c>image/&lt;driver&gt;/</c>) when the root has one, else the graph era's <c>graph/</c>. Naming
    /// <see cref="ImageStoreKind.Graph"/> reads the <c>graph/</c> a 1.10+ Docker left behind after migrating it (images that
    /// failed to migrate are only there).
    /// </summary>
    public ImageStoreKind? Store { get; init; }

    /// <summary>Gets the logger factory for warnings about the data (skipped images, unreadable tag stores), or <see langword="null"/> for none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Gets the source of owner, inode and device facts, or <see langword="null"/> for the default:
    /// <see cref="LinuxMetadataProvider"/> on the real file system on Linux, <see cref="FileSystemMetadataProvider"/> otherwise.
    /// </summary>
    public IUnixMetadataProvider? Metadata { get; init; }

    /// <summary>
    /// Gets whether a disagreement between the image store's chain (<c>graph/</c> parents, <c>layerdb</c>) and the driver's
    /// own chain (<c>aufs/layers/&lt;id&gt;</c>), or a missing <c>diff/</c> directory, is an error (<see langword="true"/>,
    /// the default) or a logged warning after which the store's chain is used.
    /// </summary>
    public bool StrictChains { get; init; } = true;
}

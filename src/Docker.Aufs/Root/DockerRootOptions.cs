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
    /// detect it as Docker 1.9 does: the first of <c>aufs, btrfs, zfs, devicemapper, overlay</c> whose directory exists,
    /// refusing a root that holds several.
    /// </summary>
    public string? Driver { get; init; }

    /// <summary>Gets the logger factory for warnings about the data (skipped images, unreadable tag stores), or <see langword="null"/> for none.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Gets the source of owner, inode and device facts, or <see langword="null"/> for the default:
    /// <see cref="LinuxMetadataProvider"/> on the real file system on Linux, <see cref="FileSystemMetadataProvider"/> otherwise.
    /// </summary>
    public IUnixMetadataProvider? Metadata { get; init; }

    /// <summary>
    /// Gets whether a disagreement between the <c>graph/</c> parent chain and the driver's own chain
    /// (<c>aufs/layers/&lt;id&gt;</c>), or a missing <c>diff/</c> directory, is an error (<see langword="true"/>, the default)
    /// or a logged warning after which the <c>graph/</c> chain is used.
    /// </summary>
    public bool StrictChains { get; init; } = true;
}

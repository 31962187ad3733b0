using System.Globalization;
using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary>
/// One read-only layer of <c>layerdb/sha256/&lt;chain hex&gt;/</c>, read as Docker's <c>loadLayer</c> reads it: <c>diff</c>,
/// <c>size</c> and <c>cache-id</c> are required, <c>parent</c> is optional; any of them unreadable makes the layer
/// unloadable (docs/format/content-addressed.md §5).
/// </summary>
/// <param name="ChainId">The ChainID (<c>sha256:…</c>), from the directory name.</param>
/// <param name="Directory">The full path of the layer's directory.</param>
/// <param name="DiffId">The DiffID in <c>diff</c>.</param>
/// <param name="Size">The size in <c>size</c>.</param>
/// <param name="CacheId">The layer's directory name in the storage driver, from <c>cache-id</c>.</param>
/// <param name="Parent">The parent's ChainID from <c>parent</c>, or <see langword="null"/> for a base layer.</param>
/// <param name="HasTarSplit">Whether <c>tar-split.json.gz</c> is there (a regular file).</param>
internal sealed record CasLayer(string ChainId, string Directory, string DiffId, long Size, string CacheId, string? Parent, bool HasTarSplit)
{
    /// <summary>The most a one-line file of the layer store can plausibly hold.</summary>
    private const int LineLimit = SmallFile.LineLimit;

    /// <summary>Reads the layer whose ChainID is <paramref name="chainId"/> (a valid <c>sha256:</c> digest).</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such layer directory.</exception>
    /// <exception cref="CorruptFileException">A required file is missing or does not hold what Docker accepts.</exception>
    /// <exception cref="UnsafePathException">The directory or one of its files is a symbolic link (never followed).</exception>
    public static CasLayer Read(IFileSystem fileSystem, string layersDirectory, string chainId)
    {
        var directory = fileSystem.Path.Combine(layersDirectory, Digests.Hex(chainId));
        if (!NoFollow.IsDirectory(fileSystem, directory))
        {
            throw new DirectoryNotFoundException($"There is no layer directory {directory}.");
        }

        var diff = ReadDigest(fileSystem, directory, CasLayout.DiffFile, required: true)!;
        var size = ReadSize(fileSystem, fileSystem.Path.Combine(directory, CasLayout.SizeFile));
        var cacheId = ReadDriverId(fileSystem, fileSystem.Path.Combine(directory, CasLayout.CacheIdFile), required: true, init: false)!;
        var parent = ReadDigest(fileSystem, directory, CasLayout.ParentFile, required: false);
        var tarSplit = fileSystem.Path.Combine(directory, CasLayout.TarSplitFile);
        return new CasLayer(chainId, directory, diff, size, cacheId, parent, NoFollow.IsRegularFile(fileSystem, tarSplit));
    }

    /// <summary>Gets the full path of the layer's <c>tar-split.json.gz</c>.</summary>
    public string TarSplitPath => Directory + "/" + CasLayout.TarSplitFile;

    /// <summary>
    /// Reads a digest file as the layer store does (<c>digest.Parse(strings.TrimSpace(content))</c>), or
    /// <see langword="null"/> when an optional one is missing.
    /// </summary>
    internal static string? ReadDigest(IFileSystem fileSystem, string directory, string name, bool required)
    {
        var path = fileSystem.Path.Combine(directory, name);
        if (ReadTrimmed(fileSystem, path, required) is not { } text)
        {
            return null;
        }

        return Digests.Problem(text) is { } problem
            ? throw new CorruptFileException(path, $"holds '{DockerIds.Printable(text)}', which is not a digest ({problem})")
            : text;
    }

    /// <summary>
    /// Reads a driver layer name (<c>cache-id</c>, <c>mount-id</c>, <c>init-id</c>): 64 lowercase hex characters (and
    /// <c>-init</c> for an init layer), as Docker's own names always are. Anything else is refused before a path is built
    /// from it.
    /// </summary>
    internal static string? ReadDriverId(IFileSystem fileSystem, string path, bool required, bool init)
    {
        if (ReadTrimmed(fileSystem, path, required) is not { } text)
        {
            return null;
        }

        var valid = init ? DockerIds.IsLayerId(text) && text.EndsWith(DockerIds.InitSuffix, StringComparison.Ordinal) : DockerIds.IsId(text);
        return valid ? text : throw new CorruptFileException(path,
            $"holds '{DockerIds.Printable(text)}', which is not a storage driver layer name (64 lowercase hex characters{(init ? " and -init" : string.Empty)})");
    }

    /// <summary>Reads <c>size</c> as <c>strconv.ParseInt(content, 10, 64)</c>: an optional sign and decimal digits, nothing around them.</summary>
    private static long ReadSize(IFileSystem fileSystem, string path)
    {
        var text = System.Text.Encoding.UTF8.GetString(SmallFile.TryRead(fileSystem, path, LineLimit) ?? throw Missing(path));
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var size)
            ? size
            : throw new CorruptFileException(path, $"holds '{DockerIds.Printable(text)}', which is not a decimal size (Docker reads it without trimming)");
    }

    private static string? ReadTrimmed(IFileSystem fileSystem, string path, bool required)
    {
        // One lstat answers "is it there" and "is it a regular file"; Go's strings.TrimSpace trims what .NET's Trim does.
        return SmallFile.TryRead(fileSystem, path, LineLimit) is { } bytes ? System.Text.Encoding.UTF8.GetString(bytes).Trim()
            : required ? throw Missing(path)
            : null;
    }

    private static CorruptFileException Missing(string path) => new(path, "is missing");
}

/// <summary>
/// A container's read-write layer record, <c>layerdb/mounts/&lt;container id&gt;/</c> (docs/format/content-addressed.md §7.1):
/// its layer and init layer in the storage driver and the ChainID of the image layer below them.
/// </summary>
/// <param name="ContainerId">The container ID (the directory name).</param>
/// <param name="Directory">The full path of the mount's directory.</param>
/// <param name="MountId">The driver layer holding the container's changes.</param>
/// <param name="InitId">The driver layer of its init layer, or <see langword="null"/> when the mount has none.</param>
/// <param name="Parent">The ChainID of the image's top layer, or <see langword="null"/> for a container of an image without layers.</param>
internal sealed record CasMount(string ContainerId, string Directory, string MountId, string? InitId, string? Parent)
{
    /// <summary>Reads the mount of container <paramref name="containerId"/>.</summary>
    /// <exception cref="DirectoryNotFoundException">There is no such mount directory.</exception>
    /// <exception cref="CorruptFileException"><c>mount-id</c> is missing, or a file does not hold what Docker accepts.</exception>
    /// <exception cref="UnsafePathException">The directory or one of its files is a symbolic link (never followed).</exception>
    public static CasMount Read(IFileSystem fileSystem, string mountsDirectory, string containerId)
    {
        var directory = fileSystem.Path.Combine(mountsDirectory, containerId);
        if (!NoFollow.IsDirectory(fileSystem, directory))
        {
            throw new DirectoryNotFoundException($"There is no mount directory {directory}.");
        }

        var mountId = CasLayer.ReadDriverId(fileSystem, fileSystem.Path.Combine(directory, CasLayout.MountIdFile), required: true, init: false)!;
        var initId = CasLayer.ReadDriverId(fileSystem, fileSystem.Path.Combine(directory, CasLayout.InitIdFile), required: false, init: true);
        var parent = CasLayer.ReadDigest(fileSystem, directory, CasLayout.ParentFile, required: false);
        return new CasMount(containerId, directory, mountId, initId, parent);
    }
}

using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Drivers.Aufs;

/// <summary>
/// The AUFS driver's directory <c>&lt;root&gt;/aufs</c>: <c>layers/&lt;id&gt;</c> (ancestor lists), <c>diff/&lt;id&gt;</c>
/// (each layer's own files, the AUFS branch) and <c>mnt/&lt;id&gt;</c> (mount points, empty on a stopped host). It knows
/// layers and branches, not images. Every ID is validated before a path is built from it.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed class AufsDriver
{
    /// <summary>The driver's name, also the name of its directory and the suffix of its tag store.</summary>
    public const string Name = "aufs";

    /// <summary>Initializes a new instance over <paramref name="directory"/> (normally <c>&lt;root&gt;/aufs</c>).</summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="directory">The full path of the driver's directory.</param>
    public AufsDriver(IFileSystem fileSystem, string directory)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(directory);
        FileSystem = fileSystem;
        Directory = directory;
        LayersDirectory = fileSystem.Path.Combine(directory, "layers");
        DiffDirectory = fileSystem.Path.Combine(directory, "diff");
        MountDirectory = fileSystem.Path.Combine(directory, "mnt");
    }

    /// <summary>Gets the file system.</summary>
    public IFileSystem FileSystem { get; }

    /// <summary>Gets the full path of the driver's directory.</summary>
    public string Directory { get; }

    /// <summary>Gets the full path of <c>layers/</c>.</summary>
    public string LayersDirectory { get; }

    /// <summary>Gets the full path of <c>diff/</c>.</summary>
    public string DiffDirectory { get; }

    /// <summary>Gets the full path of <c>mnt/</c>.</summary>
    public string MountDirectory { get; }

    /// <summary>Returns the path of <c>layers/&lt;id&gt;</c>.</summary>
    /// <param name="id">A layer ID.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetLayerFilePath(string id) => FileSystem.Path.Combine(LayersDirectory, Validate(id));

    /// <summary>Returns the path of <c>diff/&lt;id&gt;</c>, the layer's branch.</summary>
    /// <param name="id">A layer ID.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetDiffPath(string id) => FileSystem.Path.Combine(DiffDirectory, Validate(id));

    /// <summary>Returns the path of <c>mnt/&lt;id&gt;</c>, the layer's mount point.</summary>
    /// <param name="id">A layer ID.</param>
    /// <returns>The full path.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetMountPath(string id) => FileSystem.Path.Combine(MountDirectory, Validate(id));

    /// <summary>Returns whether the driver has the layer: Docker's <c>Exists</c> is "<c>layers/&lt;id&gt;</c> exists".</summary>
    /// <param name="id">A layer ID.</param>
    /// <returns>Whether <c>layers/&lt;id&gt;</c> exists.</returns>
    public bool Exists(string id) => FileSystem.File.Exists(GetLayerFilePath(id));

    /// <summary>Reads <c>layers/&lt;id&gt;</c>.</summary>
    /// <param name="id">A layer ID.</param>
    /// <returns>The ancestors.</returns>
    /// <exception cref="CorruptFileException">A line is not a layer ID.</exception>
    /// <exception cref="UnsafePathException">A line looks like a path.</exception>
    /// <exception cref="FileNotFoundException">The driver does not have the layer.</exception>
    public AufsLayerFile ReadLayerFile(string id) => AufsLayerFile.Read(FileSystem, GetLayerFilePath(id), id);

    /// <summary>Lists the layer IDs in <c>layers/</c> (names that are not layer IDs are skipped), sorted.</summary>
    /// <returns>The IDs; empty when <c>layers/</c> does not exist.</returns>
    public IReadOnlyList<string> GetLayerIds()
    {
        if (!FileSystem.Directory.Exists(LayersDirectory))
        {
            return [];
        }

        var ids = new List<string>();
        foreach (var path in FileSystem.Directory.EnumerateFiles(LayersDirectory))
        {
            var name = FileSystem.Path.GetFileName(path);
            if (DockerIds.IsLayerId(name))
            {
                ids.Add(name);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    /// <summary>
    /// Where a layer's files are: <c>diff/&lt;id&gt;</c> itself, or, when that is a symbolic link left by the Docker 0.7
    /// migration (<c>graph/&lt;id&gt;/layer</c> or <c>containers/&lt;id&gt;/rw</c>), its target inside the Docker root, each
    /// component of which must be a real directory. A link written with the absolute path of a root that has since moved is
    /// re-rooted; any other link is refused. The one place a link in the driver's directories is followed.
    /// </summary>
    /// <returns>The directory to read and what <c>lstat</c> says it is (<see langword="null"/> when <c>diff/&lt;id&gt;</c> does not exist).</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    /// <exception cref="UnsafePathException"><c>diff/&lt;id&gt;</c> is a symbolic link to anywhere else.</exception>
    /// <exception cref="BrokenLayerChainException">The migration link's target is not a real directory in the Docker root.</exception>
    internal ResolvedBranch ResolveBranch(string id, IUnixMetadataProvider metadata, ILogger logger)
    {
        var diff = GetDiffPath(id);
        if (!metadata.TryGetStatus(diff, out var status))
        {
            return new ResolvedBranch(diff, null);
        }

        if (status.Type != UnixFileType.SymbolicLink)
        {
            return new ResolvedBranch(diff, status.Type);
        }

        var fs = FileSystem;
        var root = fs.Path.GetDirectoryName(Directory) ?? Directory;
        var target = status.LinkTarget ?? string.Empty;
        string[] allowed = [$"graph/{id}/layer", $"containers/{id}/rw"];
        var relative = RelativeInside(fs, root, target.StartsWith('/') ? target : fs.Path.Combine(DiffDirectory, target));
        relative ??= allowed.FirstOrDefault(suffix => target.TrimEnd('/').EndsWith("/" + suffix, StringComparison.Ordinal));
        if (relative is null || !allowed.Contains(relative, StringComparer.Ordinal))
        {
            throw new UnsafePathException(diff, target,
                $"a symbolic link in {DiffDirectory} is followed only to graph/{id}/layer or containers/{id}/rw inside the Docker root (left by Docker 0.7's migration)");
        }

        // Every component below the root must be a real directory: no further host link is followed.
        var current = root;
        foreach (var part in relative.Split('/'))
        {
            current = current + "/" + part;
            if (!metadata.TryGetStatus(current, out var step) || step.Type != UnixFileType.Directory)
            {
                throw new BrokenLayerChainException(id, current, $"the AUFS branch {diff} is a symbolic link to {target}, which is not a directory in the Docker root");
            }
        }

        Log.BranchRelocated(logger, id, current);
        return new ResolvedBranch(current, UnixFileType.Directory);
    }

    /// <summary>The path of <paramref name="path"/> relative to <paramref name="root"/> after lexical normalization, or <see langword="null"/> when it lies outside.</summary>
    private static string? RelativeInside(IFileSystem fs, string root, string path)
    {
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        var normalized = "/" + string.Join('/', parts);
        var prefix = fs.Path.TrimEndingDirectorySeparator(root) + "/";
        return normalized.StartsWith(prefix, StringComparison.Ordinal) ? normalized[prefix.Length..] : null;
    }

    private static string Validate(string id) =>
        DockerIds.IsLayerId(id) ? id : throw new ArgumentException($"'{id}' is not a layer ID (64 lowercase hex characters, optionally followed by -init).", nameof(id));
}

/// <summary>Where a layer's files are, as <see cref="AufsDriver.ResolveBranch"/> found them.</summary>
/// <param name="Path">The directory to read: <c>diff/&lt;id&gt;</c>, or the target of a Docker 0.7 migration link.</param>
/// <param name="Type">What <c>lstat</c> says <paramref name="Path"/> is; <see langword="null"/> when it does not exist.</param>
internal readonly record struct ResolvedBranch(string Path, UnixFileType? Type);

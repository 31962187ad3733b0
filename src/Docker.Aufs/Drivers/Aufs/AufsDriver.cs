using System.IO.Abstractions;
using Docker.Aufs.Formats;

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

    private static string Validate(string id) =>
        DockerIds.IsLayerId(id) ? id : throw new ArgumentException($"'{id}' is not a layer ID (64 lowercase hex characters, optionally followed by -init).", nameof(id));
}

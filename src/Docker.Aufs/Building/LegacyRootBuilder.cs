using System.IO.Abstractions;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Formats;
using Docker.Aufs.Graph;
using Docker.Aufs.IO;
using Docker.Aufs.Json;
using Docker.Aufs.Repositories;

namespace Docker.Aufs.Building;

/// <summary>
/// Writes a legacy Docker root (graph/ + AUFS, as Docker 1.x left it) onto any <see cref="IFileSystem"/>: the tag store,
/// <c>graph/&lt;id&gt;/</c> (json, layersize, optional checksum/parent/v1Compatibility), <c>aufs/layers</c>, <c>aufs/diff</c>
/// with files, directories, symbolic links, hardlinks, whiteouts and device nodes, and empty <c>aufs/mnt</c> directories.
/// What it writes, the readers read back identically.
/// </summary>
/// <example>
/// <code>
/// var builder = new LegacyRootBuilder(new MockFileSystem());
/// var base = builder.AddLayer(l =&gt; l.CreatedBy("#(nop) ADD file:… in /").File("bin/sh", "#!", mode: "0755"));
/// var top = builder.AddLayer(l =&gt; l.Parent(base).CreatedBy("echo hi &gt; /hello").File("hello", "hi\n"));
/// builder.Tag("busybox:latest", top);
/// IDockerRoot root = builder.Build().Open(); // Open: DockerRoot's extension
/// </code>
/// </example>
/// <remarks>Not thread-safe: build a root from one thread. Layers must be added parents first.</remarks>
public sealed partial class LegacyRootBuilder
{
    private static readonly DateTimeOffset DefaultEpoch = new(2015, 11, 3, 12, 0, 0, TimeSpan.Zero);

    private readonly IFileSystem _fileSystem;
    private readonly List<LayerBuilder> _layers = [];
    private readonly HashSet<string> _layerIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AufsLayerFile> _layerFiles = new(StringComparer.Ordinal);
    private readonly List<RepositoryEntry> _tags = [];
    private readonly bool _native;
    private byte[]? _rawRepositories;
    private bool _writeRepositories = true;
    private ulong _nextInode = 1000;

    /// <summary>Initializes a new builder.</summary>
    /// <param name="fileSystem">Where to write (a <c>MockFileSystem</c>, or the real file system).</param>
    /// <param name="rootPath">The root's path; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="specialFiles">How to write what <see cref="IFileSystem"/> cannot express.</param>
    public LegacyRootBuilder(IFileSystem fileSystem, string? rootPath = null, SpecialFileMode specialFiles = SpecialFileMode.Auto)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        _fileSystem = fileSystem;
        RootPath = fileSystem.Path.GetFullPath(rootPath ?? LegacyLayout.DefaultRoot);
        var real = fileSystem is System.IO.Abstractions.FileSystem && OperatingSystem.IsLinux();
        _native = specialFiles switch
        {
            SpecialFileMode.Native when !real => throw new ArgumentException("Native special files need the real file system on Linux.", nameof(specialFiles)),
            SpecialFileMode.Native => true,
            SpecialFileMode.Recorded => false,
            _ => real,
        };
        Metadata = new RecordedMetadataProvider(DefaultMetadata(fileSystem));
    }

    /// <summary>Gets the root's full path.</summary>
    public string RootPath { get; }

    /// <summary>Gets the recorded owner, mode, inode, link and device facts of everything written (pass it as <see cref="DockerRootOptions.Metadata"/>).</summary>
    public RecordedMetadataProvider Metadata { get; }

    /// <summary>Adds a layer. Layers are written in the order added, so add parents first.</summary>
    /// <param name="configure">Describes the layer.</param>
    /// <returns>The layer's ID (given with <see cref="LayerBuilder.Id"/> or generated).</returns>
    public string AddLayer(Action<LayerBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var layer = new LayerBuilder(GenerateId("layer:" + _layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), DefaultEpoch.AddMinutes(_layers.Count));
        configure(layer);
        if (!_layerIds.Add(layer.LayerId))
        {
            throw new InvalidOperationException($"A layer with ID {layer.LayerId} was already added.");
        }

        _layers.Add(layer);
        return layer.LayerId;
    }

    /// <summary>Tags an image: <c>name</c>, <c>name:tag</c> or <c>name@sha256:…</c>, normalized as Docker stores it.</summary>
    /// <param name="reference">The reference.</param>
    /// <param name="imageId">The image it points at (not checked: a tag of a missing image is a valid fixture).</param>
    /// <returns>This builder.</returns>
    public LegacyRootBuilder Tag(string reference, string imageId)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        ArgumentNullException.ThrowIfNull(imageId);
        var parsed = ImageReference.Parse(reference);
        _tags.Add(new RepositoryEntry(parsed.LocalName, parsed.TagOrDigest, imageId));
        return this;
    }

    /// <summary>Writes these exact bytes as <c>repositories-aufs</c> instead of the tags (for corrupt fixtures).</summary>
    /// <param name="content">The file's content.</param>
    /// <returns>This builder.</returns>
    public LegacyRootBuilder RawRepositories(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        _rawRepositories = [.. content];
        return this;
    }

    /// <summary>Writes no <c>repositories-aufs</c> file.</summary>
    /// <returns>This builder.</returns>
    public LegacyRootBuilder WithoutRepositories()
    {
        _writeRepositories = false;
        return this;
    }

    /// <summary>Writes the root.</summary>
    /// <returns>The written root, ready to open.</returns>
    public LegacyRoot Build()
    {
        var fs = _fileSystem;
        var aufs = new AufsDriver(fs, fs.Path.Combine(RootPath, AufsDriver.Name));
        var graph = fs.Path.Combine(RootPath, LegacyLayout.GraphDirectory);
        foreach (var directory in new[] { graph, fs.Path.Combine(graph, GraphFiles.TempDirectory), aufs.LayersDirectory, aufs.DiffDirectory, aufs.MountDirectory,
                     fs.Path.Combine(RootPath, LegacyLayout.ContainersDirectory), fs.Path.Combine(RootPath, "tmp"), fs.Path.Combine(RootPath, "trust"), fs.Path.Combine(RootPath, "volumes") })
        {
            fs.Directory.CreateDirectory(directory);
        }

        foreach (var layer in _layers)
        {
            long? tarSize = null;
            if (layer.TarSource is not null)
            {
                tarSize = WriteTarLayer(aufs, graph, layer);
            }
            else if (layer.WithDriverData)
            {
                WriteDriverLayer(aufs, layer);
            }

            WriteGraphLayer(graph, layer, tarSize);
        }

        WriteContainers(aufs);
        if (_writeRepositories)
        {
            fs.File.WriteAllBytes(fs.Path.Combine(RootPath, RepositoryIndex.FileName(AufsDriver.Name)),
                _rawRepositories ?? RepositoryIndex.FromEntries(_tags).Serialize());
        }

        return new LegacyRoot(fs, RootPath, Metadata, [.. _layers.Select(l => l.LayerId)]) { ContainerIds = [.. _containers.Select(c => c.ContainerId)] };
    }

    /// <summary>Writes <c>aufs/layers/&lt;id&gt;</c> and creates <c>mnt/&lt;id&gt;</c> and <c>diff/&lt;id&gt;</c>, as the driver's <c>Create</c>.</summary>
    /// <returns>The path of <c>diff/&lt;id&gt;</c>.</returns>
    private string CreateDriverLayer(AufsDriver aufs, LayerBuilder layer)
    {
        var fs = _fileSystem;
        var ancestors = new List<string>();
        if (layer.ParentId is { } parent)
        {
            ancestors.Add(parent);
            if (_layerFiles.TryGetValue(parent, out var parentFile))
            {
                ancestors.AddRange(parentFile.Ancestors);
            }
        }

        var layerFile = new AufsLayerFile(layer.LayerId, ancestors);
        _layerFiles[layer.LayerId] = layerFile;
        fs.File.WriteAllBytes(aufs.GetLayerFilePath(layer.LayerId), layerFile.Serialize());
        fs.Directory.CreateDirectory(aufs.GetMountPath(layer.LayerId));

        var diff = aufs.GetDiffPath(layer.LayerId);
        fs.Directory.CreateDirectory(diff);
        return diff;
    }

    private void WriteDriverLayer(AufsDriver aufs, LayerBuilder layer)
    {
        var fs = _fileSystem;
        var diff = CreateDriverLayer(aufs, layer);
        var created = layer.CreatedTime ?? DefaultEpoch;
        var inodes = new Dictionary<string, (ulong Inode, int Links)>(StringComparer.Ordinal);
        foreach (var entry in layer.Entries)
        {
            var key = entry.HardlinkTo ?? entry.Path;
            inodes[key] = inodes.TryGetValue(key, out var known) ? (known.Inode, known.Links + 1) : (_nextInode++, 1);
        }

        var directories = new List<(string Path, DateTimeOffset Time)>();
        foreach (var entry in layer.Entries)
        {
            var path = fs.Path.Combine(diff, entry.Path);
            var modified = entry.Modified ?? created;
            var (inode, links) = inodes[entry.HardlinkTo ?? entry.Path];
            WriteEntry(entry, path, fs.Path.Combine(diff, entry.HardlinkTo ?? entry.Path));
            if (entry.Type == UnixFileType.Directory)
            {
                directories.Add((path, modified));
            }
            else
            {
                SetTime(path, entry.Type, modified);
            }

            Metadata.Record(path, new UnixFileStatus
            {
                Type = entry.Type,
                Permissions = entry.Permissions,
                Uid = entry.Uid,
                Gid = entry.Gid,
                Size = entry.Type switch
                {
                    UnixFileType.RegularFile => entry.Content.Length,
                    UnixFileType.SymbolicLink => Encoding.UTF8.GetByteCount(entry.LinkTarget!),
                    _ => 0,
                },
                ModifiedTime = modified,
                Device = 0x801,
                Inode = inode,
                LinkCount = entry.Type == UnixFileType.Directory ? 2u : (uint)links,
                DeviceMajor = entry.Major,
                DeviceMinor = entry.Minor,
                LinkTarget = entry.LinkTarget,
            });
        }

        // Directory times last: creating entries inside a directory changes its modification time.
        for (var i = directories.Count - 1; i >= 0; i--)
        {
            SetTime(directories[i].Path, UnixFileType.Directory, directories[i].Time);
        }
    }

    private void WriteEntry(LayerEntry entry, string path, string hardlinkTarget)
    {
        var fs = _fileSystem;
        switch (entry.Type)
        {
            case UnixFileType.Directory:
                fs.Directory.CreateDirectory(path);
                SetMode(path, entry.Permissions);
                break;
            case UnixFileType.RegularFile when entry.HardlinkTo is not null && _native && OperatingSystem.IsLinux():
                LinuxNative.Link(hardlinkTarget, path);
                break;
            case UnixFileType.RegularFile:
                fs.File.WriteAllBytes(path, entry.Content);
                SetMode(path, entry.Permissions);
                break;
            case UnixFileType.SymbolicLink when _native:
                fs.File.CreateSymbolicLink(path, entry.LinkTarget!);
                break;
            case UnixFileType.SymbolicLink:
                fs.File.WriteAllText(path, entry.LinkTarget!);
                break;
            case UnixFileType.Fifo when _native && OperatingSystem.IsLinux():
                LinuxNative.MakeFifo(path, entry.Permissions);
                break;
            case UnixFileType.CharacterDevice or UnixFileType.BlockDevice when _native && OperatingSystem.IsLinux() && LinuxNative.IsRoot:
                LinuxNative.MakeNode(path, UnixModes.TypeBits(entry.Type) | entry.Permissions, entry.Major, entry.Minor);
                break;
            default:
                // A placeholder; the real type is in the recorded metadata.
                fs.File.WriteAllBytes(path, []);
                break;
        }

        if (_native && OperatingSystem.IsLinux() && LinuxNative.IsRoot && (entry.Uid != 0 || entry.Gid != 0))
        {
            LinuxNative.ChangeOwner(path, entry.Uid, entry.Gid);
            if (entry.Type is UnixFileType.RegularFile or UnixFileType.Directory)
            {
                SetMode(path, entry.Permissions); // chown clears set-user-ID and set-group-ID: set the mode again, as tar does
            }
        }
    }

    private void SetMode(string path, int permissions)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (_native && OperatingSystem.IsLinux())
        {
            _fileSystem.File.SetUnixFileMode(path, (UnixFileMode)permissions);
            return;
        }

        try
        {
            _fileSystem.File.SetUnixFileMode(path, (UnixFileMode)permissions);
        }
        catch (NotSupportedException)
        {
            // The recorded metadata carries the mode.
        }
    }

    private void SetTime(string path, UnixFileType type, DateTimeOffset time)
    {
        if (_native && OperatingSystem.IsLinux())
        {
            LinuxNative.SetModifiedTime(path, time);
        }
        else if (type == UnixFileType.Directory)
        {
            _fileSystem.Directory.SetLastWriteTimeUtc(path, time.UtcDateTime);
        }
        else
        {
            _fileSystem.File.SetLastWriteTimeUtc(path, time.UtcDateTime);
        }
    }

    private void WriteGraphLayer(string graph, LayerBuilder layer, long? tarSize)
    {
        var fs = _fileSystem;
        var directory = fs.Path.Combine(graph, layer.LayerId);
        fs.Directory.CreateDirectory(directory);
        var size = layer.LayerSizeOverride ?? tarSize ?? layer.ComputeSize();
        fs.File.WriteAllBytes(fs.Path.Combine(directory, GraphFiles.Json), layer.RawJsonBytes ?? SerializeImage(layer, size));
        if (layer.RawLayerSizeBytes is { } rawSize)
        {
            fs.File.WriteAllBytes(fs.Path.Combine(directory, GraphFiles.LayerSize), rawSize);
        }
        else if (layer.WriteLayerSize)
        {
            fs.File.WriteAllText(fs.Path.Combine(directory, GraphFiles.LayerSize), size.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        WriteOptional(directory, GraphFiles.Checksum, layer.ChecksumText);
        WriteOptional(directory, GraphFiles.Parent, layer.ParentFileText);
        WriteOptional(directory, GraphFiles.V1Compatibility, layer.V1CompatibilityText);
    }

    private void WriteOptional(string directory, string name, string? content)
    {
        if (content is not null)
        {
            _fileSystem.File.WriteAllText(_fileSystem.Path.Combine(directory, name), content);
        }
    }

    private static byte[] SerializeImage(LayerBuilder layer, long size)
    {
        var image = new ImageJson
        {
            Id = layer.OmitIds ? null : layer.LayerId,
            Parent = layer.OmitIds ? null : layer.ParentId,
            Comment = layer.CommentText,
            Created = layer.CreatedTime,
            Container = GenerateId("container:" + layer.LayerId),
            ContainerConfig = new ContainerConfig
            {
                Cmd = layer.CreatedByCommand is { } command ? ["/bin/sh", "-c", command] : null,
                Image = layer.ParentId,
            },
            DockerVersion = layer.DockerVersionText,
            Author = layer.AuthorText,
            Config = layer.RunConfig,
            Architecture = "amd64",
            Os = "linux",
            Size = size,
        };
        if (layer.ImageEdit is { } edit)
        {
            image = edit(image);
        }

        var json = JsonSerializer.SerializeToUtf8Bytes(image, DockerJsonContext.GoWriter.ImageJson);
        return layer.Style == ImageJsonStyle.Encoder ? [.. json, (byte)'\n'] : json;
    }

    private static string GenerateId(string seed) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("docker-aufs-builder:" + seed)));

    private static IUnixMetadataProvider DefaultMetadata(IFileSystem fileSystem)
    {
        if (OperatingSystem.IsLinux() && fileSystem is System.IO.Abstractions.FileSystem)
        {
            return LinuxMetadataProvider.Instance;
        }

        return new FileSystemMetadataProvider(fileSystem);
    }
}

/// <summary>A legacy root written by <see cref="LegacyRootBuilder"/>, with the metadata needed to read it back faithfully.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class LegacyRoot
{
    internal LegacyRoot(IFileSystem fileSystem, string path, RecordedMetadataProvider metadata, IReadOnlyList<string> layerIds)
    {
        FileSystem = fileSystem;
        Path = path;
        Metadata = metadata;
        LayerIds = layerIds;
    }

    /// <summary>Gets the file system the root was written to.</summary>
    public IFileSystem FileSystem { get; }

    /// <summary>Gets the root's full path.</summary>
    public string Path { get; }

    /// <summary>Gets the recorded owner, mode, inode, link and device facts of the written entries.</summary>
    public RecordedMetadataProvider Metadata { get; }

    /// <summary>Gets the IDs of the layers written, in the order they were added.</summary>
    public IReadOnlyList<string> LayerIds { get; }

    /// <summary>Gets the IDs of the containers written, in the order they were added.</summary>
    public IReadOnlyList<string> ContainerIds { get; internal init; } = [];
}

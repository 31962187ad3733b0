using System.IO.Abstractions;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.Aufs.Drivers;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Formats;
using Docker.Aufs.Stores.Graph;
using Docker.Aufs.IO;

namespace Docker.Aufs.Testing;

/// <summary>
/// Writes a legacy Docker root (graph/ + AUFS, as Docker 1.x left it) onto any <see cref="IFileSystem"/>: the tag store,
/// <c>graph/&lt;id&gt;/</c> (json, layersize, optional checksum/parent/v1Compatibility), <c>aufs/layers</c>, <c>aufs/diff</c>
/// with files, directories, symbolic links, hardlinks, whiteouts and device nodes, and empty <c>aufs/mnt</c> directories.
/// What it writes, the readers read back identically.
/// </summary>
/// <example>
/// <code>
/// var builder = new DockerRootBuilder(new MockFileSystem());
/// var base = builder.AddLayer(l =&gt; l.CreatedBy("#(nop) ADD file:… in /").File("bin/sh", "#!", mode: "0755"));
/// var top = builder.AddLayer(l =&gt; l.Parent(base).CreatedBy("echo hi &gt; /hello").File("hello", "hi\n"));
/// builder.Tag("busybox:latest", top);
/// IDockerRoot root = builder.Build().Open();
/// </code>
/// </example>
/// <remarks>Not thread-safe: build a root from one thread. Layers must be added parents first.</remarks>
public sealed partial class DockerRootBuilder
{
    private static readonly DateTimeOffset DefaultEpoch = new(2015, 11, 3, 12, 0, 0, TimeSpan.Zero);

    private readonly IFileSystem _fileSystem;
    private readonly List<LayerBuilder> _layers = [];
    private readonly HashSet<string> _layerIds = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<string>> _ancestors = new(StringComparer.Ordinal);
    private readonly List<RepositoryEntry> _tags = [];
    private readonly EntryWriter _writer;
    private byte[]? _rawRepositories;
    private bool _writeRepositories = true;

    /// <summary>Initializes a new builder.</summary>
    /// <param name="fileSystem">Where to write (a <c>MockFileSystem</c>, or the real file system).</param>
    /// <param name="rootPath">The root's path; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="specialFiles">How to write what <see cref="IFileSystem"/> cannot express.</param>
    public DockerRootBuilder(IFileSystem fileSystem, string? rootPath = null, SpecialFileMode specialFiles = SpecialFileMode.Auto)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        _fileSystem = fileSystem;
        RootPath = fileSystem.Path.GetFullPath(rootPath ?? LegacyLayout.DefaultRoot);
        _writer = new EntryWriter(fileSystem, specialFiles);
    }

    /// <summary>Gets the root's full path.</summary>
    public string RootPath { get; }

    /// <summary>Gets the recorded owner, mode, inode, link and device facts of everything written (pass it as <see cref="DockerRootOptions.Metadata"/>).</summary>
    public RecordedMetadataProvider Metadata => _writer.Metadata;

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
    public DockerRootBuilder Tag(string reference, string imageId)
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
    public DockerRootBuilder RawRepositories(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        _rawRepositories = [.. content];
        return this;
    }

    /// <summary>Writes no <c>repositories-aufs</c> file.</summary>
    /// <returns>This builder.</returns>
    public DockerRootBuilder WithoutRepositories()
    {
        _writeRepositories = false;
        return this;
    }

    /// <summary>Writes the root.</summary>
    /// <returns>The written root, ready to open.</returns>
    public BuiltRoot Build()
    {
        var fs = _fileSystem;
        var aufs = new AufsDriver(fs, fs.Path.Combine(RootPath, AufsDriver.DriverName));
        GraphWriter.CreateSkeleton(fs, RootPath, [aufs.LayersDirectory, aufs.DiffDirectory, aufs.MountDirectory]);
        foreach (var layer in _layers)
        {
            var graphDirectory = GraphWriter.CreateLayerDirectory(fs, RootPath, layer.LayerId);
            long? tarSize = null;
            if (layer.TarSource is not null)
            {
                var diff = CreateDriverLayer(aufs, layer);
                var source = layer.TarSourceName ?? $"the layer tar of {layer.LayerId}";
                using var tar = layer.TarSource() ?? throw new InvalidOperationException($"The tar source of layer {layer.LayerId} returned no stream.");
                using var tarSplit = GraphWriter.CreateTarSplit(fs, graphDirectory);
                tarSize = LayerTarApplier.Apply(_writer, tar, diff, tarSplit, layer.TarDialect, source);
            }
            else if (layer.WithDriverData)
            {
                WriteDriverLayer(aufs, layer);
            }

            WriteGraphLayer(graphDirectory, layer, tarSize);
        }

        WriteContainers(aufs);
        if (_writeRepositories)
        {
            GraphWriter.WriteRepositories(fs, RootPath, AufsDriver.DriverName, _rawRepositories ?? RepositoryIndex.FromEntries(_tags).Serialize());
        }

        return new BuiltRoot(fs, RootPath, Metadata, [.. _layers.Select(l => l.LayerId)]) { ContainerIds = [.. _containers.Select(c => c.ContainerId)] };
    }

    /// <summary>Writes <c>aufs/layers/&lt;id&gt;</c> and creates <c>mnt/&lt;id&gt;</c> and <c>diff/&lt;id&gt;</c>, as the driver's <c>Create</c>.</summary>
    /// <returns>The path of <c>diff/&lt;id&gt;</c>.</returns>
    private string CreateDriverLayer(AufsDriver aufs, LayerBuilder layer)
    {
        var ancestors = new List<string>();
        if (layer.ParentId is { } parent)
        {
            ancestors.Add(parent);
            if (_ancestors.TryGetValue(parent, out var parentAncestors))
            {
                ancestors.AddRange(parentAncestors);
            }
        }

        _ancestors[layer.LayerId] = ancestors;
        return aufs.CreateLayer(layer.LayerId, ancestors);
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
            inodes[key] = inodes.TryGetValue(key, out var known) ? (known.Inode, known.Links + 1) : (_writer.NextInode(), 1);
        }

        var directories = new List<(string Path, DateTimeOffset Time)>();
        foreach (var entry in layer.Entries)
        {
            var path = fs.Path.Combine(diff, entry.Path);
            var modified = entry.Modified ?? created;
            var (inode, links) = inodes[entry.HardlinkTo ?? entry.Path];
            _writer.WriteEntry(entry, path, fs.Path.Combine(diff, entry.HardlinkTo ?? entry.Path));
            if (entry.Type == UnixFileType.Directory)
            {
                directories.Add((path, modified));
            }
            else
            {
                _writer.SetTime(path, entry.Type, modified);
            }

            _writer.Record(path, entry, modified, inode, (uint)links);
        }

        // Directory times last: creating entries inside a directory changes its modification time.
        for (var i = directories.Count - 1; i >= 0; i--)
        {
            _writer.SetTime(directories[i].Path, UnixFileType.Directory, directories[i].Time);
        }
    }

    private void WriteGraphLayer(string directory, LayerBuilder layer, long? tarSize)
    {
        var fs = _fileSystem;
        var size = layer.LayerSizeOverride ?? tarSize ?? layer.ComputeSize();
        GraphWriter.WriteLayer(fs, directory, layer.RawJsonBytes ?? SerializeImage(layer, size), layer.RawLayerSizeBytes is null && layer.WriteLayerSize ? size : null);
        if (layer.RawLayerSizeBytes is { } rawSize)
        {
            GraphWriter.WriteFile(fs, directory, GraphFiles.LayerSize, rawSize);
        }

        WriteOptional(directory, GraphFiles.Checksum, layer.ChecksumText);
        WriteOptional(directory, GraphFiles.Parent, layer.ParentFileText);
        WriteOptional(directory, GraphFiles.V1Compatibility, layer.V1CompatibilityText);
    }

    private void WriteOptional(string directory, string name, string? content)
    {
        if (content is not null)
        {
            GraphWriter.WriteFile(_fileSystem, directory, name, System.Text.Encoding.UTF8.GetBytes(content));
        }
    }

    private static byte[] SerializeImage(LayerBuilder layer, long size)
    {
        var image = new ImageJson
        {
            Id = layer.OmitIds ? null : layer.LayerId,
            Parent = layer.OmitIds ? null : layer.ParentId,
            Comment = layer.CommentText,
            Created = layer.CreatedTime is { } created ? RecordedTime.FromValue(created) : null,
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
        if (layer.JsonEdit is { } jsonEdit)
        {
            json = EditJson(json, jsonEdit);
        }

        return layer.Style == ImageJsonStyle.Encoder ? [.. json, (byte)'\n'] : json;
    }

    /// <summary>Applies an edit to a JSON object and writes it back compact, with Go's escaping.</summary>
    internal static byte[] EditJson(byte[] json, Action<System.Text.Json.Nodes.JsonObject> edit)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        edit(node);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = GoJsonEncoder.Instance }))
        {
            node.WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string GenerateId(string seed) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("docker-aufs-builder:" + seed)));
}

/// <summary>A root written by <see cref="DockerRootBuilder"/>, with the metadata needed to read it back faithfully.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class BuiltRoot
{
    internal BuiltRoot(IFileSystem fileSystem, string path, RecordedMetadataProvider metadata, IReadOnlyList<string> layerIds)
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

    /// <summary>Opens the root with the metadata the builder recorded (owners, inodes, link targets, device numbers).</summary>
    /// <param name="options">Options; unless they name a <see cref="DockerRootOptions.Metadata"/> provider, the recorded one is used.</param>
    /// <returns>The opened root.</returns>
    /// <exception cref="NotADockerRootException">The root was removed or damaged since it was built.</exception>
    public IDockerRoot Open(DockerRootOptions? options = null)
    {
        options ??= DockerRootOptions.Default;
        return DockerRoot.Open(FileSystem, Path, options.Metadata is null ? options with { Metadata = Metadata } : options);
    }
}

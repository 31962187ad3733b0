using System.IO.Abstractions;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.Aufs.Drivers;
using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Stores;
using Docker.Aufs.Stores.ContentAddressed;
using Docker.Aufs.Stores.Graph;

namespace Docker.Aufs.Testing;

/// <summary>
/// Writes a legacy Docker root (graph/ + AUFS, as Docker 1.x left it) onto any <see cref="IFileSystem"/>: the tag store,
/// <c>graph/&lt;id&gt;/</c> (json, layersize, optional checksum/parent/v1Compatibility), <c>aufs/layers</c>, <c>aufs/diff</c>
/// with files, directories, symbolic links, hardlinks, whiteouts and device nodes, and empty <c>aufs/mnt</c> directories.
/// What it writes, the readers read back identically.
/// </summary>
/// <remarks>
/// <para>With <see cref="ImageStoreKind.ContentAddressed"/> it writes the AUFS root of Docker 1.10–23.x instead, the way
/// Docker's classic build does: each <see cref="AddLayer"/> is one build step, written at once — its layer (unless
/// <see cref="LayerBuilder.EmptyLayer"/>) in <c>aufs/diff/&lt;cache-id&gt;</c> and <c>image/aufs/layerdb/sha256/&lt;ChainID&gt;/</c>
/// with the DiffID and tar-split data of the tar Docker's AUFS <c>Diff</c> gives, and its image config in
/// <c>image/aufs/imagedb/</c> — and returns the new image's ID (<c>sha256:…</c>). <see cref="Build"/> then writes the
/// containers (<c>config.v2.json</c>, <c>layerdb/mounts/</c>) and the reference store <c>image/aufs/repositories.json</c>.</para>
/// <para>Not thread-safe: build a root from one thread. Layers must be added parents first.</para>
/// </remarks>
/// <example>
/// <code>
/// var builder = new DockerRootBuilder(new MockFileSystem());
/// var base = builder.AddLayer(l =&gt; l.CreatedBy("#(nop) ADD file:… in /").File("bin/sh", "#!", mode: "0755"));
/// var top = builder.AddLayer(l =&gt; l.Parent(base).CreatedBy("echo hi &gt; /hello").File("hello", "hi\n"));
/// builder.Tag("busybox:latest", top);
/// IDockerRoot root = builder.Build().Open();
/// </code>
/// </example>
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

    /// <summary>Initializes a new builder of a graph-era root (Docker 0.7–1.9).</summary>
    /// <param name="fileSystem">Where to write (a <c>MockFileSystem</c>, or the real file system).</param>
    /// <param name="rootPath">The root's path; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="specialFiles">How to write what <see cref="IFileSystem"/> cannot express.</param>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0027:API with optional parameter(s) should have the most parameters amongst its public overloads",
        Justification = "The overload with a driver has every parameter required on purpose, so that a driver name can never bind to the root path.")]
    public DockerRootBuilder(IFileSystem fileSystem, string? rootPath = null, SpecialFileMode specialFiles = SpecialFileMode.Auto)
        : this(fileSystem, ImageStoreKind.Graph, rootPath, specialFiles)
    {
    }

    /// <summary>Initializes a new builder of a root with the given image store.</summary>
    /// <param name="fileSystem">Where to write (a <c>MockFileSystem</c>, or the real file system).</param>
    /// <param name="store">
    /// The image store to write: <see cref="ImageStoreKind.Graph"/> (Docker 0.7–1.9, what the other constructor writes) or
    /// <see cref="ImageStoreKind.ContentAddressed"/> (Docker 1.10–23.x).
    /// </param>
    /// <param name="rootPath">The root's path; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="specialFiles">How to write what <see cref="IFileSystem"/> cannot express.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="store"/> is not a store kind.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The shipped overload keeps its meaning (graph era); this one has a required ImageStoreKind, so no call can mean both.")]
    public DockerRootBuilder(IFileSystem fileSystem, ImageStoreKind store, string? rootPath = null, SpecialFileMode specialFiles = SpecialFileMode.Auto)
        : this(fileSystem, store, AufsDriver.DriverName, rootPath, specialFiles)
    {
    }

    /// <summary>Initializes a new builder of a root with the given image store and storage driver.</summary>
    /// <param name="fileSystem">Where to write (a <c>MockFileSystem</c>, or the real file system).</param>
    /// <param name="store">The image store to write (see the other constructors).</param>
    /// <param name="driver">
    /// The storage driver whose directory holds the layers: <c>aufs</c>, <c>overlay</c> or <c>vfs</c> with either store
    /// (Docker had them in the graph era too), <c>overlay2</c> with the content-addressed store. An overlay2 layer is
    /// written as Docker's <c>ApplyDiff</c> unpacks one: whiteouts as 0/0 character devices, opaque directories by the
    /// extended attribute <c>trusted.overlay.opaque</c> (recorded in <see cref="Metadata"/>, or set on disk:
    /// <c>user.overlay.opaque</c> without root). A vfs layer is the parent's whole tree copied, with the layer's changes
    /// applied. An overlay image layer is <c>root/</c>: the parent's <c>root/</c> copied with hard links (on disk; in
    /// memory, copies recorded with the parent's inode numbers), with the layer's changes applied; a container's layers
    /// are <c>upper/</c> and <c>lower-id</c>, the read-write layer's <c>upper/</c> starting as a copy of the init layer's.
    /// </param>
    /// <param name="rootPath">The root's path; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="specialFiles">How to write what <see cref="IFileSystem"/> cannot express.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="store"/> is not a store kind.</exception>
    /// <exception cref="ArgumentException">The builder cannot write <paramref name="driver"/> with that store.</exception>
    /// <remarks>Every parameter is required, so that a driver name can never be taken for a root path.</remarks>
    public DockerRootBuilder(IFileSystem fileSystem, ImageStoreKind store, string driver, string? rootPath, SpecialFileMode specialFiles)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(driver);
        if (!Enum.IsDefined(store))
        {
            throw new ArgumentOutOfRangeException(nameof(store), store, "Not an image store kind.");
        }

        if (driver is not (AufsDriver.DriverName or Drivers.Overlay.OverlayDriver.DriverName or Drivers.Vfs.VfsDriver.DriverName)
            && (driver != Drivers.Overlay2.Overlay2Driver.DriverName || store != ImageStoreKind.ContentAddressed))
        {
            throw new ArgumentException(
                $"The builder writes the aufs, overlay and vfs drivers in either store, and overlay2 in the content-addressed store, not '{driver}' with the {store} store.", nameof(driver));
        }

        _fileSystem = fileSystem;
        Store = store;
        Driver = driver;
        RootPath = fileSystem.Path.GetFullPath(rootPath ?? LegacyLayout.DefaultRoot);
        _writer = new EntryWriter(fileSystem, specialFiles);
    }

    /// <summary>Gets the image store the builder writes.</summary>
    public ImageStoreKind Store { get; }

    /// <summary>Gets the name of the storage driver whose directory holds the layers (<c>aufs</c>, <c>overlay</c>, <c>overlay2</c> or <c>vfs</c>).</summary>
    public string Driver { get; }

    /// <summary>Gets whether nothing was added yet.</summary>
    internal bool IsEmpty => _layers.Count == 0 && _images.Count == 0 && _containers.Count == 0 && _tags.Count == 0 && _references.Count == 0;

    /// <summary>Gets the root's full path.</summary>
    public string RootPath { get; }

    /// <summary>Gets the recorded owner, mode, inode, link and device facts of everything written (pass it as <see cref="DockerRootOptions.Metadata"/>).</summary>
    public RecordedMetadataProvider Metadata => _writer.Metadata;

    /// <summary>Adds a layer. Layers are written in the order added, so add parents first.</summary>
    /// <param name="configure">Describes the layer.</param>
    /// <returns>
    /// The layer's ID (given with <see cref="LayerBuilder.Id"/> or generated); in a content-addressed root, the ID of the
    /// image the step makes (<c>sha256:…</c>, the SHA-256 of its config).
    /// </returns>
    /// <exception cref="InvalidOperationException">
    /// A layer with the same ID was already added; in a content-addressed root also: the step uses a member that only makes
    /// sense for graph-era roots, its parent image was not added before, or its config is that of an image already added.
    /// </exception>
    /// <remarks>In a content-addressed root the step is written at once; in a graph-era root, by <see cref="Build"/>.</remarks>
    public string AddLayer(Action<LayerBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        if (Store == ImageStoreKind.ContentAddressed)
        {
            var index = _imageIds.Count;
            var step = new LayerBuilder(GenerateId("layer:" + index.ToString(System.Globalization.CultureInfo.InvariantCulture)), ContentAddressedEpoch.AddMinutes(index), Store);
            configure(step);
            return WriteStep(step, index);
        }

        var layer = new LayerBuilder(GenerateId("layer:" + _layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)), DefaultEpoch.AddMinutes(_layers.Count));
        configure(layer);
        if (!_layerIds.Add(layer.LayerId))
        {
            throw new InvalidOperationException($"A layer with ID {layer.LayerId} was already added.");
        }

        _layers.Add(layer);
        return layer.LayerId;
    }

    /// <summary>
    /// Tags an image: <c>name</c>, <c>name:tag</c> or <c>name@sha256:…</c>, normalized as Docker stores it (in a
    /// content-addressed root as its reference store does: under the familiar name, as the familiar reference, the default
    /// tag <c>latest</c> added).
    /// </summary>
    /// <param name="reference">The reference.</param>
    /// <param name="imageId">The image it points at (not checked: a tag of a missing image is a valid fixture).</param>
    /// <returns>This builder.</returns>
    /// <exception cref="ArgumentException"><paramref name="reference"/> is not a reference Docker stores.</exception>
    public DockerRootBuilder Tag(string reference, string imageId)
    {
        ArgumentException.ThrowIfNullOrEmpty(reference);
        ArgumentNullException.ThrowIfNull(imageId);
        if (Store == ImageStoreKind.ContentAddressed)
        {
            _ = CasWriter.Entry(reference, imageId);
            _references.Add((reference, imageId));
            return this;
        }

        var parsed = ImageReference.Parse(reference);
        _tags.Add(new RepositoryEntry(parsed.LocalName, parsed.TagOrDigest, imageId));
        return this;
    }

    /// <summary>Writes these exact bytes as <c>repositories-aufs</c> (<c>image/aufs/repositories.json</c> in a content-addressed root) instead of the tags (for corrupt fixtures).</summary>
    /// <param name="content">The file's content.</param>
    /// <returns>This builder.</returns>
    public DockerRootBuilder RawRepositories(byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        _rawRepositories = [.. content];
        return this;
    }

    /// <summary>Writes no <c>repositories-aufs</c> file (no <c>image/aufs/repositories.json</c> in a content-addressed root).</summary>
    /// <returns>This builder.</returns>
    public DockerRootBuilder WithoutRepositories()
    {
        _writeRepositories = false;
        return this;
    }

    /// <summary>Writes the root (in a content-addressed root, what <see cref="AddLayer"/> has not written yet: the containers and the reference store).</summary>
    /// <returns>The written root, ready to open.</returns>
    public BuiltRoot Build()
    {
        if (Store == ImageStoreKind.ContentAddressed)
        {
            return BuildContentAddressed();
        }

        if (Driver != AufsDriver.DriverName)
        {
            return BuildGraphOnDriver();
        }

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
                using var tarSplit = layer.WriteTarSplit ? GraphWriter.CreateTarSplit(fs, graphDirectory) : Stream.Null;
                tarSize = LayerTarApplier.Apply(_writer, tar, diff, tarSplit, layer.TarDialect, source);
            }
            else if (layer.WithDriverData)
            {
                WriteDriverLayer(aufs, layer);
            }

            WriteGraphLayer(graphDirectory, layer, tarSize);
        }

        WriteContainers(aufs);
        return FinishGraph();
    }

    /// <summary>
    /// A graph-era root on another driver than aufs (overlay, vfs; Docker 1.4–1.9): each layer created on its parent and
    /// written in AUFS form, its tar-split data made from the tar of those changes (Docker 1.8+ records it for every layer,
    /// and these drivers' tars cannot be regenerated from their trees), then turned into the driver's form.
    /// </summary>
    private BuiltRoot BuildGraphOnDriver()
    {
        var fs = _fileSystem;
        GraphWriter.CreateSkeleton(fs, RootPath, RootDriver.GuardedDirectories);
        foreach (var layer in _layers)
        {
            var graphDirectory = GraphWriter.CreateLayerDirectory(fs, RootPath, layer.LayerId);
            long? tarSize = null;
            if (layer.TarSource is not null)
            {
                var diff = CreateLayerOnDriver(layer.LayerId, layer.ParentId, image: true);
                var source = layer.TarSourceName ?? $"the layer tar of {layer.LayerId}";
                using (var tar = layer.TarSource() ?? throw new InvalidOperationException($"The tar source of layer {layer.LayerId} returned no stream."))
                using (var tarSplit = layer.WriteTarSplit ? GraphWriter.CreateTarSplit(fs, graphDirectory) : Stream.Null)
                {
                    tarSize = LayerTarApplier.Apply(_writer, tar, diff, tarSplit, layer.TarDialect, source);
                }

                ToDriverForm(layer.LayerId, diff);
            }
            else if (layer.WithDriverData)
            {
                var diff = CreateLayerOnDriver(layer.LayerId, layer.ParentId, image: true);
                WriteEntries(diff, layer);
                if (layer.WriteTarSplit)
                {
                    using var generated = new MemoryStream(DiffTar(diff), writable: false);
                    using var tarSplit = GraphWriter.CreateTarSplit(fs, graphDirectory);
                    LayerTarApplier.Disassemble(generated, tarSplit, TarSplitDialect.Version0910, $"the layer tar of {layer.LayerId}");
                }

                ToDriverForm(layer.LayerId, diff);
            }

            WriteGraphLayer(graphDirectory, layer, tarSize);
        }

        WriteContainers(RootDriver);
        return FinishGraph();
    }

    /// <summary>The tag store, then the written root.</summary>
    private BuiltRoot FinishGraph()
    {
        if (_writeRepositories)
        {
            GraphWriter.WriteRepositories(_fileSystem, RootPath, Driver, _rawRepositories ?? RepositoryIndex.FromEntries(_tags).Serialize());
        }

        var layerIds = _layers.Select(l => l.LayerId).ToArray();
        return new BuiltRoot(_fileSystem, RootPath, Metadata, layerIds) { ImageIds = layerIds, ContainerIds = [.. _containers.Select(c => c.ContainerId)] };
    }

    /// <summary>Writes <c>aufs/layers/&lt;id&gt;</c> and creates <c>mnt/&lt;id&gt;</c> and <c>diff/&lt;id&gt;</c>, as the driver's <c>Create</c>.</summary>
    /// <returns>The path of <c>diff/&lt;id&gt;</c>.</returns>
    private string CreateDriverLayer(AufsDriver aufs, LayerBuilder layer) => CreateDriverLayer(aufs, layer.LayerId, layer.ParentId);

    /// <summary>Writes <c>aufs/layers/&lt;id&gt;</c> (the parent, then its own ancestors) and creates <c>mnt/&lt;id&gt;</c> and <c>diff/&lt;id&gt;</c>.</summary>
    /// <returns>The path of <c>diff/&lt;id&gt;</c>.</returns>
    private string CreateDriverLayer(AufsDriver aufs, string id, string? parent)
    {
        var ancestors = new List<string>();
        if (parent is not null)
        {
            ancestors.Add(parent);
            if (_ancestors.TryGetValue(parent, out var parentAncestors))
            {
                ancestors.AddRange(parentAncestors);
            }
        }

        _ancestors[id] = ancestors;
        return aufs.CreateLayer(id, ancestors);
    }

    private void WriteDriverLayer(AufsDriver aufs, LayerBuilder layer) => WriteEntries(CreateDriverLayer(aufs, layer), layer);

    /// <summary>Writes a layer's entries into its directory, recording what the file system cannot hold; directory times last.</summary>
    private void WriteEntries(string diff, LayerBuilder layer)
    {
        var fs = _fileSystem;
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
        var json = JsonSerializer.SerializeToUtf8Bytes(ImageModel(layer, layer.OmitIds ? null : layer.LayerId, layer.OmitIds ? null : layer.ParentId, layer.ParentId, size),
            DockerJsonContext.GoWriter.ImageJson);
        if (layer.JsonEdit is { } jsonEdit)
        {
            json = EditJson(json, jsonEdit);
        }

        return layer.Style == ImageJsonStyle.Encoder ? [.. json, (byte)'\n'] : json;
    }

    /// <summary>The legacy image JSON of a layer, with its internal edit applied.</summary>
    /// <param name="layer">The layer.</param>
    /// <param name="id">The <c>id</c> to write, or <see langword="null"/>.</param>
    /// <param name="parent">The <c>parent</c> to write, or <see langword="null"/>.</param>
    /// <param name="parentImage">The parent image named by <c>container_config.Image</c>, or <see langword="null"/>.</param>
    /// <param name="size">The <c>Size</c> to write, or <see langword="null"/>.</param>
    private static ImageJson ImageModel(LayerBuilder layer, string? id, string? parent, string? parentImage, long? size)
    {
        var image = new ImageJson
        {
            Id = id,
            Parent = parent,
            Comment = layer.CommentText,
            Created = layer.CreatedTime is { } created ? RecordedTime.FromValue(created) : null,
            Container = GenerateId("container:" + layer.LayerId),
            ContainerConfig = new ContainerConfig
            {
                Cmd = layer.CreatedByCommand is { } command ? ["/bin/sh", "-c", command] : null,
                Image = parentImage,
            },
            DockerVersion = layer.DockerVersionText,
            Author = layer.AuthorText,
            Config = layer.RunConfig,
            Architecture = "amd64",
            Os = "linux",
            Size = size,
        };
        return layer.ImageEdit is { } edit ? edit(image) : image;
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

    /// <summary>
    /// Gets the IDs of the layers written, in the order they were added; in a content-addressed root, the ChainIDs of the
    /// layers the steps made (a step with an empty layer, or whose layer already existed, adds none).
    /// </summary>
    public IReadOnlyList<string> LayerIds { get; }

    /// <summary>
    /// Gets the IDs of the images written, in the order they were added: the layer IDs in a graph-era root (each layer is an
    /// image), the <c>sha256:</c> image IDs in a content-addressed root.
    /// </summary>
    public IReadOnlyList<string> ImageIds { get; internal init; } = [];

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

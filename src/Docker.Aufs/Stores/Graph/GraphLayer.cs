using System.Globalization;
using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Stores.Graph;

/// <summary>
/// One <c>graph/&lt;id&gt;/</c> directory read and typed: the image JSON, its raw bytes, the parent (from the
/// <c>parent</c> file, the JSON's <c>parent</c> or its <c>parent_id</c>, in that order), <c>layersize</c>,
/// <c>checksum</c>, <c>v1Compatibility</c> and whether tar-split data is present.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed class GraphLayer
{
    private GraphLayer(string id, string directory, ImageJson image, ReadOnlyMemory<byte> rawJson, string? parent, ParentSource parentSource,
        long? size, LayerSizeStatus sizeStatus, string? checksum, string? v1Compatibility, bool hasTarSplit)
    {
        Id = id;
        Directory = directory;
        Image = image;
        RawJson = rawJson;
        Parent = parent;
        ParentSource = parentSource;
        Size = size;
        SizeStatus = sizeStatus;
        Checksum = checksum;
        V1Compatibility = v1Compatibility;
        HasTarSplit = hasTarSplit;
    }

    /// <summary>Gets the layer's ID: the directory name.</summary>
    public string Id { get; }

    /// <summary>Gets the full path of <c>graph/&lt;id&gt;</c>.</summary>
    public string Directory { get; }

    /// <summary>Gets the typed image JSON.</summary>
    public ImageJson Image { get; }

    /// <summary>Gets the bytes of <c>json</c> exactly as stored (including any trailing newline).</summary>
    public ReadOnlyMemory<byte> RawJson { get; }

    /// <summary>Gets the parent's ID, or <see langword="null"/> for a base layer.</summary>
    public string? Parent { get; }

    /// <summary>Gets where <see cref="Parent"/> came from.</summary>
    public ParentSource ParentSource { get; }

    /// <summary>Gets the size from <c>layersize</c>, or <see langword="null"/> when unknown (see <see cref="SizeStatus"/>).</summary>
    public long? Size { get; }

    /// <summary>Gets the state of the <c>layersize</c> file.</summary>
    public LayerSizeStatus SizeStatus { get; }

    /// <summary>Gets the content of <c>checksum</c> (e.g. <c>sha256:…</c>), or <see langword="null"/> when absent.</summary>
    public string? Checksum { get; }

    /// <summary>Gets the content of <c>v1Compatibility</c>, or <see langword="null"/> when absent.</summary>
    public string? V1Compatibility { get; }

    /// <summary>Gets whether <c>tar-data.json.gz</c> is present.</summary>
    public bool HasTarSplit { get; }

    /// <summary>Returns the bytes Docker's decoder reads from <see cref="RawJson"/>: its first JSON value, without surrounding whitespace or trailing bytes (invalid UTF-8 replaced).</summary>
    /// <returns>The JSON value's bytes.</returns>
    public ReadOnlyMemory<byte> GetJsonValue() => GoJson.FirstValue(RawJson, Directory + "/" + GraphFiles.Json);

    /// <summary>Reads <c>&lt;graphDirectory&gt;/&lt;id&gt;/</c>.</summary>
    /// <param name="fileSystem">The file system holding the root.</param>
    /// <param name="graphDirectory">The full path of the root's <c>graph</c> directory.</param>
    /// <param name="id">The layer ID (64 lowercase hex).</param>
    /// <returns>The layer.</returns>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a valid ID.</exception>
    /// <exception cref="CorruptFileException">The JSON is missing, not JSON, of the wrong shape, names another ID, or a parent that is not an ID; or one of the files is a fifo, socket or device.</exception>
    /// <exception cref="UnsafePathException">The parent named by the data looks like a path, or the directory or one of the files read is a symbolic link (never followed).</exception>
    /// <exception cref="DirectoryNotFoundException">There is no <c>graph/&lt;id&gt;</c> directory.</exception>
    public static GraphLayer Read(IFileSystem fileSystem, string graphDirectory, string id)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(graphDirectory);
        if (!DockerIds.IsId(id))
        {
            throw new ArgumentException($"'{id}' is not an image ID (64 lowercase hex characters).", nameof(id));
        }

        var directory = fileSystem.Path.Combine(graphDirectory, id);
        NoFollow.RequireNotLink(fileSystem, directory);
        var present = Present.None;
        foreach (var file in fileSystem.Directory.EnumerateFiles(directory))
        {
            present |= Classify(fileSystem.Path.GetFileName(file.AsSpan()));
        }

        var jsonPath = fileSystem.Path.Combine(directory, GraphFiles.Json);
        if ((present & Present.Json) == 0)
        {
            throw new CorruptFileException(jsonPath, "the image JSON is missing");
        }

        var (raw, image) = ReadImage(fileSystem, jsonPath, id);
        var (parent, source) = ReadParent(fileSystem, fileSystem.Path.Combine(directory, GraphFiles.Parent), jsonPath, image.Parent, image.ParentId,
            (present & Present.Parent) != 0);
        var (size, sizeStatus) = (present & Present.LayerSize) != 0
            ? ParseLayerSize(SmallFile.Read(fileSystem, fileSystem.Path.Combine(directory, GraphFiles.LayerSize), SmallFile.LineLimit))
            : (null, LayerSizeStatus.Missing);

        var checksum = (present & Present.Checksum) != 0
            ? SmallFile.ReadText(fileSystem, fileSystem.Path.Combine(directory, GraphFiles.Checksum), SmallFile.LineLimit).TrimEnd('\n', '\r')
            : null;
        var v1 = (present & Present.V1Compatibility) != 0
            ? SmallFile.ReadText(fileSystem, fileSystem.Path.Combine(directory, GraphFiles.V1Compatibility), SmallFile.JsonLimit)
            : null;

        return new GraphLayer(id, directory, image, raw, parent, source, size, sizeStatus, checksum, v1, (present & Present.TarSplit) != 0);
    }

    /// <summary>
    /// Reads what Docker 1.9's <c>restore</c> reads of a layer, and what a listing needs: the image JSON (checked with
    /// <see cref="ImageJsonCheck"/>, not built, when it is of the usual shape), the <c>parent</c> file and <c>layersize</c>,
    /// without listing the directory and without reading <c>checksum</c>,
    /// <c>v1Compatibility</c> or looking for <c>tar-data.json.gz</c>. Returns <see langword="null"/> when anything is
    /// unusual (a file missing, unreadable or malformed): the caller then uses <see cref="Read"/>,
    /// which reports the problem exactly.
    /// </summary>
    internal static (string? Parent, RecordedTime? Created, long? Size)? TryReadForListing(IFileSystem fileSystem, string graphDirectory, string id)
    {
        try
        {
            var directory = fileSystem.Path.Combine(graphDirectory, id);
            NoFollow.RequireNotLink(fileSystem, directory);
            var jsonPath = fileSystem.Path.Combine(directory, GraphFiles.Json);
            ImageJsonCheck.Facts facts;
            using (var raw = SmallFile.ReadRented(fileSystem, jsonPath, SmallFile.JsonLimit))
            {
                // The bytes are not kept (unlike Read's RawJson), so they are read into a pooled buffer.
                if (!ImageJsonCheck.TryCheck(raw.Memory.Span, out facts))
                {
                    var image = GoJson.Deserialize(raw.Memory, DockerJsonContext.Default.ImageJson, jsonPath) ?? new ImageJson();
                    facts = new ImageJsonCheck.Facts(image.Id, image.Parent, image.ParentId, image.Created);
                }
            }

            if (!string.IsNullOrEmpty(facts.Id) && facts.Id != id)
            {
                return null;
            }

            // Exists is true for what Read's listing finds too: anything but a directory, dangling links included.
            var parentPath = fileSystem.Path.Combine(directory, GraphFiles.Parent);
            var (parent, _) = ReadParent(fileSystem, parentPath, jsonPath, facts.Parent, facts.ParentId, fileSystem.File.Exists(parentPath));
            var (size, _) = ParseLayerSize(SmallFile.Read(fileSystem, fileSystem.Path.Combine(directory, GraphFiles.LayerSize), SmallFile.LineLimit));
            return (parent, facts.Created, size);
        }
#pragma warning disable CA1031 // Whatever went wrong, Read does it again and reports it as it always has.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static (byte[] Raw, ImageJson Image) ReadImage(IFileSystem fileSystem, string jsonPath, string id)
    {
        var raw = SmallFile.Read(fileSystem, jsonPath, SmallFile.JsonLimit);
        var image = GoJson.Deserialize(raw, DockerJsonContext.Default.ImageJson, jsonPath) ?? new ImageJson();
        if (!string.IsNullOrEmpty(image.Id) && image.Id != id)
        {
            throw new CorruptFileException(jsonPath, $"its id '{DockerIds.Printable(image.Id)}' differs from the directory name");
        }

        return (raw, image);
    }

    private static (string? Parent, ParentSource Source) ReadParent(IFileSystem fileSystem, string parentPath, string jsonPath, string? jsonParent, string? parentId, bool hasParentFile)
    {
        string? parentFile = null;
        if (hasParentFile)
        {
            parentFile = SmallFile.ReadText(fileSystem, parentPath, SmallFile.LineLimit).TrimEnd('\n', '\r');
        }

        var (parent, source) = ResolveParent(parentFile, jsonParent, parentId);
        if (parent is not null)
        {
            DockerIds.RequireId(parent, source == ParentSource.ParentFile ? parentPath : jsonPath);
        }

        return (parent, source);
    }

    private static Present Classify(ReadOnlySpan<char> name) => name switch
    {
        GraphFiles.Json => Present.Json,
        GraphFiles.LayerSize => Present.LayerSize,
        GraphFiles.Parent => Present.Parent,
        GraphFiles.Checksum => Present.Checksum,
        GraphFiles.V1Compatibility => Present.V1Compatibility,
        GraphFiles.TarSplit => Present.TarSplit,
        _ => Present.None,
    };

    /// <summary>Docker 1.9's <c>loadImage</c> order: a non-empty <c>parent</c> file, else JSON <c>parent</c>, else a valid <c>parent_id</c>'s hex.</summary>
    internal static (string? Parent, ParentSource Source) ResolveParent(string? parentFile, string? jsonParent, string? parentId)
    {
        if (!string.IsNullOrEmpty(parentFile))
        {
            return (parentFile, ParentSource.ParentFile);
        }

        return ImageJson.ParentOf(jsonParent, parentId) switch
        {
            null => (null, ParentSource.None),
            var fromJson when fromJson == jsonParent => (fromJson, ParentSource.Json),
            var fromId => (fromId, ParentSource.ParentId),
        };
    }

    /// <summary>Parses <c>layersize</c>: a non-negative decimal; whitespace around it is tolerated, anything else is malformed.</summary>
    internal static (long? Size, LayerSizeStatus Status) ParseLayerSize(ReadOnlySpan<byte> content)
    {
        var text = System.Text.Encoding.ASCII.GetString(content).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            ? (size, LayerSizeStatus.Present)
            : (null, LayerSizeStatus.Malformed);
    }

    /// <summary>The files of <c>graph/&lt;id&gt;/</c> found by one directory listing.</summary>
    [Flags]
    private enum Present
    {
        None = 0,
        Json = 1,
        LayerSize = 2,
        Parent = 4,
        Checksum = 8,
        V1Compatibility = 16,
        TarSplit = 32,
    }
}

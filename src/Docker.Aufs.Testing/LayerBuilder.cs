using System.Text;
using System.Text.Json.Nodes;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Testing;

/// <summary>
/// Describes one image layer for <see cref="DockerRootBuilder.AddLayer"/>: its ID and parent, its image JSON, the other
/// files of <c>graph/&lt;id&gt;/</c>, and the files of its AUFS branch <c>aufs/diff/&lt;id&gt;/</c>. Paths are relative to
/// the layer root, with <c>/</c> separators. Modes are octal strings such as <c>"0755"</c>.
/// </summary>
/// <remarks>Not thread-safe: configure a builder from one thread.</remarks>
public sealed partial class LayerBuilder
{
    private readonly List<LayerEntry> _entries = [];
    private readonly Dictionary<string, int> _entryIndex = new(StringComparer.Ordinal);

    internal LayerBuilder(string defaultId, DateTimeOffset defaultCreated)
    {
        LayerId = defaultId;
        CreatedTime = defaultCreated;
    }

    internal string LayerId { get; private set; }

    internal string? ParentId { get; private set; }

    internal DateTimeOffset? CreatedTime { get; private set; }

    internal string? CreatedByCommand { get; private set; }

    internal string? CommentText { get; private set; }

    internal string? AuthorText { get; private set; }

    internal string DockerVersionText { get; private set; } = "1.9.1";

    internal ContainerConfig? RunConfig { get; private set; }

    internal Func<ImageJson, ImageJson>? ImageEdit { get; private set; }

    internal Action<JsonObject>? JsonEdit { get; private set; }

    internal byte[]? RawJsonBytes { get; private set; }

    internal ImageJsonStyle Style { get; private set; }

    internal bool OmitIds { get; private set; }

    internal bool WriteLayerSize { get; private set; } = true;

    internal long? LayerSizeOverride { get; private set; }

    internal byte[]? RawLayerSizeBytes { get; private set; }

    internal string? ChecksumText { get; private set; }

    internal string? ParentFileText { get; private set; }

    internal string? V1CompatibilityText { get; private set; }

    internal bool WithDriverData { get; private set; } = true;

    internal IReadOnlyList<LayerEntry> Entries => _entries;

    internal Func<Stream>? TarSource { get; private set; }

    internal TarSplitDialect TarDialect { get; private set; } = TarSplitDialect.Version0910;

    internal string? TarSourceName { get; private set; }

    /// <summary>Sets the layer's ID (64 lowercase hex). Without it, a deterministic ID is generated.</summary>
    /// <param name="id">The ID.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Id(string id)
    {
        LayerId = DockerIds.IsId(id) ? id : throw new ArgumentException($"'{id}' is not an image ID (64 lowercase hex characters).", nameof(id));
        return this;
    }

    /// <summary>Sets the parent layer. It need not have been added to the builder (a root with a missing parent is a valid fixture).</summary>
    /// <param name="parentId">The parent's ID, or <see langword="null"/> for a base layer.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Parent(string? parentId)
    {
        ParentId = parentId is null || DockerIds.IsId(parentId) ? parentId : throw new ArgumentException($"'{parentId}' is not an image ID.", nameof(parentId));
        return this;
    }

    /// <summary>Sets the IDs in the graph driver only, without the image-ID checks (a container's <c>&lt;id&gt;</c> sits on <c>&lt;id&gt;-init</c>).</summary>
    internal LayerBuilder DriverIds(string layerId, string? parentLayerId)
    {
        LayerId = layerId;
        ParentId = parentLayerId;
        return this;
    }

    /// <summary>Sets <c>created</c>; also the default modification time of the layer's entries.</summary>
    /// <param name="created">The creation time.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Created(DateTimeOffset created)
    {
        CreatedTime = created;
        return this;
    }

    /// <summary>Sets <c>container_config.Cmd</c> to <c>["/bin/sh","-c",command]</c>, what <c>docker history</c> shows as CREATED BY.</summary>
    /// <param name="command">The shell command, e.g. <c>#(nop) CMD ["sh"]</c>.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder CreatedBy(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        CreatedByCommand = command;
        return this;
    }

    /// <summary>Sets <c>comment</c>.</summary>
    /// <param name="comment">The comment.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Comment(string comment)
    {
        CommentText = comment;
        return this;
    }

    /// <summary>Sets <c>author</c>.</summary>
    /// <param name="author">The author.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Author(string author)
    {
        AuthorText = author;
        return this;
    }

    /// <summary>Sets <c>docker_version</c> (default <c>1.9.1</c>).</summary>
    /// <param name="version">The version string.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder DockerVersion(string version)
    {
        ArgumentNullException.ThrowIfNull(version);
        DockerVersionText = version;
        return this;
    }

    /// <summary>Sets the image's run configuration (<c>config</c>) from its JSON, as Docker decodes it (for example <c>{"Env":["A=b"],"Cmd":["sh"]}</c>).</summary>
    /// <param name="json">The configuration's JSON.</param>
    /// <returns>This builder.</returns>
    /// <exception cref="CorruptFileException">The JSON is not a container configuration.</exception>
    public LayerBuilder Config(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Config(GoJson.Deserialize(Encoding.UTF8.GetBytes(json), DockerJsonContext.Default.ContainerConfig, "config") ?? new ContainerConfig());
    }

    /// <summary>
    /// Edits the generated image JSON before it is written: any field, in place (a wrong <c>id</c>, an odd architecture, a
    /// field Docker never wrote). Keys keep their order; the result is written with Go's escaping.
    /// </summary>
    /// <param name="edit">Changes the JSON object.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder EditJson(Action<JsonObject> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        JsonEdit = edit;
        return this;
    }

    /// <summary>Sets the image's run configuration (<c>config</c>).</summary>
    internal LayerBuilder Config(ContainerConfig config)
    {
        RunConfig = config;
        return this;
    }

    /// <summary>Edits the generated image JSON model before it is written.</summary>
    internal LayerBuilder Image(Func<ImageJson, ImageJson> edit)
    {
        ArgumentNullException.ThrowIfNull(edit);
        ImageEdit = edit;
        return this;
    }

    /// <summary>Writes these exact bytes as <c>graph/&lt;id&gt;/json</c> instead of generated JSON (for real documents and hostile inputs).</summary>
    /// <param name="json">The file's content.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder RawJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        RawJsonBytes = Encoding.UTF8.GetBytes(json);
        return this;
    }

    /// <summary>Writes these exact bytes as <c>graph/&lt;id&gt;/json</c>.</summary>
    /// <param name="json">The file's content.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder RawJsonBytesOf(byte[] json)
    {
        ArgumentNullException.ThrowIfNull(json);
        RawJsonBytes = [.. json];
        return this;
    }

    /// <summary>Chooses the JSON formatting (default <see cref="ImageJsonStyle.Marshal"/>).</summary>
    /// <param name="style">The style.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder JsonStyle(ImageJsonStyle style)
    {
        Style = style;
        return this;
    }

    /// <summary>Writes the JSON without <c>id</c> and <c>parent</c>, as Docker 1.8.3+ did for content-addressed pulls.</summary>
    /// <returns>This builder.</returns>
    public LayerBuilder StrongIdJson()
    {
        OmitIds = true;
        return this;
    }

    /// <summary>Writes <c>layersize</c> with this value instead of the size computed from the layer's files.</summary>
    /// <param name="size">The size to write.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder LayerSize(long size)
    {
        LayerSizeOverride = size;
        return this;
    }

    /// <summary>Writes these exact bytes as <c>layersize</c> (for malformed fixtures).</summary>
    /// <param name="content">The file's content.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder RawLayerSize(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        RawLayerSizeBytes = Encoding.UTF8.GetBytes(content);
        return this;
    }

    /// <summary>Writes no <c>layersize</c> file (as images of old daemons or interrupted pulls).</summary>
    /// <returns>This builder.</returns>
    public LayerBuilder WithoutLayerSize()
    {
        WriteLayerSize = false;
        return this;
    }

    /// <summary>Writes <c>graph/&lt;id&gt;/checksum</c>.</summary>
    /// <param name="checksum">The digest, e.g. <c>sha256:…</c>.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Checksum(string checksum)
    {
        ChecksumText = checksum;
        return this;
    }

    /// <summary>Writes <c>graph/&lt;id&gt;/parent</c> with this content (Docker 1.8.3+; it overrides the JSON's parent).</summary>
    /// <param name="content">The file's content.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder ParentFile(string content)
    {
        ParentFileText = content;
        return this;
    }

    /// <summary>Writes <c>graph/&lt;id&gt;/v1Compatibility</c>.</summary>
    /// <param name="json">The file's content.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder V1Compatibility(string json)
    {
        V1CompatibilityText = json;
        return this;
    }

    /// <summary>Writes only <c>graph/&lt;id&gt;/</c>, nothing in <c>aufs/</c> (an image of another driver, or lost driver data).</summary>
    /// <returns>This builder.</returns>
    public LayerBuilder WithoutDriverData()
    {
        WithDriverData = false;
        return this;
    }

    /// <summary>
    /// Takes the layer's files from an uncompressed layer tar, applied as Docker 1.9 applied it to AUFS (extracted verbatim into
    /// <c>aufs/diff/&lt;id&gt;</c>, whiteouts kept as files), and writes <c>graph/&lt;id&gt;/tar-data.json.gz</c> in the given
    /// tar-split dialect, so the layer's tar reassembles byte for byte. <c>layersize</c> becomes the size of the extracted files.
    /// The tar is read when <see cref="DockerRootBuilder.Build"/> runs; the stream is disposed after use. Cannot be combined with
    /// the methods that add entries one by one.
    /// </summary>
    /// <param name="openTar">Opens the tar (called once, by <see cref="DockerRootBuilder.Build"/>).</param>
    /// <param name="dialect">The tar-split dialect to write (default: Docker 1.9's).</param>
    /// <param name="sourceName">What to call the tar in errors (a file name, an archive member), or <see langword="null"/> for "the layer tar of &lt;id&gt;".</param>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">Entries were already added one by one.</exception>
    public LayerBuilder FromTar(Func<Stream> openTar, TarSplitDialect dialect = TarSplitDialect.Version0910, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(openTar);
        if (_entries.Count > 0)
        {
            throw new InvalidOperationException("A layer built from a tar cannot also have entries added one by one.");
        }

        TarSource = openTar;
        TarDialect = dialect;
        TarSourceName = sourceName;
        return this;
    }
}

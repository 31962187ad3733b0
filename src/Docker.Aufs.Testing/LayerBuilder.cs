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
/// <remarks>
/// <para>For a content-addressed root (<see cref="ImageStoreKind.ContentAddressed"/>) it describes one build step: the
/// image it makes (its config, from the same JSON methods, plus <c>rootfs</c> and <c>history</c>) and, unless
/// <see cref="EmptyLayer"/>, the one layer the step adds (its files in <c>aufs/diff/&lt;cache-id&gt;/</c>, its record in
/// <c>layerdb/sha256/&lt;ChainID&gt;/</c>). The members that only make sense for <c>graph/</c> (<see cref="Id"/>,
/// <see cref="Checksum"/>, <see cref="V1Compatibility"/>, <see cref="ParentFile"/>, <see cref="StrongIdJson"/>,
/// <see cref="JsonStyle"/>) make the step fail with an <see cref="InvalidOperationException"/> when it is written.</para>
/// <para>Not thread-safe: configure a builder from one thread.</para>
/// </remarks>
public sealed partial class LayerBuilder
{
    /// <summary>The <c>docker_version</c> a content-addressed step writes by default.</summary>
    internal const string DefaultContentAddressedDockerVersion = "17.06.2-ce";

    private readonly List<LayerEntry> _entries = [];
    private readonly Dictionary<string, int> _entryIndex = new(StringComparer.Ordinal);
    private readonly List<string> _graphOnlyMembers = [];

    internal LayerBuilder(string defaultId, DateTimeOffset defaultCreated, ImageStoreKind store = ImageStoreKind.Graph)
    {
        LayerId = defaultId;
        CreatedTime = defaultCreated;
        Store = store;
        if (store == ImageStoreKind.ContentAddressed)
        {
            DockerVersionText = DefaultContentAddressedDockerVersion;
        }
    }

    /// <summary>Gets the kind of root the layer is written into.</summary>
    internal ImageStoreKind Store { get; }

    /// <summary>Gets the graph-only members that were called (an error in a content-addressed root), in call order.</summary>
    internal IReadOnlyList<string> GraphOnlyMembers => _graphOnlyMembers;

    /// <summary>Gets whether the step makes no layer (content-addressed roots).</summary>
    internal bool IsEmptyLayer { get; private set; }

    /// <summary>Gets whether the layer's tar-split data is written.</summary>
    internal bool WriteTarSplit { get; private set; } = true;

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

    /// <summary>
    /// Sets the layer's ID (64 lowercase hex). Without it, a deterministic ID is generated. Graph-era roots only: in a
    /// content-addressed root the image ID is the SHA-256 of the config, and writing the step throws.
    /// </summary>
    /// <param name="id">The ID.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Id(string id)
    {
        _graphOnlyMembers.Add(nameof(Id));
        LayerId = DockerIds.IsId(id) ? id : throw new ArgumentException($"'{id}' is not an image ID (64 lowercase hex characters).", nameof(id));
        return this;
    }

    /// <summary>
    /// Sets the parent layer. In a graph-era root it need not have been added to the builder (a root with a missing parent is
    /// a valid fixture). In a content-addressed root it is the parent image (<c>sha256:…</c>, as
    /// <see cref="DockerRootBuilder.AddLayer"/> returned it; 64 hex alone are taken as SHA-256), which must have been added
    /// before: the new image has its layers and history, then this step's.
    /// </summary>
    /// <param name="parentId">The parent's ID, or <see langword="null"/> for a base layer.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Parent(string? parentId)
    {
        if (Store == ImageStoreKind.ContentAddressed && parentId is not null)
        {
            ParentId = Digests.IsSha256(parentId) ? parentId
                : DockerIds.IsId(parentId) ? Digests.Sha256Prefix + parentId
                : throw new ArgumentException($"'{parentId}' is not an image ID (sha256: and 64 lowercase hex characters).", nameof(parentId));
            return this;
        }

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

    /// <summary>
    /// Sets <c>container_config.Cmd</c> to <c>["/bin/sh","-c",command]</c>, what <c>docker history</c> shows as CREATED BY
    /// (in a content-addressed root also the history item's <c>created_by</c>, <c>/bin/sh -c command</c>).
    /// </summary>
    /// <param name="command">The shell command, e.g. <c>#(nop) CMD ["sh"]</c>.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder CreatedBy(string command)
    {
        ArgumentNullException.ThrowIfNull(command);
        CreatedByCommand = command;
        return this;
    }

    /// <summary>Sets <c>comment</c> (in a content-addressed root also the history item's).</summary>
    /// <param name="comment">The comment.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Comment(string comment)
    {
        CommentText = comment;
        return this;
    }

    /// <summary>Sets <c>author</c> (in a content-addressed root also the history item's).</summary>
    /// <param name="author">The author.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Author(string author)
    {
        AuthorText = author;
        return this;
    }

    /// <summary>Sets <c>docker_version</c> (default <c>1.9.1</c>; <c>17.06.2-ce</c> in a content-addressed root).</summary>
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
    /// field Docker never wrote). Keys keep their order; the result is written with Go's escaping. In a content-addressed
    /// root the edit applies to the final config (with <c>rootfs</c> and <c>history</c>), whose SHA-256 is then the image ID.
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

    /// <summary>
    /// Writes these exact bytes as <c>graph/&lt;id&gt;/json</c> instead of generated JSON (for real documents and hostile
    /// inputs); in a content-addressed root, as the image config (its SHA-256 is the image ID).
    /// </summary>
    /// <param name="json">The file's content.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder RawJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        RawJsonBytes = Encoding.UTF8.GetBytes(json);
        return this;
    }

    /// <summary>Writes these exact bytes as <c>graph/&lt;id&gt;/json</c> (in a content-addressed root, as the image config).</summary>
    /// <param name="json">The file's content.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder RawJsonBytesOf(byte[] json)
    {
        ArgumentNullException.ThrowIfNull(json);
        RawJsonBytes = [.. json];
        return this;
    }

    /// <summary>Chooses the JSON formatting (default <see cref="ImageJsonStyle.Marshal"/>). Graph-era roots only.</summary>
    /// <param name="style">The style.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder JsonStyle(ImageJsonStyle style)
    {
        _graphOnlyMembers.Add(nameof(JsonStyle));
        Style = style;
        return this;
    }

    /// <summary>Writes the JSON without <c>id</c> and <c>parent</c>, as Docker 1.8.3+ did for content-addressed pulls. Graph-era roots only.</summary>
    /// <returns>This builder.</returns>
    public LayerBuilder StrongIdJson()
    {
        _graphOnlyMembers.Add(nameof(StrongIdJson));
        OmitIds = true;
        return this;
    }

    /// <summary>
    /// Writes <c>layersize</c> (in a content-addressed root, <c>layerdb/sha256/&lt;ChainID&gt;/size</c>) with this value
    /// instead of the size computed from the layer's files.
    /// </summary>
    /// <param name="size">The size to write.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder LayerSize(long size)
    {
        LayerSizeOverride = size;
        return this;
    }

    /// <summary>Writes these exact bytes as <c>layersize</c> (in a content-addressed root, the layer record's <c>size</c>) for malformed fixtures.</summary>
    /// <param name="content">The file's content.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder RawLayerSize(string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        RawLayerSizeBytes = Encoding.UTF8.GetBytes(content);
        return this;
    }

    /// <summary>Writes no <c>layersize</c> file (as images of old daemons or interrupted pulls); in a content-addressed root, no <c>size</c> in the layer record.</summary>
    /// <returns>This builder.</returns>
    public LayerBuilder WithoutLayerSize()
    {
        WriteLayerSize = false;
        return this;
    }

    /// <summary>Writes <c>graph/&lt;id&gt;/checksum</c>. Graph-era roots only.</summary>
    /// <param name="checksum">The digest, e.g. <c>sha256:…</c>.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder Checksum(string checksum)
    {
        _graphOnlyMembers.Add(nameof(Checksum));
        ChecksumText = checksum;
        return this;
    }

    /// <summary>Writes <c>graph/&lt;id&gt;/parent</c> with this content (Docker 1.8.3+; it overrides the JSON's parent). Graph-era roots only.</summary>
    /// <param name="content">The file's content.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder ParentFile(string content)
    {
        _graphOnlyMembers.Add(nameof(ParentFile));
        ParentFileText = content;
        return this;
    }

    /// <summary>Writes <c>graph/&lt;id&gt;/v1Compatibility</c>. Graph-era roots only.</summary>
    /// <param name="json">The file's content.</param>
    /// <returns>This builder.</returns>
    public LayerBuilder V1Compatibility(string json)
    {
        _graphOnlyMembers.Add(nameof(V1Compatibility));
        V1CompatibilityText = json;
        return this;
    }

    /// <summary>
    /// Writes only <c>graph/&lt;id&gt;/</c>, nothing in <c>aufs/</c> (an image of another driver, or lost driver data). In a
    /// content-addressed root the config and the layer record are written (with the DiffID and tar-split data of the files
    /// described), but not the layer's <c>aufs/</c> data.
    /// </summary>
    /// <returns>This builder.</returns>
    public LayerBuilder WithoutDriverData()
    {
        WithDriverData = false;
        return this;
    }

    /// <summary>
    /// Makes the step add no layer, as Docker's build does for <c>ENV</c>, <c>LABEL</c>, <c>CMD</c> and the like: its history
    /// item is <c>empty_layer</c> and the image has its parent's layers (content-addressed roots). In a graph-era root, where
    /// every step is a layer, it only states that the layer has no files.
    /// </summary>
    /// <returns>This builder.</returns>
    /// <exception cref="InvalidOperationException">The layer already has files (or is built from a tar).</exception>
    public LayerBuilder EmptyLayer()
    {
        if (_entries.Count > 0 || TarSource is not null)
        {
            throw new InvalidOperationException("An empty layer cannot have files: this layer already has entries or a tar.");
        }

        IsEmptyLayer = true;
        return this;
    }

    /// <summary>
    /// Writes no tar-split data for the layer (a damaged-root fixture: its tar can then only be regenerated): in a
    /// content-addressed root no <c>tar-split.json.gz</c> in its layer record; in a graph-era root, for a layer made with
    /// <see cref="FromTar"/>, no <c>tar-data.json.gz</c>.
    /// </summary>
    /// <returns>This builder.</returns>
    public LayerBuilder WithoutTarSplit()
    {
        WriteTarSplit = false;
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
    /// <remarks>
    /// In a content-addressed root the tar is read when the step is added (<see cref="DockerRootBuilder.AddLayer"/>), written
    /// as <c>tar-split.json.gz</c> of the layer record, and its SHA-256, exactly as given, is the layer's DiffID.
    /// </remarks>
    /// <exception cref="InvalidOperationException">Entries were already added one by one, or the step is an <see cref="EmptyLayer"/>.</exception>
    public LayerBuilder FromTar(Func<Stream> openTar, TarSplitDialect dialect = TarSplitDialect.Version0910, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(openTar);
        if (_entries.Count > 0)
        {
            throw new InvalidOperationException("A layer built from a tar cannot also have entries added one by one.");
        }

        if (IsEmptyLayer)
        {
            throw new InvalidOperationException("An empty layer cannot be built from a tar.");
        }

        TarSource = openTar;
        TarDialect = dialect;
        TarSourceName = sourceName;
        return this;
    }
}

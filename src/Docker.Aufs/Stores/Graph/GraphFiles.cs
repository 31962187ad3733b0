namespace Docker.Aufs.Stores.Graph;

/// <summary>The names of the files in <c>graph/&lt;id&gt;/</c> (docs/format/graph-era.md §4.1), shared by the readers and the builder.</summary>
internal static class GraphFiles
{
    /// <summary>The image JSON.</summary>
    public const string Json = "json";

    /// <summary>The layer size in bytes, decimal, no newline.</summary>
    public const string LayerSize = "layersize";

    /// <summary>The layer's registry digest (1.5+: tarsum; 1.6+: sha256 of the compressed blob).</summary>
    public const string Checksum = "checksum";

    /// <summary>The parent's graph ID when it differs from the JSON's (1.8.3+).</summary>
    public const string Parent = "parent";

    /// <summary>The raw v1Compatibility JSON of a schema-1 manifest (1.8.3+).</summary>
    public const string V1Compatibility = "v1Compatibility";

    /// <summary>The tar-split metadata of the layer tar as applied (1.8.0+).</summary>
    public const string TarSplit = "tar-data.json.gz";

    /// <summary>The staging directory under <c>graph/</c>.</summary>
    public const string TempDirectory = "_tmp";
}

/// <summary>Where a layer's parent ID came from (docs/format/graph-era.md §11.5: the <c>parent</c> file, else JSON <c>parent</c>, else <c>parent_id</c>).</summary>
internal enum ParentSource
{
    /// <summary>The layer has no parent.</summary>
    None,

    /// <summary>The <c>parent</c> file in <c>graph/&lt;id&gt;/</c>.</summary>
    ParentFile,

    /// <summary>The <c>parent</c> key of the image JSON.</summary>
    Json,

    /// <summary>The hex of the JSON's <c>parent_id</c> (<c>sha256:…</c>).</summary>
    ParentId,
}

/// <summary>The state of a layer's <c>layersize</c> file.</summary>
internal enum LayerSizeStatus
{
    /// <summary>A decimal size was read (surrounding whitespace, which Docker would reject, is tolerated).</summary>
    Present,

    /// <summary>There is no <c>layersize</c> file: the size is unknown (Docker recomputes it on first use).</summary>
    Missing,

    /// <summary>The file does not hold a non-negative decimal number: the size is unknown.</summary>
    Malformed,
}

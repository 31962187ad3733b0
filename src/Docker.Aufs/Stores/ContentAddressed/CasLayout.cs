namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary>
/// The names of the content-addressed store of Docker 1.10–23.x, under <c>image/&lt;driver&gt;/</c>
/// (docs/format/content-addressed.md §2–§7).
/// </summary>
internal static class CasLayout
{
    /// <summary>The directory of the stores, one per driver: <c>image/</c>.</summary>
    public const string ImageDirectory = "image";

    /// <summary>The reference store: <c>repositories.json</c>.</summary>
    public const string Repositories = "repositories.json";

    /// <summary>Image configs, by the hex of their digest: <c>imagedb/content/sha256/</c>.</summary>
    public const string Content = "imagedb/content/sha256";

    /// <summary>Per-image metadata directories: <c>imagedb/metadata/sha256/</c>.</summary>
    public const string Metadata = "imagedb/metadata/sha256";

    /// <summary>Read-only layers, by the hex of their ChainID: <c>layerdb/sha256/</c>.</summary>
    public const string Layers = "layerdb/sha256";

    /// <summary>Containers' read-write layers, by container ID: <c>layerdb/mounts/</c>.</summary>
    public const string Mounts = "layerdb/mounts";

    /// <summary>Staging of layer registrations: <c>layerdb/tmp/</c>.</summary>
    public const string Staging = "layerdb/tmp";

    /// <summary>A layer's DiffID.</summary>
    public const string DiffFile = "diff";

    /// <summary>A layer's size in bytes (decimal).</summary>
    public const string SizeFile = "size";

    /// <summary>A layer's directory name in the storage driver.</summary>
    public const string CacheIdFile = "cache-id";

    /// <summary>A layer's parent ChainID, an image's parent image ID, a mount's parent ChainID.</summary>
    public const string ParentFile = "parent";

    /// <summary>A layer's tar-split data.</summary>
    public const string TarSplitFile = "tar-split.json.gz";

    /// <summary>The time of an image's last tag operation (17.07+).</summary>
    public const string LastUpdatedFile = "lastUpdated";

    /// <summary>A mount's directory name in the storage driver.</summary>
    public const string MountIdFile = "mount-id";

    /// <summary>A mount's init layer in the storage driver.</summary>
    public const string InitIdFile = "init-id";

    /// <summary>The store directory of a driver, relative to the root: <c>image/&lt;driver&gt;</c>.</summary>
    public static string StoreDirectory(string driver) => ImageDirectory + "/" + driver;
}

namespace Docker.Aufs;

/// <summary>How serious a finding is.</summary>
public enum FindingSeverity
{
    /// <summary>Worth knowing, harmless: leftovers of normal operation, data Docker itself recomputes.</summary>
    Info,

    /// <summary>Something Docker would ignore or work around, but that loses or hides data: an orphan layer, a tag of a missing image.</summary>
    Warning,

    /// <summary>Data that cannot be used as it is: a broken chain, a corrupt file, content that no longer matches its checksum.</summary>
    Error,
}

/// <summary>One problem found in a root: a stable code, a severity, the path that shows it, what is wrong, and what to do.</summary>
/// <param name="Code">A stable kebab-case code (see <see cref="FindingCodes"/>), for scripts.</param>
/// <param name="Severity">How serious it is.</param>
/// <param name="Path">The file or directory that shows the problem.</param>
/// <param name="Message">What is wrong, in one line.</param>
/// <param name="Hint">What to do about it, in one line.</param>
/// <threadsafety static="true" instance="true"/>
public sealed record FsckFinding(string Code, FindingSeverity Severity, string Path, string Message, string Hint);

/// <summary>The result of <see cref="RootChecker.Check"/>: every finding, sorted by path and code.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed class FsckReport
{
    /// <summary>Initializes a report.</summary>
    /// <param name="root">The full path of the checked root.</param>
    /// <param name="driver">The storage driver whose data was checked.</param>
    /// <param name="findings">The findings.</param>
    public FsckReport(string root, string driver, IReadOnlyList<FsckFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(findings);
        Root = root;
        Driver = driver;
        Findings = findings;
    }

    /// <summary>Gets the full path of the checked root.</summary>
    public string Root { get; }

    /// <summary>Gets the storage driver whose data was checked.</summary>
    public string Driver { get; }

    /// <summary>Gets the findings, sorted by path, then code.</summary>
    public IReadOnlyList<FsckFinding> Findings { get; }

    /// <summary>Gets whether there is no finding at all.</summary>
    public bool IsClean => Findings.Count == 0;
}

/// <summary>The stable codes of <see cref="FsckFinding.Code"/>. Never renamed once released; new checks add codes.</summary>
public static class FindingCodes
{
    /// <summary>Several storage drivers left data in the root.</summary>
    public const string SeveralDrivers = "several-drivers";

    /// <summary>The root holds no image store this version reads, only a storage driver's data: its layers can be read, not its images.</summary>
    public const string NoImageStore = "no-image-store";

    /// <summary>A Docker 1.10+ store (<c>image/</c>) lies beside <c>graph/</c>: the root was migrated.</summary>
    public const string MigratedRoot = "migrated-root";

    /// <summary>
    /// A symbolic link where Docker never writes one (a layer's <c>diff</c> or <c>mnt</c> directory other than Docker 0.7's
    /// migration link, <c>aufs/layers/&lt;id&gt;</c>, <c>graph/&lt;id&gt;</c> or a file in it, <c>graph/_tmp</c>, the tag
    /// store, <c>containers/</c>, <c>containers/&lt;id&gt;</c> or its configuration files): not followed, as it could lead
    /// outside the root.
    /// </summary>
    public const string UnsafeLink = "unsafe-link";

    /// <summary>An entry under <c>graph/</c> that is not an image directory, <c>_tmp</c> or a removal leftover.</summary>
    public const string UnexpectedGraphEntry = "unexpected-graph-entry";

    /// <summary>A staging leftover in <c>graph/_tmp/</c>.</summary>
    public const string LeftoverTemp = "leftover-tmp";

    /// <summary>A <c>*-removing</c> directory left by an interrupted removal.</summary>
    public const string LeftoverRemoving = "leftover-removing";

    /// <summary>The Docker 0.7 removal directory <c>aufs/tmp</c>.</summary>
    public const string LeftoverAufsTemp = "leftover-aufs-tmp";

    /// <summary>An image JSON that cannot be read (missing, truncated, not JSON, wrong types).</summary>
    public const string JsonCorrupt = "json-corrupt";

    /// <summary>An image JSON whose <c>id</c> differs from its directory.</summary>
    public const string JsonIdMismatch = "json-id-mismatch";

    /// <summary>A layer whose parent has no <c>graph/</c> directory.</summary>
    public const string MissingParent = "missing-parent";

    /// <summary>A parent chain that loops.</summary>
    public const string ChainCycle = "chain-cycle";

    /// <summary>The <c>graph/</c> chain and the driver's <c>aufs/layers/&lt;id&gt;</c> disagree.</summary>
    public const string ChainMismatch = "chain-mismatch";

    /// <summary>An <c>aufs/layers/&lt;id&gt;</c> file that cannot be read.</summary>
    public const string LayersFileCorrupt = "layers-file-corrupt";

    /// <summary>A driver's record of a layer's ancestors (<c>aufs/layers/&lt;id&gt;</c>, overlay2's <c>lower</c>) that names a layer twice, or the layer itself: the union mount of that chain fails.</summary>
    public const string DuplicateBranch = "duplicate-branch";

    /// <summary>A <c>graph/&lt;id&gt;</c> without driver data: Docker ignores such an image.</summary>
    public const string GraphWithoutDriverData = "graph-without-driver-data";

    /// <summary>A driver layer that is neither an image nor a container's layer.</summary>
    public const string OrphanDriverLayer = "orphan-driver-layer";

    /// <summary>An image layer without its <c>aufs/diff/&lt;id&gt;</c> directory.</summary>
    public const string DiffMissing = "diff-missing";

    /// <summary>A layer without its <c>aufs/mnt/&lt;id&gt;</c> mount point.</summary>
    public const string MountMissing = "mnt-missing";

    /// <summary>A non-empty <c>aufs/mnt/&lt;id&gt;</c>: the root is a snapshot of a running host.</summary>
    public const string MountPopulated = "mnt-populated";

    /// <summary>No <c>layersize</c> file.</summary>
    public const string LayerSizeMissing = "layersize-missing";

    /// <summary>A <c>layersize</c> that is not a decimal number.</summary>
    public const string LayerSizeMalformed = "layersize-malformed";

    /// <summary>A <c>layersize</c> that differs from the size of the layer's diff directory.</summary>
    public const string LayerSizeMismatch = "layersize-mismatch";

    /// <summary>No tag store for the driver.</summary>
    public const string RepositoriesMissing = "repositories-missing";

    /// <summary>An empty tag store (a full disk while Docker saved it).</summary>
    public const string RepositoriesEmpty = "repositories-empty";

    /// <summary>A truncated or corrupt tag store.</summary>
    public const string RepositoriesCorrupt = "repositories-corrupt";

    /// <summary>A <c>repositories-*.corrupt</c> copy Docker set aside.</summary>
    public const string RepositoriesCorruptCopy = "repositories-corrupt-copy";

    /// <summary>A tag whose value is not an image ID.</summary>
    public const string TagTargetInvalid = "tag-target-invalid";

    /// <summary>A tag pointing at an image the root does not have.</summary>
    public const string TagTargetMissing = "tag-target-missing";

    /// <summary>A layer without <c>tar-data.json.gz</c> in a root whose other layers have one (written by Docker 1.8+).</summary>
    public const string TarSplitMissing = "tarsplit-missing";

    /// <summary><c>tar-data.json.gz</c> that cannot be read (not gzip, truncated, not tar-split, a path outside the layer).</summary>
    public const string TarSplitCorrupt = "tarsplit-corrupt";

    /// <summary>A file of the layer that no longer matches its tar-split record: changed (CRC-64), resized or missing.</summary>
    public const string TarSplitMismatch = "tarsplit-mismatch";

    /// <summary>A member the tar-split data records as one type of file (a directory, a link, a device) that the layer directory holds as another.</summary>
    public const string TarSplitTypeMismatch = "tarsplit-type-mismatch";

    /// <summary>A symbolic link whose target in the layer directory is not the one its tar-split header records.</summary>
    public const string TarSplitLinkMismatch = "tarsplit-link-mismatch";

    /// <summary>A member whose recorded mode (permissions, set-user-ID, set-group-ID, sticky) differs from its file's.</summary>
    public const string TarSplitModeMismatch = "tarsplit-mode-mismatch";

    /// <summary>A member whose recorded numeric owner or group differs from its file's.</summary>
    public const string TarSplitOwnerMismatch = "tarsplit-owner-mismatch";

    /// <summary>A device member whose recorded major or minor number differs from the device node's.</summary>
    public const string TarSplitDeviceMismatch = "tarsplit-device-mismatch";

    /// <summary>tar-split data naming a member (or a hard link's target) by an absolute path, with <c>..</c> or a NUL byte: crafted, never written by Docker.</summary>
    public const string TarSplitUnsafeName = "tarsplit-unsafe-name";

    /// <summary>
    /// A directory the layer's original tar marks opaque (<c>.wh..wh..opq</c> in its tar-split data) whose copy in the driver's
    /// directory has no opaque attribute: the root was copied without extended attributes, so Docker's mount would show
    /// files of the layers below the directory.
    /// </summary>
    public const string OpaqueAttributeLost = "opaque-attribute-lost";

    /// <summary>A container whose <c>config.json</c> or <c>hostconfig.json</c> cannot be read.</summary>
    public const string ContainerConfigCorrupt = "container-config-corrupt";

    /// <summary>A container whose image is not in the root.</summary>
    public const string ContainerImageMissing = "container-image-missing";

    /// <summary>A container without its read-write layer <c>&lt;id&gt;</c> or init layer <c>&lt;id&gt;-init</c> in the driver.</summary>
    public const string ContainerLayerMissing = "container-layer-missing";

    /// <summary>An image config of <c>imagedb/content/sha256/</c> whose SHA-256 is not its name (Docker: "failed to verify image").</summary>
    public const string ConfigDigestMismatch = "config-digest-mismatch";

    /// <summary>An image config that does not decode as Docker decodes it (not JSON, no <c>rootfs</c>, a DiffID that is not a digest).</summary>
    public const string ConfigCorrupt = "config-corrupt";

    /// <summary>A layer of <c>layerdb/sha256/</c> Docker cannot load: <c>diff</c>, <c>size</c> or <c>cache-id</c> missing or unreadable.</summary>
    public const string LayerRecordCorrupt = "layer-record-corrupt";

    /// <summary>A layer of <c>layerdb/sha256/</c> whose directory name is not the ChainID of its parent and DiffID.</summary>
    public const string ChainIdMismatch = "chainid-mismatch";

    /// <summary>An image whose layers are not all in <c>layerdb/sha256/</c> (or whose chain there loops or disagrees with its config).</summary>
    public const string ImageLayerMissing = "image-layer-missing";

    /// <summary>A layer of <c>layerdb/sha256/</c> that no image and no container uses.</summary>
    public const string OrphanLayer = "orphan-layer";

    /// <summary>A read-write layer record of <c>layerdb/mounts/</c> whose container is gone.</summary>
    public const string OrphanMount = "orphan-mount";

    /// <summary>A container without a usable read-write layer record in <c>layerdb/mounts/</c> (Docker does not load it).</summary>
    public const string ContainerMountMissing = "container-mount-missing";

    /// <summary>A layer whose tar, reassembled from its tar-split data, does not hash to the DiffID its record holds.</summary>
    public const string DiffIdMismatch = "diffid-mismatch";

    /// <summary>A reference store key that does not parse as a reference (Docker ignores it).</summary>
    public const string ReferenceInvalid = "reference-invalid";

    /// <summary>An image whose metadata <c>parent</c> names an image that is not in the store (Docker tolerates it).</summary>
    public const string ImageParentMissing = "image-parent-missing";

    /// <summary>An image config whose <c>history</c> has more non-empty entries than it has layers.</summary>
    public const string HistoryMismatch = "history-mismatch";

    /// <summary>A Docker 1.9 <c>graph/</c> lies beside the content-addressed store: images the migration did not carry over are only there.</summary>
    public const string GraphNotMigrated = "graph-not-migrated";

    /// <summary>
    /// A file or directory of the root that this process may not read (a root-owned copy read by another user): the path is
    /// the first directory on the way that cannot be searched, or the file or directory that cannot be read; the message
    /// gives its mode and owner and what could not be checked. Everything else is still checked.
    /// </summary>
    public const string Unreadable = "unreadable";

    /// <summary>An entry of a content-addressed store directory that is not named like a digest (Docker ignores it).</summary>
    public const string UnexpectedStoreEntry = "unexpected-store-entry";
}

namespace Docker.Aufs.Formats;

/// <summary>Names of the top-level entries of a legacy Docker root (docs/format/graph-era.md §2).</summary>
internal static class LegacyLayout
{
    /// <summary>Docker's default root, <c>/var/lib/docker</c>.</summary>
    public const string DefaultRoot = "/var/lib/docker";

    /// <summary>The directory holding one subdirectory per image layer.</summary>
    public const string GraphDirectory = "graph";

    /// <summary>The directory holding one subdirectory per container.</summary>
    public const string ContainersDirectory = "containers";
}

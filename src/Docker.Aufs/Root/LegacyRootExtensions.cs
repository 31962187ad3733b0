using Docker.Aufs.Building;

namespace Docker.Aufs;

/// <summary>Opens roots written by <see cref="LegacyRootBuilder"/>.</summary>
/// <threadsafety static="true" instance="true"/>
public static class LegacyRootExtensions
{
    /// <summary>Opens a built root with the metadata the builder recorded (owners, inodes, link targets, device numbers).</summary>
    /// <param name="root">The built root.</param>
    /// <param name="options">Options; unless they name a <see cref="DockerRootOptions.Metadata"/> provider, the recorded one is used.</param>
    /// <returns>The opened root.</returns>
    /// <exception cref="NotALegacyRootException">The root was removed or damaged since it was built.</exception>
    public static IDockerRoot Open(this LegacyRoot root, DockerRootOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        options ??= DockerRootOptions.Default;
        return DockerRoot.Open(root.FileSystem, root.Path, options.Metadata is null ? options with { Metadata = root.Metadata } : options);
    }
}

using Docker.Aufs.Drivers.Aufs;
using Docker.Aufs.Stores.ContentAddressed;
using Docker.Aufs.Stores.Graph;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>The internals of a root opened by <see cref="DockerRoot.Open"/>, for tests of the image stores and the AUFS driver.</summary>
internal static class RootInternals
{
    /// <summary>The root's graph-era image store.</summary>
    public static GraphStore Graph(this IDockerRoot root) => (GraphStore)((DockerRoot)root).ImageStore;

    /// <summary>The root's content-addressed image store.</summary>
    public static CasStore Cas(this IDockerRoot root) => (CasStore)((DockerRoot)root).ImageStore;

    /// <summary>The root's AUFS driver, or <see langword="null"/> when it is read with another driver.</summary>
    public static AufsDriver? AufsDriver(this IDockerRoot root) => ((DockerRoot)root).LayerDriver as AufsDriver;
}

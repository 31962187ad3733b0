using System.IO.Abstractions;

namespace Docker.Aufs.IO;

/// <summary>Chooses the metadata provider for a file system: <see cref="LinuxMetadataProvider"/> for the real one on Linux, <see cref="FileSystemMetadataProvider"/> otherwise; and the file system a root is read through.</summary>
internal static class MetadataProviders
{
    public static IUnixMetadataProvider For(IFileSystem fileSystem) =>
        OperatingSystem.IsLinux() && fileSystem is System.IO.Abstractions.FileSystem
            ? LinuxMetadataProvider.Instance
            : new FileSystemMetadataProvider(fileSystem);

    /// <summary>
    /// The file system to read a root through: in place of the real one on Linux, <see cref="NoAtimeFileSystem"/>, which
    /// leaves access times alone; anything else (an in-memory file system, a caller's own) as it is.
    /// </summary>
    public static IFileSystem Quiet(IFileSystem fileSystem) =>
        OperatingSystem.IsLinux() && fileSystem.GetType() == typeof(System.IO.Abstractions.FileSystem) ? new NoAtimeFileSystem() : fileSystem;
}

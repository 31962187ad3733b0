using System.IO.Abstractions;

namespace Docker.Aufs.IO;

/// <summary>Chooses the metadata provider for a file system: <see cref="LinuxMetadataProvider"/> for the real one on Linux, <see cref="FileSystemMetadataProvider"/> otherwise.</summary>
internal static class MetadataProviders
{
    public static IUnixMetadataProvider For(IFileSystem fileSystem) =>
        OperatingSystem.IsLinux() && fileSystem is System.IO.Abstractions.FileSystem
            ? LinuxMetadataProvider.Instance
            : new FileSystemMetadataProvider(fileSystem);
}

using System.IO.Abstractions;

namespace Docker.Aufs.IO;

/// <summary>Lists a directory with what is known of each entry's type, the best way the providers allow.</summary>
internal static class DirectoryListing
{
    /// <summary>
    /// The names in <paramref name="directory"/>: with the kernel's entry types when <paramref name="metadata"/> can list
    /// (<see cref="IUnixDirectoryReader"/>), else from two <see cref="IFileSystem"/> listings, which count links to
    /// directories among the directories (those names are left for an <c>lstat</c>).
    /// </summary>
    public static IEnumerable<DirectoryName> Read(IFileSystem fileSystem, IUnixMetadataProvider metadata, string directory)
    {
        if (metadata is IUnixDirectoryReader reader)
        {
            return reader.ReadDirectory(directory);
        }

        var directories = new HashSet<string>(fileSystem.Directory.EnumerateDirectories(directory).Select(p => NameOf(fileSystem, p, directory)), StringComparer.Ordinal);
        return fileSystem.Directory.EnumerateFileSystemEntries(directory).Select(p => NameOf(fileSystem, p, directory))
            .Select(name => new DirectoryName(name, directories.Contains(name) ? null : false));
    }

    /// <summary>The name of a listed entry: the part after its directory's path (which may hold characters a file system's path parser would not keep).</summary>
    public static string NameOf(IFileSystem fileSystem, string entryPath, string directory) =>
        entryPath.Length > directory.Length + 1 && entryPath[directory.Length] == '/' && entryPath.StartsWith(directory, StringComparison.Ordinal)
            ? entryPath[(directory.Length + 1)..]
            : fileSystem.Path.GetFileName(entryPath);
}

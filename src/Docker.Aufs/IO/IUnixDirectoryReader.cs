namespace Docker.Aufs.IO;

/// <summary>One name of a directory listing, with what the listing itself says about its type.</summary>
/// <param name="Name">The entry's name.</param>
/// <param name="IsDirectory">
/// <see langword="true"/> for a directory (never a link to one), <see langword="false"/> for anything else (links
/// included), <see langword="null"/> when the listing does not say: ask <see cref="IUnixMetadataProvider"/>.
/// </param>
/// <param name="IsCharacterDevice">
/// Whether the listing says the entry is a character device (an overlay whiteout may be); <see langword="null"/> when it
/// does not say.
/// </param>
/// <threadsafety static="true" instance="true"/>
internal readonly record struct DirectoryName(string Name, bool? IsDirectory, bool? IsCharacterDevice = null)
{
    /// <summary>Gets whether the listing says the entry is a symbolic link; <see langword="null"/> when it does not say.</summary>
    public bool? IsSymbolicLink { get; init; }
}

/// <summary>
/// An optional companion of <see cref="IUnixMetadataProvider"/>: lists a directory with the entry types the kernel reports
/// with the names (<c>d_type</c> of <c>getdents(2)</c>), which <see cref="System.IO.Abstractions.IFileSystem"/> cannot
/// give without a second listing or an <c>lstat</c> per entry. Readers of large trees use it when the metadata provider
/// implements it, and fall back to <see cref="System.IO.Abstractions.IFileSystem"/> otherwise. Nothing is followed.
/// </summary>
internal interface IUnixDirectoryReader
{
    /// <summary>Lists the entries of a directory (without <c>.</c> and <c>..</c>), in the order the file system returns them.</summary>
    /// <param name="path">The full path of a directory.</param>
    /// <returns>The names and, where the listing says, whether each is a directory.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory may not be read.</exception>
    /// <exception cref="IOException">The directory cannot be read.</exception>
    IEnumerable<DirectoryName> ReadDirectory(string path);
}

using System.IO.Abstractions;
using System.IO.Enumeration;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.IO;

/// <summary>
/// The real file system, read without touching access times (docs/hostile-input.md, "Access times"): files opened for
/// reading and directories listed through it are opened with <c>O_NOATIME</c> where the kernel allows it (the owner of
/// the file, or a process with <c>CAP_FOWNER</c>, such as root), and as usual otherwise. Everything else, and every
/// write, is the real file system's. A root opened on <see cref="FileSystem"/> reads through it, so that no command
/// changes an access time in a root a forensic examiner hands it; the few reads it cannot make quiet are named in that
/// document (a symbolic link's target: Linux updates the link's access time on every <c>readlink</c>).
/// <see cref="MetadataProviders.Quiet"/> puts it in place.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class NoAtimeFileSystem : FileSystem
{
    public NoAtimeFileSystem()
    {
        File = new QuietFile(this);
        Directory = new QuietDirectory(this);
        FileStream = new QuietFileStreamFactory(this, base.FileStream);
    }

    /// <inheritdoc/>
    public override IFile File { get; }

    /// <inheritdoc/>
    public override IDirectory Directory { get; }

    /// <inheritdoc/>
    public override IFileStreamFactory FileStream { get; }

    /// <summary>Opens a file for reading without touching its access time, or <see langword="null"/> to leave the open to .NET (it is not a regular file, or the open failed: .NET's own open then reports it as it always has).</summary>
    private static SafeFileHandle? TryOpen(string path)
    {
        var descriptor = LinuxNative.OpenQuietly(path, nonBlocking: false);
        if (descriptor < 0)
        {
            return null;
        }

        if (!LinuxNative.IsRegularFile(descriptor))
        {
            LinuxNative.Close(descriptor);
            return null;
        }

        return new SafeFileHandle(descriptor, ownsHandle: true);
    }

    private static bool IsRead(FileMode mode, FileAccess access) => mode == FileMode.Open && access == FileAccess.Read;

    private sealed class QuietFileStreamFactory(IFileSystem fileSystem, IFileStreamFactory real) : IFileStreamFactory
    {
        public IFileSystem FileSystem => fileSystem;

        public FileSystemStream New(SafeFileHandle handle, FileAccess access) => real.New(handle, access);

        public FileSystemStream New(SafeFileHandle handle, FileAccess access, int bufferSize) => real.New(handle, access, bufferSize);

        public FileSystemStream New(SafeFileHandle handle, FileAccess access, int bufferSize, bool isAsync) => real.New(handle, access, bufferSize, isAsync);

        public FileSystemStream New(string path, FileMode mode) => real.New(path, mode);

        public FileSystemStream New(string path, FileMode mode, FileAccess access) =>
            Quiet(path, mode, access, 4096) ?? real.New(path, mode, access);

        public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share) =>
            Quiet(path, mode, access, 4096) ?? real.New(path, mode, access, share);

        public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize) =>
            Quiet(path, mode, access, bufferSize) ?? real.New(path, mode, access, share, bufferSize);

        public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, bool useAsync) =>
            Quiet(path, mode, access, bufferSize) ?? real.New(path, mode, access, share, bufferSize, useAsync);

        public FileSystemStream New(string path, FileMode mode, FileAccess access, FileShare share, int bufferSize, FileOptions options) =>
            Quiet(path, mode, access, bufferSize) ?? real.New(path, mode, access, share, bufferSize, options);

        public FileSystemStream New(string path, FileStreamOptions options) =>
            (options.PreallocationSize == 0 ? Quiet(path, options.Mode, options.Access, options.BufferSize) : null) ?? real.New(path, options);

        public FileSystemStream Wrap(FileStream fileStream) => real.Wrap(fileStream);

        private NamedStream? Quiet(string path, FileMode mode, FileAccess access, int bufferSize) =>
            IsRead(mode, access) && bufferSize >= 0 && TryOpen(path) is { } handle
                ? new NamedStream(new FileStream(handle, FileAccess.Read, bufferSize, isAsync: false), fileSystem.Path.GetFullPath(path))
                : null;
    }

    /// <summary>A stream opened from a descriptor, named by its full path as .NET names the streams it opens.</summary>
    private sealed class NamedStream(FileStream stream, string path) : FileSystemStream(stream, path, isAsync: false);

    private sealed class QuietFile(IFileSystem fileSystem) : FileWrapper(fileSystem)
    {
        private IFileStreamFactory Streams => FileSystem.FileStream;

        public override FileSystemStream OpenRead(string path) => Streams.New(path, FileMode.Open, FileAccess.Read);

        public override FileSystemStream Open(string path, FileMode mode, FileAccess access) => Streams.New(path, mode, access);

        public override FileSystemStream Open(string path, FileMode mode, FileAccess access, FileShare share) => Streams.New(path, mode, access, share);

        public override SafeFileHandle OpenHandle(string path, FileMode mode = FileMode.Open, FileAccess access = FileAccess.Read, FileShare share = FileShare.Read, FileOptions options = FileOptions.None, long preallocationSize = 0)
        {
            return (IsRead(mode, access) && preallocationSize == 0 ? TryOpen(path) : null) ?? base.OpenHandle(path, mode, access, share, options, preallocationSize);
        }

        public override byte[] ReadAllBytes(string path)
        {
            using var stream = OpenRead(path);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            return copy.ToArray();
        }

        public override string ReadAllText(string path) => ReadAllText(path, System.Text.Encoding.UTF8);

        public override string ReadAllText(string path, System.Text.Encoding encoding)
        {
            using var reader = new StreamReader(OpenRead(path), encoding, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }

        public override StreamReader OpenText(string path) => new(OpenRead(path), System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
    }

    private sealed class QuietDirectory(IFileSystem fileSystem) : DirectoryWrapper(fileSystem)
    {
        private enum Kind
        {
            Entries,
            Directories,
            Files,
        }

        public override IEnumerable<string> EnumerateFileSystemEntries(string path) => List(path, "*", Kind.Entries);

        public override IEnumerable<string> EnumerateFileSystemEntries(string path, string searchPattern) => List(path, searchPattern, Kind.Entries);

        public override IEnumerable<string> EnumerateFileSystemEntries(string path, string searchPattern, SearchOption searchOption) =>
            searchOption == SearchOption.TopDirectoryOnly ? List(path, searchPattern, Kind.Entries) : base.EnumerateFileSystemEntries(path, searchPattern, searchOption);

        public override IEnumerable<string> EnumerateDirectories(string path) => List(path, "*", Kind.Directories);

        public override IEnumerable<string> EnumerateDirectories(string path, string searchPattern) => List(path, searchPattern, Kind.Directories);

        public override IEnumerable<string> EnumerateDirectories(string path, string searchPattern, SearchOption searchOption) =>
            searchOption == SearchOption.TopDirectoryOnly ? List(path, searchPattern, Kind.Directories) : base.EnumerateDirectories(path, searchPattern, searchOption);

        public override IEnumerable<string> EnumerateFiles(string path) => List(path, "*", Kind.Files);

        public override IEnumerable<string> EnumerateFiles(string path, string searchPattern) => List(path, searchPattern, Kind.Files);

        public override IEnumerable<string> EnumerateFiles(string path, string searchPattern, SearchOption searchOption) =>
            searchOption == SearchOption.TopDirectoryOnly ? List(path, searchPattern, Kind.Files) : base.EnumerateFiles(path, searchPattern, searchOption);

        /// <summary>
        /// What .NET's enumeration of one directory answers (paths joined to <paramref name="path"/> as given, in the
        /// directory's order; names matched as its legacy overloads match them; a link to a directory counted among the
        /// directories), from a listing that leaves the directory's access time alone. Anything .NET would refuse
        /// before listing (an empty or invalid pattern, an empty path) is left to .NET, for the same exception.
        /// </summary>
        private IEnumerable<string> List(string path, string searchPattern, Kind kind)
        {
            ArgumentNullException.ThrowIfNull(path);
            ArgumentNullException.ThrowIfNull(searchPattern);
            if (path.Length == 0 || searchPattern.Length == 0 || searchPattern.Contains('/') || searchPattern.Contains('\0') || path.Contains('\0'))
            {
                return Real(path, searchPattern, kind);
            }

            // Read whole when asked, as .NET opens the directory when asked: the result can be enumerated again. A
            // directory that cannot be listed is left to .NET's own listing, which fails with its own exception.
            var full = FileSystem.Path.GetFullPath(path);
            try
            {
                var expression = searchPattern == "*" ? null : FileSystemName.TranslateWin32Expression(searchPattern);
                return [.. Select(LinuxNative.ReadDirectory(full, expression), FileSystem.Path, path, full, kind)];
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                return Real(path, searchPattern, kind);
            }
        }

        private IEnumerable<string> Real(string path, string searchPattern, Kind kind) => kind switch
        {
            Kind.Directories => base.EnumerateDirectories(path, searchPattern),
            Kind.Files => base.EnumerateFiles(path, searchPattern),
            _ => base.EnumerateFileSystemEntries(path, searchPattern),
        };

        private static IEnumerable<string> Select(IEnumerable<DirectoryName> names, IPath paths, string path, string full, Kind kind)
        {
            foreach (var entry in names)
            {
                if (kind != Kind.Entries)
                {
                    var isDirectory = entry.IsDirectory == true ||
                        ((entry.IsDirectory is null || entry.IsSymbolicLink == true) && ReachesDirectory(full + "/" + entry.Name));
                    if (isDirectory != (kind == Kind.Directories))
                    {
                        continue;
                    }
                }

                yield return paths.Join(path, entry.Name);
            }
        }

        /// <summary>Whether a path reaches a directory, links followed: how .NET sorts a link (or an entry of unknown type) into directories or files.</summary>
        private static bool ReachesDirectory(string path)
        {
            try
            {
                return LinuxNative.TryStat(path, out var target) && (target.Mode & 0xF000) == 0x4000;
            }
            catch (IOException)
            {
                return false; // a loop of links, a denied search: not a directory, as .NET counts it
            }
        }
    }
}

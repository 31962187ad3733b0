using System.IO.Abstractions;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.Union;

/// <summary><see cref="IFile"/> of a <see cref="UnionFileSystem"/>: reads from the image, refuses every write.</summary>
internal sealed class UnionFile(UnionFileSystem fileSystem) : FileBase(fileSystem)
{
    private readonly UnionFileSystem _fs = fileSystem;

    public override bool Exists(string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || path.Contains('\0', StringComparison.Ordinal))
        {
            return false;
        }

        var entry = _fs.Stat(UnionFileSystem.Normalize(path));
        return entry is not null && !entry.IsDirectory;
    }

    public override byte[] ReadAllBytes(string path)
    {
        using var stream = _fs.OpenRead(path);
        var length = stream.Length;
        if (length > Array.MaxLength)
        {
            throw new IOException($"{path}: the file is larger than an array can hold.");
        }

        var buffer = new byte[length];
        stream.ReadExactly(buffer);
        return buffer;
    }

    public override async Task<byte[]> ReadAllBytesAsync(string path, CancellationToken cancellationToken = default)
    {
        var stream = _fs.OpenRead(path);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[stream.Length];
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return buffer;
        }
    }

    public override string ReadAllText(string path) => ReadAllText(path, Encoding.UTF8);

    public override string ReadAllText(string path, Encoding encoding)
    {
        using var reader = new StreamReader(_fs.OpenRead(path), encoding, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    public override Task<string> ReadAllTextAsync(string path, CancellationToken cancellationToken = default) => ReadAllTextAsync(path, Encoding.UTF8, cancellationToken);

    public override async Task<string> ReadAllTextAsync(string path, Encoding encoding, CancellationToken cancellationToken = default)
    {
        using var reader = new StreamReader(_fs.OpenRead(path), encoding, detectEncodingFromByteOrderMarks: true);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    public override string[] ReadAllLines(string path) => [.. ReadLines(path)];

    public override string[] ReadAllLines(string path, Encoding encoding) => [.. ReadLines(path, encoding)];

    public override async Task<string[]> ReadAllLinesAsync(string path, CancellationToken cancellationToken = default) =>
        await ReadAllLinesAsync(path, Encoding.UTF8, cancellationToken).ConfigureAwait(false);

    public override async Task<string[]> ReadAllLinesAsync(string path, Encoding encoding, CancellationToken cancellationToken = default)
    {
        var lines = new List<string>();
        await foreach (var line in ReadLinesAsync(path, encoding, cancellationToken).ConfigureAwait(false))
        {
            lines.Add(line);
        }

        return [.. lines];
    }

    public override IEnumerable<string> ReadLines(string path) => ReadLines(path, Encoding.UTF8);

    public override IEnumerable<string> ReadLines(string path, Encoding encoding)
    {
        var reader = new StreamReader(_fs.OpenRead(path), encoding, detectEncodingFromByteOrderMarks: true);
        return Lines(reader);

        static IEnumerable<string> Lines(StreamReader reader)
        {
            using (reader)
            {
                while (reader.ReadLine() is { } line)
                {
                    yield return line;
                }
            }
        }
    }

    public override IAsyncEnumerable<string> ReadLinesAsync(string path, CancellationToken cancellationToken = default) => ReadLinesAsync(path, Encoding.UTF8, cancellationToken);

    public override IAsyncEnumerable<string> ReadLinesAsync(string path, Encoding encoding, CancellationToken cancellationToken = default)
    {
        var reader = new StreamReader(_fs.OpenRead(path), encoding, detectEncodingFromByteOrderMarks: true);
        return Lines(reader, cancellationToken);

        static async IAsyncEnumerable<string> Lines(StreamReader reader, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            using (reader)
            {
                while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                {
                    yield return line;
                }
            }
        }
    }

    public override FileSystemStream Open(string path, FileMode mode) => _fs.OpenRead(path, mode, mode == FileMode.Append ? FileAccess.Write : FileAccess.ReadWrite);

    public override FileSystemStream Open(string path, FileMode mode, FileAccess access) => _fs.OpenRead(path, mode, access);

    public override FileSystemStream Open(string path, FileMode mode, FileAccess access, FileShare share) => _fs.OpenRead(path, mode, access);

    public override FileSystemStream Open(string path, FileStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return _fs.OpenRead(path, options.Mode, options.Access);
    }

    public override FileSystemStream OpenRead(string path) => _fs.OpenRead(path);

    public override StreamReader OpenText(string path) => new(_fs.OpenRead(path), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);

    public override SafeFileHandle OpenHandle(string path, FileMode mode = FileMode.Open, FileAccess access = FileAccess.Read, FileShare share = FileShare.Read, FileOptions options = FileOptions.None, long preallocationSize = 0)
    {
        if ((access & FileAccess.Write) != 0 || mode != FileMode.Open)
        {
            throw UnionFileSystem.ReadOnly(path);
        }

        var entry = _fs.RequireFile(path);
        if (entry.Type != Docker.Aufs.IO.UnixFileType.RegularFile)
        {
            throw new IOException($"{UnionFileSystem.FullName(entry.Path)}: is a {UnionView.Describe(entry.Type)}, not a regular file");
        }

        // Relative to its branch directory, through no link, and only if it is still the file listed (as OpenEntry).
        var (directory, relative) = _fs.View.SplitSource(entry);
        using var opener = new Docker.Aufs.IO.LayerFileOpener(_fs.View.FileSystem, _fs.View.Metadata);
        return opener.OpenHandle(directory, relative, entry.Status, UnionFileSystem.FullName(entry.Path), share, options);
    }

    public override FileAttributes GetAttributes(string path)
    {
        var entry = _fs.Lstat(UnionFileSystem.Normalize(path)) ?? throw new FileNotFoundException($"Could not find file '{path}' in the image.", path);
        return UnionFileSystem.Attributes(entry, _fs.IsDirectoryLike(entry));
    }

    public override FileAttributes GetAttributes(SafeFileHandle fileHandle) => throw UnionFileSystem.Unsupported("Reading attributes through a handle");

    public override DateTime GetCreationTime(string path) => Time(path, utc: false);

    public override DateTime GetCreationTimeUtc(string path) => Time(path, utc: true);

    public override DateTime GetLastAccessTime(string path) => Time(path, utc: false);

    public override DateTime GetLastAccessTimeUtc(string path) => Time(path, utc: true);

    public override DateTime GetLastWriteTime(string path) => Time(path, utc: false);

    public override DateTime GetLastWriteTimeUtc(string path) => Time(path, utc: true);

    public override DateTime GetCreationTime(SafeFileHandle fileHandle) => _fs.View.FileSystem.File.GetCreationTime(fileHandle);

    public override DateTime GetCreationTimeUtc(SafeFileHandle fileHandle) => _fs.View.FileSystem.File.GetCreationTimeUtc(fileHandle);

    public override DateTime GetLastAccessTime(SafeFileHandle fileHandle) => _fs.View.FileSystem.File.GetLastAccessTime(fileHandle);

    public override DateTime GetLastAccessTimeUtc(SafeFileHandle fileHandle) => _fs.View.FileSystem.File.GetLastAccessTimeUtc(fileHandle);

    public override DateTime GetLastWriteTime(SafeFileHandle fileHandle) => _fs.View.FileSystem.File.GetLastWriteTime(fileHandle);

    public override DateTime GetLastWriteTimeUtc(SafeFileHandle fileHandle) => _fs.View.FileSystem.File.GetLastWriteTimeUtc(fileHandle);

    public override UnixFileMode GetUnixFileMode(string path)
    {
        var entry = _fs.Lstat(UnionFileSystem.Normalize(path)) ?? throw new FileNotFoundException($"Could not find file '{path}' in the image.", path);
        return (UnixFileMode)entry.Permissions;
    }

    public override UnixFileMode GetUnixFileMode(SafeFileHandle fileHandle) => throw UnionFileSystem.Unsupported("Reading the mode through a handle");

    public override IFileSystemInfo? ResolveLinkTarget(string linkPath, bool returnFinalTarget) =>
        UnionFileSystemInfo.ResolveLinkTarget(_fs, UnionFileSystem.Normalize(linkPath, nameof(linkPath)), returnFinalTarget, asDirectory: false);

    // Everything below writes, and the view is read-only.
    public override void AppendAllBytes(string path, byte[] bytes) => throw UnionFileSystem.ReadOnly(path);

    public override void AppendAllBytes(string path, ReadOnlySpan<byte> bytes) => throw UnionFileSystem.ReadOnly(path);

    public override Task AppendAllBytesAsync(string path, byte[] bytes, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override Task AppendAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override void AppendAllLines(string path, IEnumerable<string> contents) => throw UnionFileSystem.ReadOnly(path);

    public override void AppendAllLines(string path, IEnumerable<string> contents, Encoding encoding) => throw UnionFileSystem.ReadOnly(path);

    public override Task AppendAllLinesAsync(string path, IEnumerable<string> contents, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override Task AppendAllLinesAsync(string path, IEnumerable<string> contents, Encoding encoding, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override void AppendAllText(string path, string? contents) => throw UnionFileSystem.ReadOnly(path);

    public override void AppendAllText(string path, string? contents, Encoding encoding) => throw UnionFileSystem.ReadOnly(path);

    public override void AppendAllText(string path, ReadOnlySpan<char> contents) => throw UnionFileSystem.ReadOnly(path);

    public override void AppendAllText(string path, ReadOnlySpan<char> contents, Encoding encoding) => throw UnionFileSystem.ReadOnly(path);

    public override Task AppendAllTextAsync(string path, string? contents, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override Task AppendAllTextAsync(string path, string? contents, Encoding encoding, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override Task AppendAllTextAsync(string path, ReadOnlyMemory<char> contents, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override Task AppendAllTextAsync(string path, ReadOnlyMemory<char> contents, Encoding encoding, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override StreamWriter AppendText(string path) => throw UnionFileSystem.ReadOnly(path);

    public override void Copy(string sourceFileName, string destFileName) => throw UnionFileSystem.ReadOnly(destFileName);

    public override void Copy(string sourceFileName, string destFileName, bool overwrite) => throw UnionFileSystem.ReadOnly(destFileName);

    public override FileSystemStream Create(string path) => throw UnionFileSystem.ReadOnly(path);

    public override FileSystemStream Create(string path, int bufferSize) => throw UnionFileSystem.ReadOnly(path);

    public override FileSystemStream Create(string path, int bufferSize, FileOptions options) => throw UnionFileSystem.ReadOnly(path);

    public override IFileSystemInfo CreateSymbolicLink(string path, string pathToTarget) => throw UnionFileSystem.ReadOnly(path);

    public override StreamWriter CreateText(string path) => throw UnionFileSystem.ReadOnly(path);

    public override void Decrypt(string path) => throw UnionFileSystem.ReadOnly(path);

    public override void Delete(string path) => throw UnionFileSystem.ReadOnly(path);

    public override void Encrypt(string path) => throw UnionFileSystem.ReadOnly(path);

    public override void Move(string sourceFileName, string destFileName) => throw UnionFileSystem.ReadOnly(sourceFileName);

    public override void Move(string sourceFileName, string destFileName, bool overwrite) => throw UnionFileSystem.ReadOnly(sourceFileName);

    public override FileSystemStream OpenWrite(string path) => throw UnionFileSystem.ReadOnly(path);

    public override void Replace(string sourceFileName, string destinationFileName, string? destinationBackupFileName) => throw UnionFileSystem.ReadOnly(destinationFileName);

    public override void Replace(string sourceFileName, string destinationFileName, string? destinationBackupFileName, bool ignoreMetadataErrors) => throw UnionFileSystem.ReadOnly(destinationFileName);

    public override void SetAttributes(string path, FileAttributes fileAttributes) => throw UnionFileSystem.ReadOnly(path);

    public override void SetAttributes(SafeFileHandle fileHandle, FileAttributes fileAttributes) => throw UnionFileSystem.ReadOnly("handle");

    public override void SetCreationTime(string path, DateTime creationTime) => throw UnionFileSystem.ReadOnly(path);

    public override void SetCreationTime(SafeFileHandle fileHandle, DateTime creationTime) => throw UnionFileSystem.ReadOnly("handle");

    public override void SetCreationTimeUtc(string path, DateTime creationTimeUtc) => throw UnionFileSystem.ReadOnly(path);

    public override void SetCreationTimeUtc(SafeFileHandle fileHandle, DateTime creationTimeUtc) => throw UnionFileSystem.ReadOnly("handle");

    public override void SetLastAccessTime(string path, DateTime lastAccessTime) => throw UnionFileSystem.ReadOnly(path);

    public override void SetLastAccessTime(SafeFileHandle fileHandle, DateTime lastAccessTime) => throw UnionFileSystem.ReadOnly("handle");

    public override void SetLastAccessTimeUtc(string path, DateTime lastAccessTimeUtc) => throw UnionFileSystem.ReadOnly(path);

    public override void SetLastAccessTimeUtc(SafeFileHandle fileHandle, DateTime lastAccessTimeUtc) => throw UnionFileSystem.ReadOnly("handle");

    public override void SetLastWriteTime(string path, DateTime lastWriteTime) => throw UnionFileSystem.ReadOnly(path);

    public override void SetLastWriteTime(SafeFileHandle fileHandle, DateTime lastWriteTime) => throw UnionFileSystem.ReadOnly("handle");

    public override void SetLastWriteTimeUtc(string path, DateTime lastWriteTimeUtc) => throw UnionFileSystem.ReadOnly(path);

    public override void SetLastWriteTimeUtc(SafeFileHandle fileHandle, DateTime lastWriteTimeUtc) => throw UnionFileSystem.ReadOnly("handle");

    public override void SetUnixFileMode(string path, UnixFileMode mode) => throw UnionFileSystem.ReadOnly(path);

    public override void SetUnixFileMode(SafeFileHandle fileHandle, UnixFileMode mode) => throw UnionFileSystem.ReadOnly("handle");

    public override void WriteAllBytes(string path, byte[] bytes) => throw UnionFileSystem.ReadOnly(path);

    public override void WriteAllBytes(string path, ReadOnlySpan<byte> bytes) => throw UnionFileSystem.ReadOnly(path);

    public override Task WriteAllBytesAsync(string path, byte[] bytes, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override Task WriteAllBytesAsync(string path, ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override void WriteAllLines(string path, IEnumerable<string> contents) => throw UnionFileSystem.ReadOnly(path);

    public override void WriteAllLines(string path, IEnumerable<string> contents, Encoding encoding) => throw UnionFileSystem.ReadOnly(path);

    public override void WriteAllLines(string path, string[] contents) => throw UnionFileSystem.ReadOnly(path);

    public override void WriteAllLines(string path, string[] contents, Encoding encoding) => throw UnionFileSystem.ReadOnly(path);

    public override Task WriteAllLinesAsync(string path, IEnumerable<string> contents, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override Task WriteAllLinesAsync(string path, IEnumerable<string> contents, Encoding encoding, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override void WriteAllText(string path, string? contents) => throw UnionFileSystem.ReadOnly(path);

    public override void WriteAllText(string path, string? contents, Encoding encoding) => throw UnionFileSystem.ReadOnly(path);

    public override void WriteAllText(string path, ReadOnlySpan<char> contents) => throw UnionFileSystem.ReadOnly(path);

    public override void WriteAllText(string path, ReadOnlySpan<char> contents, Encoding encoding) => throw UnionFileSystem.ReadOnly(path);

    public override Task WriteAllTextAsync(string path, string? contents, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override Task WriteAllTextAsync(string path, string? contents, Encoding encoding, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override Task WriteAllTextAsync(string path, ReadOnlyMemory<char> contents, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    public override Task WriteAllTextAsync(string path, ReadOnlyMemory<char> contents, Encoding encoding, CancellationToken cancellationToken = default) => Task.FromException(UnionFileSystem.ReadOnly(path));

    private DateTime Time(string path, bool utc) => UnionFileSystem.Time(_fs.Lstat(UnionFileSystem.Normalize(path)), utc);
}

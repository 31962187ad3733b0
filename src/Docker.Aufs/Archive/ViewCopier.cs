using System.IO.Abstractions;
using Docker.Aufs.IO;
using Docker.Aufs.Union;

namespace Docker.Aufs.Archive;

/// <summary>
/// Copies entries of views to a directory, as <c>docker cp CONTAINER:PATH DEST</c> extracts them: directories, regular files
/// (each written beside its path and renamed into place when complete), symbolic links as links, hardlinks kept between
/// entries copied together, permission bits and modification times (directories' last). Owners are set only when asked and
/// possible (root). Fifos are made natively; devices only as root; sockets never. Nothing is read through a symbolic link,
/// and nothing is written inside the protected root (checked by identity for every file).
/// </summary>
internal sealed class ViewCopier
{
    private readonly IFileSystem _fileSystem;
    private readonly EntryWriter _writer;
    private readonly IFileSystem? _rootFileSystem;
    private readonly string? _rootPath;
    private readonly bool _keepOwners;
    private readonly Dictionary<FileIdentity, string> _written = [];
    private readonly List<(string Path, UnixFileType Type, UnionEntry Entry)> _directories = [];
    private readonly List<string> _notCopied = [];
    private readonly List<string> _ownersNotKept = [];
    private AtomicDirectory? _staging;

    public ViewCopier(IFileSystem fileSystem, IFileSystem? rootFileSystem, string? rootPath, bool keepOwners)
    {
        _fileSystem = fileSystem;
        _writer = new EntryWriter(fileSystem, SpecialFileMode.Auto);
        _rootFileSystem = rootFileSystem;
        _rootPath = rootPath;
        _keepOwners = keepOwners;
    }

    public CopyResult Copy(Func<UnionEntry, Stream> open, IEnumerable<ArchiveMember> members, string directory, CancellationToken cancellationToken)
    {
        var fs = _fileSystem;
        var root = OutputGuard.FullPath(fs, directory);
        OutputGuard.CheckDirectory(fs, root, _rootFileSystem, _rootPath);
        long count = 0;
        try
        {
            foreach (var member in members)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var entry = member.Entry;
                var path = member.Name.Length == 0 ? root : fs.Path.Combine(root, member.Name);
                if (_staging is null && count == 0 && member.Name.Length > 0 && entry.Type == UnixFileType.Directory && Probe(path) is null)
                {
                    // A new directory is copied whole or not at all: built under a hidden name beside its place and moved
                    // there when complete; removed on failure or cancellation, and by a signal's handler (R5).
                    _staging = AtomicDirectory.Create(fs, path, _rootFileSystem, _rootPath);
                }

                if (CopyMember(open, entry, Staged(path), cancellationToken))
                {
                    count++;
                }
            }

            // Directories last, deepest first, so that writing their content does not change their times.
            for (var i = _directories.Count - 1; i >= 0; i--)
            {
                var (path, type, entry) = _directories[i];
                _writer.SetMode(path, entry.Permissions);
                Owners(path, entry);
                _writer.SetTime(path, type, entry.ModifiedTime);
            }

            _staging?.Commit(cancellationToken);
        }
        finally
        {
            _staging?.Dispose();
        }

        return new CopyResult { Entries = count, NotCopied = [.. _notCopied], OwnersNotKept = [.. _ownersNotKept] };
    }

    /// <summary>Where <paramref name="path"/> is written: inside the staging directory while a new directory is built.</summary>
    private string Staged(string path) =>
        _staging is null ? path
        : path == _staging.Path ? _staging.TemporaryPath
        : path.StartsWith(_staging.Path + "/", StringComparison.Ordinal) ? _staging.TemporaryPath + path[_staging.Path.Length..]
        : path;

    /// <summary>How a path being written is named in messages: its final place.</summary>
    private string Shown(string path) =>
        _staging is null ? path
        : path == _staging.TemporaryPath ? _staging.Path
        : path.StartsWith(_staging.TemporaryPath + "/", StringComparison.Ordinal) ? _staging.Path + path[_staging.TemporaryPath.Length..]
        : path;

    /// <summary>Copies one entry to <paramref name="path"/>; <see langword="false"/> when it is not copied (and listed as such).</summary>
    private bool CopyMember(Func<UnionEntry, Stream> open, UnionEntry entry, string path, CancellationToken cancellationToken)
    {
        var fs = _fileSystem;
        var type = entry.Type;
        var existing = Probe(path);
        if (type == UnixFileType.Directory)
        {
            if (existing is { } other && other != UnixFileType.Directory)
            {
                throw new IOException($"{Shown(path)}: cannot overwrite non-directory with directory /{entry.Path}");
            }

            if (existing is null)
            {
                OutputGuard.CheckDirectory(fs, path, _rootFileSystem, _rootPath);
                fs.Directory.CreateDirectory(path);
            }

            _directories.Add((path, type, entry));
            return true;
        }

        if (existing == UnixFileType.Directory)
        {
            throw new IOException($"{Shown(path)}: cannot overwrite directory with non-directory /{entry.Path}");
        }

        switch (type)
        {
            case UnixFileType.RegularFile:
                WriteFile(open, entry, path, existing is not null, cancellationToken);
                break;
            case UnixFileType.SymbolicLink:
                Replace(path, existing);
                _writer.WriteEntry(Describe(entry, path) with { LinkTarget = entry.LinkTarget }, path, path);
                Finish(path, entry);
                break;
            case UnixFileType.Fifo when _writer.Native:
            case UnixFileType.CharacterDevice or UnixFileType.BlockDevice when _writer.NativeOwners:
                Replace(path, existing);
                _writer.WriteEntry(Describe(entry, path) with { Major = entry.DeviceMajor, Minor = entry.DeviceMinor }, path, path);
                Finish(path, entry);
                break;
            default:
                _notCopied.Add(ImagePath.Display(entry.Path) + ": a " + UnionView.Describe(type) + (type == UnixFileType.Socket ? " (never copied)" : " (only root can create one)"));
                return false;
        }

        return true;
    }

    private void WriteFile(Func<UnionEntry, Stream> open, UnionEntry entry, string path, bool exists, CancellationToken cancellationToken)
    {
        if (entry.LinkCount > 1 && _written.TryGetValue(entry.Identity, out var first) && _writer.Native)
        {
            if (exists)
            {
                _fileSystem.File.Delete(path);
            }

            _writer.WriteEntry(Describe(entry, path) with { HardlinkTo = first }, path, first);
            return;
        }

        using (var file = AtomicFile.Create(_fileSystem, path, asynchronous: false, _rootFileSystem, _rootPath))
        {
            using (var input = open(entry))
            {
                StepCopy.Copy(input, file.Stream, cancellationToken);
            }

            file.Commit(cancellationToken);
        }

        _writer.SetMode(path, entry.Permissions);
        Finish(path, entry);
        if (entry.LinkCount > 1)
        {
            _written.TryAdd(entry.Identity, path);
        }
    }

    private void Finish(string path, UnionEntry entry)
    {
        Owners(path, entry);
        if (entry.Type == UnixFileType.RegularFile)
        {
            _writer.SetMode(path, entry.Permissions); // chown clears set-user-ID and set-group-ID: set the mode again, as tar does
        }

        _writer.SetTime(path, entry.Type, entry.ModifiedTime);
    }

    private void Owners(string path, UnionEntry entry)
    {
        if (!_keepOwners)
        {
            return;
        }

        if (!_writer.NativeOwners)
        {
            _ownersNotKept.Add($"{Shown(path)}: owner {(uint)entry.Uid}:{(uint)entry.Gid} not kept (only root can give files to another user)");
            return;
        }

        try
        {
            LinuxNative.ChangeOwner(path, entry.Uid, entry.Gid);
        }
        catch (IOException e)
        {
            _ownersNotKept.Add($"{Shown(path)}: owner {(uint)entry.Uid}:{(uint)entry.Gid} not kept ({e.Message})");
        }
    }

    /// <summary>Removes a file or link in the way of a new link or special file (docker cp replaces non-directories).</summary>
    private void Replace(string path, UnixFileType? existing)
    {
        if (existing is not null)
        {
            OutputGuard.Check(_fileSystem, path, _rootFileSystem, _rootPath);
            _fileSystem.File.Delete(path);
        }
    }

    private UnixFileType? Probe(string path) =>
        _writer.Metadata.TryGetStatus(path, out var status) ? status.Type : null;

    private static LayerEntry Describe(UnionEntry entry, string path) =>
        new(path, entry.Type, entry.Permissions, entry.Uid, entry.Gid, entry.ModifiedTime);
}

/// <summary>What <see cref="ImageArchiver.CopyTo"/> did.</summary>
/// <threadsafety static="true" instance="true"/>
public sealed record CopyResult
{
    /// <summary>Gets the number of entries written (directories, files, links).</summary>
    public long Entries { get; init; }

    /// <summary>Gets the entries not copied, each with why: sockets, and devices (and fifos off Linux) when not root.</summary>
    public IReadOnlyList<string> NotCopied { get; init; } = [];

    /// <summary>Gets, when owners were asked to be kept, the files whose owner could not be set, each with why.</summary>
    public IReadOnlyList<string> OwnersNotKept { get; init; } = [];
}

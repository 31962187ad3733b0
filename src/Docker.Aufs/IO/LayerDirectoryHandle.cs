using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.IO;

/// <summary>
/// A layer directory being extracted on the real Linux file system, held open by descriptor, with every change made
/// relative to a directory descriptor reached from it one component at a time with <c>O_NOFOLLOW | O_DIRECTORY</c>
/// (<see cref="LinuxNative"/>'s <c>*at</c> calls). A symbolic link, or anything but a directory, on the way to an entry —
/// put there by the archive or by someone else while the import runs — is an <see cref="UnsafePathException"/> naming it;
/// an entry's own name is created exclusively and never followed. So no write, owner, mode, attribute or time change
/// reaches outside the layer directory (docs/hostile-input.md, "Import follows no link").
/// </summary>
/// <remarks>
/// Each entry is reproduced in Docker's order (moby <c>pkg/archive</c> <c>createTarFile</c>): created with owner-only
/// permissions, then its owner (as root), then its extended attributes, then its mode with <c>fchmod</c> (no umask, and
/// after the owner, which would clear set-ID bits), then its times. Directories get their mode and times in
/// <see cref="FinishDirectory"/>, after everything inside them is written.
/// </remarks>
[SupportedOSPlatform("linux")]
internal sealed class LayerDirectoryHandle : IDisposable
{
    private const string Reason = "a symbolic link is on the way to it; import never writes through a link";

    private readonly SafeFileHandle _root;
    private readonly string _source;
    private string? _cachedParent;
    private SafeFileHandle? _cachedHandle;

    private LayerDirectoryHandle(SafeFileHandle root, string source)
    {
        _root = root;
        _source = source;
    }

    /// <summary>
    /// Opens the layer directory <paramref name="relative"/> (<c>/</c>-separated) of <paramref name="confinement"/>, every
    /// component without following a link: <paramref name="confinement"/> is the import's staging directory, whose own
    /// path is the caller's.
    /// </summary>
    /// <param name="confinement">The directory nothing is written outside of.</param>
    /// <param name="relative">The layer directory inside it.</param>
    /// <param name="source">What is being extracted, for errors (<c>archive.tar:&lt;id&gt;/layer.tar</c>).</param>
    /// <exception cref="UnsafePathException">A component is a symbolic link or not a directory.</exception>
    public static LayerDirectoryHandle Open(string confinement, string relative, string source)
    {
        var root = LinuxNative.OpenDirectoryAt(null, confinement);
        try
        {
            foreach (var name in relative.Split('/', StringSplitOptions.RemoveEmptyEntries))
            {
                var next = Step(root, name, confinement, source);
                root.Dispose();
                root = next;
            }

            return new LayerDirectoryHandle(root, source);
        }
        catch
        {
            root.Dispose();
            throw;
        }
    }

    /// <summary>Creates a directory (owner-only until <see cref="FinishDirectory"/>); an existing directory is kept, anything else there is refused.</summary>
    public void CreateDirectory(string path, int uid, int gid, bool setOwner, IReadOnlyDictionary<string, byte[]>? xattrs)
    {
        var (parent, name) = Parent(path);
        try
        {
            LinuxNative.MakeDirectoryAt(parent, name, 0x1C0);
        }
        catch (IOException e) when (e.HResult == LinuxNative.ErrnoExists)
        {
            // Already there: it must be a directory (Step refuses a link or anything else).
        }

        using var directory = Step(parent, name, path, _source);
        if (setOwner)
        {
            LinuxNative.ChangeOwner(directory, uid, gid, path);
        }

        SetAttributes(directory, xattrs, path);
    }

    /// <summary>Creates a regular file exclusively (a link or anything else at its name is refused) and returns it open for writing.</summary>
    public FileStream CreateFile(string path)
    {
        var (parent, name) = Parent(path);
        try
        {
            return new FileStream(LinuxNative.CreateFileAt(parent, name), FileAccess.Write, 1);
        }
        catch (IOException e) when (e.HResult is LinuxNative.ErrnoExists or LinuxNative.ErrnoLoop)
        {
            throw new UnsafePathException(_source, path, "something is already at its name (put there while the import ran); it is not written through");
        }
    }

    /// <summary>Completes a regular file written through <see cref="CreateFile"/>: owner, attributes, mode, times, in Docker's order, by descriptor.</summary>
    public static void FinishFile(FileStream file, string path, int uid, int gid, bool setOwner, IReadOnlyDictionary<string, byte[]>? xattrs, int permissions, DateTimeOffset time)
    {
        file.Flush();
        var handle = file.SafeFileHandle;
        if (setOwner)
        {
            LinuxNative.ChangeOwner(handle, uid, gid, path);
        }

        SetAttributes(handle, xattrs, path);
        LinuxNative.ChangeMode(handle, permissions, path);
        LinuxNative.SetModifiedTime(handle, time, path);
    }

    /// <summary>Creates a symbolic link (its target is only stored, never resolved here) with its owner, attributes and time.</summary>
    public void CreateSymlink(string path, string target, int uid, int gid, bool setOwner, IReadOnlyDictionary<string, byte[]>? xattrs, DateTimeOffset time)
    {
        var (parent, name) = Parent(path);
        Exclusive(() => LinuxNative.SymlinkAt(target, parent, name), path);
        if (setOwner)
        {
            LinuxNative.ChangeOwnerAt(parent, name, uid, gid);
        }

        SetAttributesAt(parent, name, xattrs);
        LinuxNative.SetModifiedTimeAt(parent, name, time);
    }

    /// <summary>Creates a fifo or device node with its owner, attributes, exact mode (no umask) and time; a link swapped in at its name is refused by <c>fchmodat</c>.</summary>
    public void CreateNode(string path, UnixFileType type, int permissions, uint major, uint minor, int uid, int gid, bool setOwner,
        IReadOnlyDictionary<string, byte[]>? xattrs, DateTimeOffset time)
    {
        var (parent, name) = Parent(path);
        Exclusive(() => LinuxNative.MakeNodeAt(parent, name, UnixModes.TypeBits(type) | 0x180, major, minor), path);
        if (setOwner)
        {
            LinuxNative.ChangeOwnerAt(parent, name, uid, gid);
        }

        SetAttributesAt(parent, name, xattrs);
        try
        {
            LinuxNative.ChangeModeAt(parent, name, permissions);
        }
        catch (IOException e) when (e.HResult == LinuxNative.ErrnoNotSupported)
        {
            throw new UnsafePathException(_source, path, "a symbolic link took its place while the import ran; it is not followed");
        }

        LinuxNative.SetModifiedTimeAt(parent, name, time);
    }

    /// <summary>Creates <paramref name="path"/> as a hardlink to <paramref name="target"/>, both reached without following links.</summary>
    public void CreateHardlink(string path, string target)
    {
        var (targetParentPath, targetName) = Split(target);
        using var targetParent = Walk(targetParentPath);
        var (parent, name) = Parent(path);
        Exclusive(() => LinuxNative.LinkAt(targetParent, targetName, parent, name), path);
    }

    /// <summary>Removes an entry (a directory with everything in it), every directory opened without following links.</summary>
    public void Remove(string path, bool isDirectory)
    {
        var (parent, name) = Parent(path);
        if (isDirectory)
        {
            RemoveTree(parent, name, path);
        }
        else
        {
            LinuxNative.UnlinkAt(parent, name, isDirectory: false);
        }

        Forget();
    }

    /// <summary>Applies a directory's mode and times (last, as Docker does), through a descriptor reached without following links.</summary>
    public void FinishDirectory(string path, int permissions, DateTimeOffset time)
    {
        using var directory = Walk(path);
        LinuxNative.ChangeMode(directory, permissions, path);
        LinuxNative.SetModifiedTime(directory, time, path);
    }

    public void Dispose()
    {
        Forget();
        _root.Dispose();
    }

    /// <summary>Opens one component below <paramref name="directory"/>: a directory, never a link.</summary>
    private static SafeFileHandle Step(SafeFileHandle directory, string name, string shown, string source)
    {
        try
        {
            return LinuxNative.OpenDirectoryAt(directory, name);
        }
        catch (IOException e) when (e.HResult is LinuxNative.ErrnoLoop or LinuxNative.ErrnoNotDirectory)
        {
            var mode = LinuxNative.ModeAt(directory, name);
            throw UnixModes.TypeOf(mode ?? 0) == UnixFileType.SymbolicLink
                ? new UnsafePathException(source, shown, Reason)
                : new UnsafePathException(source, shown, "it is not a directory, so nothing can be written below it");
        }
    }

    /// <summary>The open directory holding <paramref name="path"/> and its last component; the last parent is kept open for the next entry.</summary>
    private (SafeFileHandle Parent, string Name) Parent(string path)
    {
        var (parentPath, name) = Split(path);
        if (_cachedParent != parentPath)
        {
            Forget();
            _cachedHandle = Walk(parentPath);
            _cachedParent = parentPath;
        }

        return (_cachedHandle!, name);
    }

    private static (string Parent, string Name) Split(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? (string.Empty, path) : (path[..slash], path[(slash + 1)..]);
    }

    /// <summary>Opens a directory of the layer (<c>""</c>: the layer directory itself) one component at a time, never following a link.</summary>
    private SafeFileHandle Walk(string path)
    {
        var current = LinuxNative.OpenDirectoryAt(_root, ".");
        if (path.Length == 0)
        {
            return current;
        }

        try
        {
            var end = -1;
            do
            {
                var start = end + 1;
                end = path.IndexOf('/', start);
                var next = Step(current, end < 0 ? path[start..] : path[start..end], end < 0 ? path : path[..end], _source);
                current.Dispose();
                current = next;
            }
            while (end >= 0);

            return current;
        }
        catch
        {
            current.Dispose();
            throw;
        }
    }

    private void Forget()
    {
        _cachedHandle?.Dispose();
        _cachedHandle = null;
        _cachedParent = null;
    }

    private void Exclusive(Action create, string path)
    {
        try
        {
            create();
        }
        catch (IOException e) when (e.HResult == LinuxNative.ErrnoExists)
        {
            throw new UnsafePathException(_source, path, "something is already at its name (put there while the import ran); it is not replaced");
        }
    }

    private static void RemoveTree(SafeFileHandle parent, string name, string shown)
    {
        using (var directory = LinuxNative.OpenDirectoryAt(parent, name))
        {
            foreach (var entry in LinuxNative.ReadDirectory(directory, shown))
            {
                var isDirectory = entry.IsDirectory ?? UnixModes.TypeOf(LinuxNative.ModeAt(directory, entry.Name) ?? 0) == UnixFileType.Directory;
                if (isDirectory)
                {
                    RemoveTree(directory, entry.Name, shown + "/" + entry.Name);
                }
                else
                {
                    LinuxNative.UnlinkAt(directory, entry.Name, isDirectory: false);
                }
            }
        }

        LinuxNative.UnlinkAt(parent, name, isDirectory: true);
    }

    /// <summary>Extended attributes as Docker sets them: a file system or namespace that refuses one (EOPNOTSUPP, EPERM as non-root) is skipped.</summary>
    private static void SetAttributes(SafeFileHandle file, IReadOnlyDictionary<string, byte[]>? xattrs, string path)
    {
        foreach (var (attribute, value) in xattrs ?? EmptyAttributes)
        {
            try
            {
                LinuxNative.SetAttribute(file, attribute, value, path);
            }
            catch (IOException e) when (e.HResult is LinuxNative.ErrnoNotSupported or LinuxNative.ErrnoPermission)
            {
                // As Docker's createTarFile: ignored (user.* on a symbolic link, trusted.* as non-root, a file system without them).
            }
        }
    }

    private static void SetAttributesAt(SafeFileHandle parent, string name, IReadOnlyDictionary<string, byte[]>? xattrs)
    {
        foreach (var (attribute, value) in xattrs ?? EmptyAttributes)
        {
            try
            {
                LinuxNative.SetAttributeAt(parent, name, attribute, value);
            }
            catch (IOException e) when (e.HResult is LinuxNative.ErrnoNotSupported or LinuxNative.ErrnoPermission)
            {
                // As above.
            }
        }
    }

    private static readonly Dictionary<string, byte[]> EmptyAttributes = [];
}

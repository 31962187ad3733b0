using System.IO.Abstractions;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.IO;

/// <summary>
/// The one open of a file of the root itself — metadata (tag stores, <c>graph/&lt;id&gt;/json</c>, layer and container
/// records), <c>tar-split.json.gz</c> and <c>tar-data.json.gz</c>, container logs — small or streamed
/// (docs/hostile-input.md, "The adversarial review of issue 15: R5, R6, R7"). The entry is first checked with one
/// <c>lstat</c> (<see cref="NoFollow.RequireRegularFile"/>: a link, fifo or device is refused without being opened); on
/// the real Linux file system it is then opened with <c>O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC</c> and
/// <c>O_NOATIME</c> where the kernel allows it (<see cref="LinuxNative.OpenNoFollow"/>), and the descriptor's own status
/// must say regular file. A link put in the file's place after the <c>lstat</c> fails the open; a fifo opens without
/// blocking and is refused by its type; either way the refusal is <see cref="NoFollow"/>'s for what is there now. Nothing
/// is ever read through a link and no open hangs. Other file systems (in memory) open by path after the check.
/// </summary>
internal static class RootFile
{
    /// <summary>
    /// A test's seam: called with the path of each file just after its <c>lstat</c> and before it is opened, so a test can
    /// swap the file deterministically. Local to the async flow that sets it.
    /// </summary>
    internal static AsyncLocal<Action<string>?> BeforeOpen { get; } = new();

    /// <summary>Whether files of <paramref name="fileSystem"/> are opened natively.</summary>
    public static bool IsNative(IFileSystem fileSystem) => OperatingSystem.IsLinux() && fileSystem is FileSystem;

    /// <summary>Opens a regular file of the root for reading, as the class describes.</summary>
    /// <param name="fileSystem">The root's file system.</param>
    /// <param name="path">The file.</param>
    /// <param name="bufferSize">The stream's buffer (0 or 1: none).</param>
    /// <param name="options">The stream's options off the native path; natively the stream is synchronous.</param>
    /// <returns>A read-only stream named by <paramref name="path"/>; dispose it.</returns>
    /// <exception cref="UnsafePathException">The path is (or became) a symbolic link.</exception>
    /// <exception cref="CorruptFileException">The path is (or became) something other than a regular file.</exception>
    /// <exception cref="FileNotFoundException">There is no file.</exception>
    /// <exception cref="IOException">The open failed otherwise.</exception>
    public static FileSystemStream OpenRead(IFileSystem fileSystem, string path, int bufferSize, FileOptions options)
    {
        NoFollow.RequireRegularFile(fileSystem, path);
        if (!IsNative(fileSystem) || !OperatingSystem.IsLinux())
        {
            BeforeOpen.Value?.Invoke(path);
            return fileSystem.FileStream.New(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize, options);
        }

        var handle = new SafeFileHandle(OpenChecked(fileSystem, path, out _), ownsHandle: true);
        try
        {
            return new NamedStream(new FileStream(handle, FileAccess.Read, Math.Max(bufferSize, 1), isAsync: false), path);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens <paramref name="path"/> (already checked with <c>lstat</c>) natively without following a link or blocking,
    /// and checks that the descriptor is a regular file.
    /// </summary>
    /// <returns>The descriptor; the caller closes it.</returns>
    [SupportedOSPlatform("linux")]
    internal static int OpenChecked(IFileSystem fileSystem, string path, out LinuxNative.RawStatus status)
    {
        BeforeOpen.Value?.Invoke(path);
        var descriptor = LinuxNative.OpenNoFollow(path, out var errno);
        if (descriptor < 0)
        {
            throw errno switch
            {
                2 /* ENOENT */ => new FileNotFoundException($"Could not find file '{path}'.", path),
                13 /* EACCES */ or 1 /* EPERM */ => new UnauthorizedAccessException($"Access to the path '{path}' is denied."),
                _ => Changed(fileSystem, path) ?? LinuxNative.Failure("open", path, errno),
            };
        }

        try
        {
            status = LinuxNative.Fstat(descriptor, path);
            if (UnixModes.TypeOf(status.Mode) != UnixFileType.RegularFile)
            {
                throw Changed(fileSystem, path) ?? new CorruptFileException(path, "was replaced by something other than a regular file while it was read");
            }

            return descriptor;
        }
        catch
        {
            LinuxNative.Close(descriptor);
            throw;
        }
    }

    /// <summary>The refusal <see cref="NoFollow"/> gives for what is at <paramref name="path"/> now, or <see langword="null"/> when it is a regular file again.</summary>
    private static Exception? Changed(IFileSystem fileSystem, string path)
    {
        try
        {
            NoFollow.RequireRegularFile(fileSystem, path);
            return null;
        }
        catch (Exception e) when (e is UnsafePathException or CorruptFileException)
        {
            return e;
        }
    }

    /// <summary>A stream opened from a descriptor, named by its path as .NET names the streams it opens.</summary>
    private sealed class NamedStream(FileStream stream, string path) : FileSystemStream(stream, path, isAsync: false);
}

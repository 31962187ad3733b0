using System.IO.Abstractions;

namespace Docker.Aufs.IO;

/// <summary>Reads the small metadata files of a root with a size cap, so a hostile multi-gigabyte "json" cannot exhaust memory.</summary>
internal static class SmallFile
{
    /// <summary>The cap for image JSON, container configs and repositories files.</summary>
    public const int JsonLimit = 64 * 1024 * 1024;

    /// <summary>The cap for one-line files: <c>layersize</c>, <c>parent</c>, <c>checksum</c>.</summary>
    public const int LineLimit = 4096;

    public static byte[] Read(IFileSystem fileSystem, string path, int limit)
    {
        if (OperatingSystem.IsLinux() && fileSystem is FileSystem)
        {
            NoFollow.RequireRegularFile(fileSystem, path);
            return ReadNative(fileSystem, path, limit);
        }

        using var stream = Open(fileSystem, path, limit, out var length);
        var buffer = new byte[length];
        var read = Fill(stream, buffer);
        return read == buffer.Length ? buffer : buffer[..read];
    }

    /// <summary>Reads a file into a buffer rented from the shared pool, for content that is parsed and dropped (no large-object-heap garbage).</summary>
    public static RentedBytes ReadRented(IFileSystem fileSystem, string path, int limit)
    {
        if (RootFile.IsNative(fileSystem) && OperatingSystem.IsLinux())
        {
            NoFollow.RequireRegularFile(fileSystem, path);
            return ReadNativeRented(fileSystem, path, limit);
        }

        using var stream = Open(fileSystem, path, limit, out var length);
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)length);
        try
        {
            return new RentedBytes(buffer, Fill(stream, buffer.AsSpan(0, (int)length)));
        }
        catch
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    /// <summary>Reads a file that may be missing, with one <c>lstat</c> for both questions: <see langword="null"/> when there is no entry.</summary>
    /// <exception cref="UnsafePathException">The path is a symbolic link.</exception>
    /// <exception cref="CorruptFileException">The path is not a regular file, or the file is larger than <paramref name="limit"/>.</exception>
    public static byte[]? TryRead(IFileSystem fileSystem, string path, int limit)
    {
        if (!NoFollow.IsPresentRegularFile(fileSystem, path))
        {
            return null;
        }

        if (OperatingSystem.IsLinux() && fileSystem is FileSystem)
        {
            return ReadNative(fileSystem, path, limit);
        }

        using var stream = OpenChecked(fileSystem, path, limit, out var length);
        var buffer = new byte[length];
        var read = Fill(stream, buffer);
        return read == buffer.Length ? buffer : buffer[..read];
    }

    private static FileSystemStream Open(IFileSystem fileSystem, string path, int limit, out long length)
    {
        // Never through a symbolic link, never a fifo (whose open would block): see NoFollow.
        NoFollow.RequireRegularFile(fileSystem, path);
        return OpenChecked(fileSystem, path, limit, out length);
    }

    /// <summary>Opens a file already known to be a regular one (not a link, not a fifo).</summary>
    private static FileSystemStream OpenChecked(IFileSystem fileSystem, string path, int limit, out long length)
    {
        // Unbuffered (buffer size 1): the file is read whole with one call into an array of its size.
        RootFile.BeforeOpen.Value?.Invoke(path);
        var stream = fileSystem.FileStream.New(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        length = stream.Length;
        if (length > limit)
        {
            stream.Dispose();
            throw new CorruptFileException(path, $"the file is {length} bytes, more than the {limit} bytes such a file can plausibly hold");
        }

        return stream;
    }

    /// <summary>
    /// Reads a file that <c>lstat</c> just found to be a regular file with four calls (<c>open</c> with <c>O_NOFOLLOW</c> and
    /// <c>O_NONBLOCK</c>, <c>statx</c> of the descriptor, <c>read</c>, <c>close</c>) instead of a <see cref="FileStream"/>'s
    /// seven. Should the entry have changed since (a link or a fifo put in its place), the open or the descriptor's status
    /// says so and it is refused as <see cref="NoFollow"/> refuses it; it is never read through a link.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static byte[] ReadNative(IFileSystem fileSystem, string path, int limit)
    {
        var descriptor = RootFile.OpenChecked(fileSystem, path, out var status);
        try
        {
            CheckLimit(path, status.Size, limit);
            var buffer = new byte[(int)status.Size];
            var read = LinuxNative.ReadFull(descriptor, buffer, path);
            return read == buffer.Length ? buffer : buffer[..read];
        }
        finally
        {
            LinuxNative.Close(descriptor);
        }
    }

    /// <summary>As <see cref="ReadNative"/>, into a buffer rented from the shared pool.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static RentedBytes ReadNativeRented(IFileSystem fileSystem, string path, int limit)
    {
        var descriptor = RootFile.OpenChecked(fileSystem, path, out var status);
        try
        {
            CheckLimit(path, status.Size, limit);
            var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent((int)status.Size);
            try
            {
                return new RentedBytes(buffer, LinuxNative.ReadFull(descriptor, buffer.AsSpan(0, (int)status.Size), path));
            }
            catch
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                throw;
            }
        }
        finally
        {
            LinuxNative.Close(descriptor);
        }
    }

    private static void CheckLimit(string path, ulong size, int limit)
    {
        if (size > (ulong)limit)
        {
            throw new CorruptFileException(path, $"the file is {size} bytes, more than the {limit} bytes such a file can plausibly hold");
        }
    }

    /// <summary>Reads until <paramref name="buffer"/> is full or the file ends (it may have shrunk since its length was read).</summary>
    private static int Fill(FileSystemStream stream, Span<byte> buffer)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer[read..]);
            if (n == 0)
            {
                break;
            }

            read += n;
        }

        return read;
    }

    public static string ReadText(IFileSystem fileSystem, string path, int limit) =>
        System.Text.Encoding.UTF8.GetString(Read(fileSystem, path, limit));
}

/// <summary>A file's bytes in a pooled buffer; dispose once to return the buffer.</summary>
internal readonly struct RentedBytes(byte[] buffer, int length) : IDisposable
{
    public ReadOnlyMemory<byte> Memory => buffer.AsMemory(0, length);

    public void Dispose() => System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
}

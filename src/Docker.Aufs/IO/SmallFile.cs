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
        using var stream = fileSystem.FileStream.New(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4096, FileOptions.None);
        var length = stream.Length;
        if (length > limit)
        {
            throw new CorruptFileException(path, $"the file is {length} bytes, more than the {limit} bytes such a file can plausibly hold");
        }

        var buffer = new byte[length];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = stream.Read(buffer, read, buffer.Length - read);
            if (n == 0)
            {
                return buffer[..read];
            }

            read += n;
        }

        return buffer;
    }

    public static string ReadText(IFileSystem fileSystem, string path, int limit) =>
        System.Text.Encoding.UTF8.GetString(Read(fileSystem, path, limit));
}

using System.Runtime.InteropServices;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// The floor of <c>images</c> on a 1.10+ root, for <see cref="CasQuickMeasure"/>: the files Docker's load reads, each
/// opened relative to its <c>sha256/</c> directory's descriptor (<c>openat</c>, one or two path components), read and
/// closed — nothing checked, hashed or decoded. Beside the same with absolute paths, it tells the cost of the system calls
/// from the cost of the path walks (docs/benchmarks.md, issue 11 (a)).
/// </summary>
internal static partial class CasFloor
{
    private const int ReadOnlyNoFollowNoAtime = 0x100 | 0x800 | 0x80000 | 0x20000 | 0x40000; // x86-64 values
    private const int DirectoryFlags = 0x10000 | 0x80000;
    private const int AtWorkingDirectory = -100;

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static void Run(string store, string[] configHexes, string[] metadataParents, string[] layerFiles)
    {
        if (RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            return; // the flags above are x86-64's
        }

        var content = OpenAt(AtWorkingDirectory, Path.Combine(store, "imagedb", "content", "sha256"), DirectoryFlags, 0);
        var metadata = OpenAt(AtWorkingDirectory, Path.Combine(store, "imagedb", "metadata", "sha256"), DirectoryFlags, 0);
        var layers = OpenAt(AtWorkingDirectory, Path.Combine(store, "layerdb", "sha256"), DirectoryFlags, 0);
        var buffer = new byte[64 * 1024];
        QuickMeasure.Report("floor: the same, openat from each directory", 3, () =>
        {
            ReadAll(content, configHexes, buffer);
            ReadAll(metadata, metadataParents, buffer);
            ReadAll(layers, layerFiles, buffer);
        }, warmup: 5);
        _ = Close(content);
        _ = Close(metadata);
        _ = Close(layers);
    }

    private static void ReadAll(int directory, string[] names, byte[] buffer)
    {
        foreach (var name in names)
        {
            var descriptor = OpenAt(directory, name, ReadOnlyNoFollowNoAtime, 0);
            if (descriptor >= 0)
            {
                _ = Read(descriptor, buffer, buffer.Length);
                _ = Close(descriptor);
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "openat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenAt(int directory, string name, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "read")]
    private static partial nint Read(int descriptor, [Out] byte[] buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int descriptor);
}

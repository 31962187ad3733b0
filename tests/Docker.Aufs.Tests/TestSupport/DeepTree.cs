using System.Diagnostics;
using System.Runtime.Versioning;
using Docker.Aufs.IO;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Trees deeper than PATH_MAX (4,096 bytes), made with <c>mkdirat</c>/<c>openat</c> since no path call can make them.</summary>
[SupportedOSPlatform("linux")]
internal static class DeepTree
{
    /// <summary>The name of each directory level: 200 characters.</summary>
    public static readonly string Level = new('d', 200);

    /// <summary>
    /// Makes directories named <see cref="Level"/> under <paramref name="top"/> until the path passes 5,000 bytes, and a file
    /// <c>bottom</c> of <paramref name="bytes"/> bytes at the bottom.
    /// </summary>
    /// <returns>The file's path relative to <paramref name="top"/> and its full path's length in bytes.</returns>
    public static (string Relative, int Length) MakeDeepFile(string top, int bytes)
    {
        var handles = new List<SafeFileHandle> { LinuxNative.OpenDirectoryAt(null, top) };
        var length = top.Length;
        var relative = new List<string>();
        try
        {
            while (length <= 5000)
            {
                LinuxNative.MakeDirectoryAt(handles[^1], Level, 0b111_101_101);
                handles.Add(LinuxNative.OpenDirectoryAt(handles[^1], Level));
                relative.Add(Level);
                length += Level.Length + 1;
            }

            using var file = LinuxNative.CreateFileAt(handles[^1], "bottom");
            using var stream = new FileStream(file, FileAccess.Write);
            stream.Write(new byte[bytes]);
            relative.Add("bottom");
            return (string.Join('/', relative), length + "/bottom".Length);
        }
        finally
        {
            foreach (var handle in handles)
            {
                handle.Dispose();
            }
        }
    }

    /// <summary>Removes a tree deeper than PATH_MAX (rm walks by handle).</summary>
    public static void Remove(string path)
    {
        using var rm = Process.Start(new ProcessStartInfo("rm", ["-rf", "--", path]) { UseShellExecute = false })!;
        rm.WaitForExit();
    }
}

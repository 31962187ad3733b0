using System.Diagnostics;
using System.IO.Abstractions;
using System.Runtime.Versioning;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;
using Microsoft.Win32.SafeHandles;

namespace Docker.Aufs.Tests.Fsck;

/// <summary>
/// fsck walks a layer's directory by directory handle (issue 15 class 11): a path inside a layer longer than PATH_MAX
/// (4,096 bytes), made with <c>mkdirat</c>/<c>openat</c> since no path call can make it, is measured like any other.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DeepLayerWalkTests
{
    private const string BusyboxTop = "789355058656ec2ca0a856283e2597852ccd444548c9ef4fcbf8c9c24a73e169";

    [Fact]
    public void Fsck_LayerWithAPathOf5000Bytes_MeasuresTheFileAtItsBottom()
    {
        using var temp = new TempDirectory();
        var root = temp.Combine("docker");
        Assert.Equal(0, CliRunner.Run(new FileSystem(), "sample", root).Exit);
        var diff = Path.Combine(root, "aufs", "diff", BusyboxTop);
        var depth = MakeDeepFile(diff, bytes: 1234);
        try
        {
            Assert.True(depth > 5000, $"{depth} bytes");
            File.WriteAllText(Path.Combine(root, "graph", BusyboxTop, "layersize"), "1");

            var report = RootChecker.Check(new FileSystem(), root, verifyContent: false, cancellationToken: TestContext.Current.CancellationToken);

            var finding = Assert.Single(report.Findings);
            Assert.Equal((FindingCodes.LayerSizeMismatch, "says 1 bytes, but the diff directory holds 1234"), (finding.Code, finding.Message));

            File.WriteAllText(Path.Combine(root, "graph", BusyboxTop, "layersize"), "1234");
            Assert.True(RootChecker.Check(new FileSystem(), root, verifyContent: false, cancellationToken: TestContext.Current.CancellationToken).IsClean);
        }
        finally
        {
            RemoveTree(diff);
        }
    }

    /// <summary>Makes directories of 200-character names under <paramref name="top"/> until the path passes 5,000 bytes, and a file of <paramref name="bytes"/> bytes at the bottom; returns the file's path length.</summary>
    private static int MakeDeepFile(string top, int bytes)
    {
        var name = new string('d', 200);
        var handles = new List<SafeFileHandle> { LinuxNative.OpenDirectoryAt(null, top) };
        var length = top.Length;
        try
        {
            while (length <= 5000)
            {
                LinuxNative.MakeDirectoryAt(handles[^1], name, 0b111_101_101);
                handles.Add(LinuxNative.OpenDirectoryAt(handles[^1], name));
                length += name.Length + 1;
            }

            using var file = LinuxNative.CreateFileAt(handles[^1], "bottom");
            using var stream = new FileStream(file, FileAccess.Write);
            stream.Write(new byte[bytes]);
            return length + "/bottom".Length;
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
    private static void RemoveTree(string path)
    {
        using var rm = Process.Start(new ProcessStartInfo("rm", ["-rf", "--", path]) { UseShellExecute = false })!;
        rm.WaitForExit();
    }
}

using System.IO.Abstractions;
using System.Runtime.Versioning;
using Docker.Aufs.Tests.TestSupport;

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
        var (_, depth) = DeepTree.MakeDeepFile(diff, bytes: 1234);
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
            DeepTree.Remove(diff);
        }
    }
}

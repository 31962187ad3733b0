using System.IO.Abstractions;
using System.Runtime.Versioning;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Union;

/// <summary>
/// A directory of a layer swapped for a symbolic link to a host directory after its parent was listed (review of issue 15,
/// R13): the union view lists a branch directory relative to the branch's handle, following no link, so the walk is refused
/// with an error naming the directory — before, it opened the directory by its full path and listed the host's files as
/// the image's (docs/hostile-input.md, "Files swapped between listing and opening").
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SwappedDirectoryTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void EnumerateRecursive_ADirectorySwappedForALinkToTheHostAfterItsParentWasListed_IsRefusedAndNothingOfTheHostIsListed()
    {
        var root = _temp.Combine("docker");
        Assert.Equal(0, CliRunner.Run(new FileSystem(), "sample", root).Exit);
        var host = _temp.Combine("host");
        Directory.CreateDirectory(host);
        File.WriteAllText(Path.Combine(host, "host-secret"), "secret");
        var layers = Directory.GetDirectories(Path.Combine(root, "aufs", "diff")).Where(d => Directory.Exists(Path.Combine(d, "etc"))).ToList();
        Assert.NotEmpty(layers);

        var docker = DockerRoot.Open(new FileSystem(), root);
        var view = docker.OpenImage("busybox");
        var seen = new List<string>();
        var error = Assert.Throws<UnsafePathException>(() =>
        {
            foreach (var entry in view.EnumerateRecursive())
            {
                seen.Add(entry.Path);
                if (entry.Path == "etc")
                {
                    // The walk has listed / and handed out /etc; it lists /etc when the enumeration goes on.
                    foreach (var layer in layers)
                    {
                        Directory.Move(Path.Combine(layer, "etc"), Path.Combine(layer, "etc.aside"));
                        File.CreateSymbolicLink(Path.Combine(layer, "etc"), host);
                    }
                }
            }
        });

        Assert.Contains("etc", seen);
        Assert.DoesNotContain(seen, p => p.Contains("host-secret", StringComparison.Ordinal));
        Assert.Contains("/etc", error.Message, StringComparison.Ordinal);
        Assert.Contains("never listed through a link", error.Message, StringComparison.Ordinal);
    }
}

using System.IO.Abstractions;
using System.Runtime.Versioning;
using Docker.Aufs.IO;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// Files of the root itself swapped between their check and their open (the adversarial review of issue 15, R7), a corpus
/// family on the real disk: a tag store, an image's <c>graph/&lt;id&gt;/json</c> or a layer's <c>tar-split.json.gz</c> is
/// replaced, just after its <c>lstat</c> and before its open (<see cref="RootFile.BeforeOpen"/>, so the race is won every
/// time), by a symbolic link to a watched host file or by a fifo with no writer. The command must refuse it with one line
/// naming the file, show nothing of the host file, open nothing outside the root, and never hang.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SwappedRootFileTests : IClassFixture<SwappedFileTests.Roots>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);
    private readonly SwappedFileTests.Roots _roots;

    public SwappedRootFileTests(SwappedFileTests.Roots roots) => _roots = roots;

    public enum Swap
    {
        LinkToHostFile,
        Fifo,
    }

    public static TheoryData<string, string, string, Swap> Cases()
    {
        var data = new TheoryData<string, string, string, Swap>();
        foreach (var swap in Enum.GetValues<Swap>())
        {
            data.Add("graph", "images", "/repositories-aufs", swap);
            data.Add("graph", "images", "/json", swap);
            data.Add("graph", "save busybox", "/json", swap);
            data.Add("content-addressed", "images", "/repositories.json", swap);
            data.Add("content-addressed", "digest busybox --layer-source tar-split", "/tar-split.json.gz", swap);
            data.Add("content-addressed", "layer-tar busybox --layer-source tar-split", "/tar-split.json.gz", swap);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void ARootFileSwappedAfterItsCheck_IsRefusedWithOneLineNamingIt_AndNothingOfTheHostIsShown(string store, string command, string file, Swap swap)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "the race is the Linux kernel's");
        using var sentinel = new HostSentinel();
        using var temp = new TempDirectory();
        var root = _roots.Root(store);
        var output = temp.Combine("out.tar");
        string[] args = [.. command.Split(' ')];
        if (args[0] is "save" or "layer-tar")
        {
            args = [.. args, "-o", output];
        }

        string? swapped = null;
        string? aside = null;
        try
        {
            var (exit, stdout, stderr) = RunBounded(() =>
            {
                RootFile.BeforeOpen.Value = path =>
                {
                    if (swapped is null && path.EndsWith(file, StringComparison.Ordinal) && path.StartsWith(root + "/", StringComparison.Ordinal))
                    {
                        swapped = path;
                        aside = temp.Combine("aside");
                        File.Move(path, aside);
                        if (swap == Swap.LinkToHostFile)
                        {
                            File.CreateSymbolicLink(path, sentinel.SecretFile);
                        }
                        else
                        {
                            LinuxNative.MakeFifo(path, 0x1A4);
                        }
                    }
                };
                return CliRunner.Run(new FileSystem(), ["--root", root, .. args]);
            }, () => swapped);

            Assert.NotNull(swapped);
            var all = stdout + stderr + (File.Exists(output) ? System.Text.Encoding.Latin1.GetString(File.ReadAllBytes(output)) : string.Empty);
            Assert.DoesNotContain(HostSentinel.Secret, all, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", all, StringComparison.OrdinalIgnoreCase);
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.All(lines, l => Assert.StartsWith("docker-aufs:", l, StringComparison.Ordinal)); // no stack trace
            if (exit == 0)
            {
                // A listing goes on without what it cannot read (issue 15 class 11): a warning names the file.
                Assert.Contains(lines, l => l.StartsWith("docker-aufs: warning:", StringComparison.Ordinal) && l.Contains(swapped, StringComparison.Ordinal));
            }
            else
            {
                var line = Assert.Single(lines, l => !l.StartsWith("docker-aufs: warning:", StringComparison.Ordinal));
                Assert.Contains(swapped, line, StringComparison.Ordinal);
                Assert.False(File.Exists(output), "a failed output leaves nothing");
            }
            sentinel.AssertUntouched($"{command} after {file} became a {swap}");
        }
        finally
        {
            if (swapped is not null)
            {
                File.Delete(swapped);
                File.Move(aside!, swapped);
            }
        }
    }

    /// <summary>Runs <paramref name="run"/> with a time bound; a run still blocked on the fifo is freed by opening it for writing, and the case fails.</summary>
    private static (int Exit, string Out, string Err) RunBounded(Func<(int, string, string)> run, Func<string?> fifo)
    {
        var task = Task.Run(run);
        if (!task.Wait(Bound))
        {
            try
            {
                using var writer = new FileStream(fifo()!, FileMode.Open, FileAccess.Write);
            }
            catch (IOException)
            {
            }

            task.Wait(Bound);
            Assert.Fail($"the command hung for {Bound.TotalSeconds} s after {fifo()} was swapped");
        }

        return task.Result;
    }
}

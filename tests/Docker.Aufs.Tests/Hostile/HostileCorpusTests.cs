using System.IO.Abstractions.TestingHelpers;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Hostile;

/// <summary>
/// The hostile-input corpus in memory (docs/hostile-input.md): hundreds of malformed roots made by mutation from valid
/// ones, each run through every public operation of the library and a command of the CLI. Every operation must succeed
/// or throw a documented exception, finish within the bound, touch no path outside the root (every path handed to the
/// recording file system is checked, <c>..</c> resolved), write nothing in the root, and put no byte of the files outside
/// the root into its outputs.
/// </summary>
public sealed class HostileCorpusTests
{
    private const string OutputDirectory = "/hostile-out";

    /// <summary>The bound of one case's library operations; a hang fails the case instead of stalling the run.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan CliBound = TimeSpan.FromSeconds(30);

    public static TheoryData<string> Cases => [.. HostileCorpus.Cases.Keys];

    [Fact]
    public void TheCorpus_HoldsAtLeast400CasesWithDistinctNames()
    {
        Assert.True(HostileCorpus.Cases.Count >= 400, $"{HostileCorpus.Cases.Count} cases");
        Assert.All(HostileCorpus.Cases, c => Assert.Equal(c.Key, c.Value.Name));
    }

    [Fact]
    public void TheCorpus_EachMutationChangesItsSeed() => AssertEachMutationChangesItsSeed(HostileCorpus.Cases.Values);

    /// <summary>Asserts that every case's mutation changes the bytes or the tree of its seed (or, by its name, only recorded metadata).</summary>
    internal static void AssertEachMutationChangesItsSeed(IEnumerable<HostileCase> cases)
    {
        var unchanged = cases.Where(c =>
        {
            var editor = new RootEditor(c.Seed);
            var before = TreeSnapshot.Take(editor.FileSystem, HostileSeed.RootPath);
            c.Mutate(editor);
            return before.SequenceEqual(TreeSnapshot.Take(editor.FileSystem, HostileSeed.RootPath)) && !IsMetadataOnly(c);
        }).Select(c => c.Name).ToList();

        Assert.True(unchanged.Count == 0, "mutations that change nothing:\n" + string.Join('\n', unchanged));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryOperation_OnAMalformedRoot_SucceedsOrThrowsADocumentedExceptionWithinTheBoundAndReadsOnlyTheRoot(string name) =>
        Run(HostileCorpus.Cases[name], requireFileInMessage: false);

    /// <summary>
    /// Runs every library operation and two CLI commands over the damaged copy of a case's seed; asserts the promises
    /// (documented exceptions only, naming the file when <paramref name="requireFileInMessage"/>; the bound; nothing read
    /// outside the root; nothing written in it; no byte from outside in an output).
    /// </summary>
    internal static void Run(HostileCase hostile, bool requireFileInMessage)
    {
        var name = hostile.Name;
        var editor = new RootEditor(hostile.Seed);
        hostile.Mutate(editor);
        var before = TreeSnapshot.Take(editor.FileSystem, RootEditor.Root);
        var (spy, log) = SpyFileSystem.Wrap(editor.FileSystem);
        var output = new MockFileSystem();

        var run = new HostileRun(spy, RootEditor.Root, editor.Metadata, output, OutputDirectory, HostileTargets.Of(hostile.Seed)) { RequireFileInMessage = requireFileInMessage };
        var problems = run.Library(Bound).ToList();
        foreach (var args in CliCommands(hostile))
        {
            problems.AddRange(HostileRun.Cli(spy, RootEditor.Root, CliBound, args));
        }

        problems.AddRange(log.PathsOutside(RootEditor.Root, OutputDirectory).Select(p => "touched outside the root: " + p));
        problems.AddRange(log.Mutations.Where(m => !m.Contains(OutputDirectory, StringComparison.Ordinal)).Select(m => "wrote: " + m));
        problems.AddRange(output.AllFiles.Concat(editor.FileSystem.AllFiles.Where(f => f.StartsWith(OutputDirectory, StringComparison.Ordinal)))
            .Where(f => System.Text.Encoding.UTF8.GetString((f.StartsWith(OutputDirectory, StringComparison.Ordinal) && editor.FileSystem.FileExists(f) ? editor.FileSystem : output).File.ReadAllBytes(f))
                .Contains(RootEditor.Secret, StringComparison.Ordinal))
            .Select(f => "an output holds bytes from outside the root: " + f));
        Assert.True(problems.Count == 0, $"{name}:\n{string.Join('\n', problems.Distinct())}");
        Assert.Equal(before, TreeSnapshot.Take(editor.FileSystem, RootEditor.Root));
    }

    /// <summary>Cases whose damage lives in the recorded metadata (what lstat would say), not in the bytes.</summary>
    private static bool IsMetadataOnly(HostileCase c) =>
        c.Name.Contains("recorded", StringComparison.Ordinal) || c.Name.Contains("a device of huge numbers", StringComparison.Ordinal) ||
        c.Name.Contains("a link with", StringComparison.Ordinal) || c.Name.Contains("a hardlink record", StringComparison.Ordinal) ||
        c.Name.Contains("a time far outside", StringComparison.Ordinal) || c.Name.Contains("owners of -1", StringComparison.Ordinal);

    /// <summary>Two CLI commands per case: <c>images</c>, and one of the others in turn (chosen by the name, so the same every run).</summary>
    private static IEnumerable<string[]> CliCommands(HostileCase hostile)
    {
        var seed = hostile.Seed;
        var tag = seed.Tags[0];
        string[][] others =
        [
            ["fsck"], ["history", tag], ["ls", tag, "-R"], ["cat", tag, "/etc/passwd"], ["diff", seed.ContainerIds[0]], ["digest", tag],
            ["save", tag, "-o", OutputDirectory + "/cli-save.tar"], ["layer-tar", seed.LayerIds[0], "-o", OutputDirectory + "/cli-layer.tar"],
            ["inspect", seed.ImageIds[0][..12]], ["containers"], ["export", seed.ContainerIds[0][..12], "-o", OutputDirectory + "/cli-export.tar"],
            ["layers", tag], ["save", tag, "-o", OutputDirectory + "/cli-oci", "--format", "oci-dir"],
        ];
        var pick = hostile.Name.Aggregate(17, (h, c) => unchecked((h * 31) + c));
        return [["images"], others[(int)((uint)pick % others.Length)]];
    }
}

using System.IO.Abstractions;
using Docker.Aufs.IO;

namespace Docker.Aufs;

/// <summary>Where the checks of stores and drivers put their findings, with the helpers every check uses for links.</summary>
internal sealed class FindingSink(IFileSystem fileSystem, IUnixMetadataProvider metadata, string root = "/")
{
    private readonly List<FsckFinding> _findings = [];
    private readonly HashSet<string> _unreadable = new(StringComparer.Ordinal);

    /// <summary>Gets the full path of the checked root (unreadable paths are shown relative to it).</summary>
    public string Root => root;

    public IFileSystem FileSystem => fileSystem;

    public IUnixMetadataProvider Metadata => metadata;

    /// <summary>Gets the findings so far, in the order they were added.</summary>
    public IReadOnlyList<FsckFinding> Findings => _findings;

    public void Add(string code, FindingSeverity severity, string path, string message, string hint) =>
        _findings.Add(new(code, severity, path, message, hint));

    /// <summary>
    /// Whether <paramref name="path"/> is a symbolic link: tells a link the library refused from an unsafe value read
    /// in a file (a parent ID like <c>../../etc</c>), which is reported as that file's damage.
    /// </summary>
    public bool IsLink(string path) => metadata.TryGetStatus(path, out var status) && status.Type == UnixFileType.SymbolicLink;

    /// <summary>Whether <paramref name="path"/> is a symbolic link (then reported as <see cref="FindingCodes.UnsafeLink"/>, and not to be followed).</summary>
    public bool IsUnsafeLink(string path)
    {
        if (metadata.TryGetStatus(path, out var status) && status.Type == UnixFileType.SymbolicLink)
        {
            AddUnsafeLink(path, status.LinkTarget ?? string.Empty);
            return true;
        }

        return false;
    }

    public void AddUnsafeLink(string path, string target) =>
        Add(FindingCodes.UnsafeLink, FindingSeverity.Error, path,
            $"a symbolic link (to {target}) where Docker never writes one; it was not followed, as it could lead outside the root",
            "damage or tampering: the data behind it is not read; look at where it points before trusting the root");

    /// <summary>A part of the root this process may not read, as a finding: its path, mode and owner, what was lost, and the access that fixes it.</summary>
    public static FsckFinding Unreadable(PathAccessDeniedException denied, string consequence) =>
        new(FindingCodes.Unreadable, FindingSeverity.Error, denied.Path, $"{denied.Problem}: {consequence}", PathAccessDeniedException.Remedy);

    /// <summary>Adds <paramref name="denied"/> as an <see cref="FindingCodes.Unreadable"/> finding.</summary>
    public void AddUnreadable(PathAccessDeniedException denied, string consequence)
    {
        if (_unreadable.Add(denied.Path))
        {
            _findings.Add(Unreadable(denied, consequence)); // once per path, with what was lost first
        }
    }

    /// <summary>
    /// Runs one check; if this process may not read something it needs, that is reported as an
    /// <see cref="FindingCodes.Unreadable"/> finding (the first refused directory or file on the way to what the error
    /// names, else <paramref name="path"/>) and the next check runs: fsck goes on with what it can read.
    /// </summary>
    public void Guard(string path, string consequence, Action check)
    {
        try
        {
            check();
        }
        catch (Exception e) when (AccessProblems.IsDenied(e))
        {
            AddUnreadable(AccessProblems.Describe(metadata, root, path, e), consequence);
        }
    }

    /// <summary>The problem a data exception reports, without the path it names.</summary>
    public static string ProblemOf(DockerDataException e) => e switch
    {
        CorruptFileException c => c.Problem,
        BrokenLayerChainException b => b.Problem,
        NotADockerRootException n => n.Problem,
        _ => e.Message,
    };
}

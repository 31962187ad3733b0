namespace Docker.Aufs;

/// <summary>
/// The operating system refused to let this process read a part of a Docker root (a root-owned copy read by another user):
/// an <see cref="UnauthorizedAccessException"/> that names the refused file or directory, its mode and owner, and the
/// access that would let it be read. Its message is one line:
/// <c>permission denied: graph/&lt;id&gt; (mode 0700, owner root): run as root or with read access to the copy</c>.
/// </summary>
/// <remarks>
/// Listings do not throw it for one entry: they skip the entry, log the same line as a warning and report it in
/// <see cref="Listing{T}.Unreadable"/>. It is thrown where the one thing asked for cannot be read.
/// </remarks>
/// <threadsafety static="true" instance="true"/>
public sealed class PathAccessDeniedException : UnauthorizedAccessException
{
    /// <summary>Initializes a new instance.</summary>
    /// <param name="path">The full path of the file or directory that could not be read.</param>
    /// <param name="shownPath">The path as the message shows it: relative to the root when it lies in the root.</param>
    /// <param name="mode">Its permission bits, or <see langword="null"/> when even they cannot be seen.</param>
    /// <param name="owner">Its owner's name (or user ID), or <see langword="null"/> when it cannot be seen.</param>
    /// <param name="innerException">The operating system's own error.</param>
    public PathAccessDeniedException(string path, string shownPath, int? mode, string? owner, Exception? innerException = null)
        : base(Describe(shownPath, mode, owner), innerException)
    {
        ArgumentNullException.ThrowIfNull(path);
        Path = path;
        ShownPath = shownPath;
        Mode = mode;
        Owner = owner;
    }

    /// <summary>Gets the full path of the file or directory that could not be read.</summary>
    public string Path { get; }

    /// <summary>Gets the path as the message shows it (relative to the root when it lies in the root).</summary>
    public string ShownPath { get; }

    /// <summary>Gets its permission bits, or <see langword="null"/> when they cannot be seen.</summary>
    public int? Mode { get; }

    /// <summary>Gets its owner's name (or numeric user ID), or <see langword="null"/> when it cannot be seen.</summary>
    public string? Owner { get; }

    /// <summary>Gets what is wrong, without the path: <c>permission denied (mode 0700, owner root)</c>.</summary>
    public string Problem => Mode is { } mode
        ? $"permission denied (mode {Convert.ToString(mode & 0xFFF, 8).PadLeft(4, '0')}{(Owner is null ? "" : $", owner {Owner}")})"
        : "permission denied";

    /// <summary>Gets what would let it be read.</summary>
    public static string Remedy => "run as root or with read access to the copy";

    private static string Describe(string shownPath, int? mode, string? owner)
    {
        ArgumentNullException.ThrowIfNull(shownPath);
        var facts = mode is { } m ? $" (mode {Convert.ToString(m & 0xFFF, 8).PadLeft(4, '0')}{(owner is null ? "" : $", owner {owner}")})" : "";
        return $"permission denied: {shownPath}{facts}: {Remedy}";
    }
}

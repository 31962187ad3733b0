namespace Docker.Aufs.Building;

/// <summary>How an entry that <see cref="System.IO.Abstractions.IFileSystem"/> cannot express is written.</summary>
public enum SpecialFileMode
{
    /// <summary><see cref="Native"/> on the real file system on Linux, <see cref="Recorded"/> otherwise.</summary>
    Auto,

    /// <summary>
    /// Real symbolic links, hardlinks and fifos (and device nodes and owners when running as root); entries that cannot be
    /// made natively fall back to <see cref="Recorded"/>. Needs the real file system on Linux.
    /// </summary>
    Native,

    /// <summary>
    /// A regular placeholder file (a symbolic link's placeholder holds its target), with the real type, owner, inode and
    /// device numbers recorded in <see cref="LegacyRootBuilder.Metadata"/>. Works on any file system, including in memory.
    /// </summary>
    Recorded,
}

/// <summary>The JSON formatting of <c>graph/&lt;id&gt;/json</c>, which changed between Docker versions.</summary>
public enum ImageJsonStyle
{
    /// <summary><c>json.Marshal</c> output without a trailing newline, as Docker ≤ 1.3 and ≥ 1.8.3 wrote it.</summary>
    Marshal,

    /// <summary><c>json.Encoder</c> output with a trailing newline, as Docker 1.4–1.8.2 wrote it.</summary>
    Encoder,
}

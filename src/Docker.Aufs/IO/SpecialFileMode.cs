namespace Docker.Aufs.IO;

/// <summary>How an entry that <see cref="System.IO.Abstractions.IFileSystem"/> cannot express is written (by import, and by the Testing package's builder).</summary>
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
    /// device numbers recorded in a <see cref="RecordedMetadataProvider"/>. Works on any file system, including in memory.
    /// </summary>
    Recorded,
}

using System.Formats.Tar;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;

namespace Docker.Aufs.Union;

public sealed partial class UnionView
{
    /// <summary>
    /// Writes the merged file system as one uncompressed tar, what <c>docker export</c> gives for a container: every entry
    /// below the root in <see cref="EnumerateRecursive"/> order (names relative, without <c>./</c>, directories with a
    /// trailing <c>/</c>), with permissions, owners, modification times, symbolic links as stored, device numbers, and
    /// regular files that share an inode written once and then as hardlinks to the first name. Sockets are skipped, as
    /// Docker's tar writer skips them. File contents are streamed from their branches; nothing is buffered whole.
    /// </summary>
    /// <param name="output">Where to write the tar; left open.</param>
    /// <param name="cancellationToken">Stops the export between entries.</param>
    /// <returns>The number of tar entries written.</returns>
    /// <exception cref="IOException">A branch cannot be read, or <paramref name="output"/> fails.</exception>
    /// <exception cref="CorruptFileException">An entry cannot be written: a symbolic link with an empty target or device numbers above 2147483647 (no real file system holds them), or an owner above 2147483647 (which <c>System.Formats.Tar</c> cannot write; the layer tars keep it).</exception>
    /// <exception cref="OperationCanceledException">The export was cancelled.</exception>
    public long WriteTar(Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        var hardlinks = new Dictionary<FileIdentity, string>();
        long count = 0;
        foreach (var entry in EnumerateRecursive())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var tarEntry = ToTarEntry(entry, hardlinks);
            if (tarEntry is null)
            {
                continue;
            }

            using (tarEntry.DataStream)
            {
                writer.WriteEntry(tarEntry);
            }

            count++;
        }

        return count;
    }

    /// <summary>Writes the merged file system as one uncompressed tar; see <see cref="WriteTar"/>.</summary>
    /// <param name="output">Where to write the tar; left open.</param>
    /// <param name="cancellationToken">Stops the export.</param>
    /// <returns>The number of tar entries written.</returns>
    /// <exception cref="IOException">A branch cannot be read, or <paramref name="output"/> fails.</exception>
    /// <exception cref="CorruptFileException">An entry cannot be written: a symbolic link with an empty target or device numbers above 2147483647 (no real file system holds them), or an owner above 2147483647 (which <c>System.Formats.Tar</c> cannot write; the layer tars keep it).</exception>
    /// <exception cref="OperationCanceledException">The export was cancelled.</exception>
    public async Task<long> WriteTarAsync(Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        var writer = new TarWriter(output, TarEntryFormat.Gnu, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            var hardlinks = new Dictionary<FileIdentity, string>();
            long count = 0;
            foreach (var entry in EnumerateRecursive())
            {
                cancellationToken.ThrowIfCancellationRequested();
                var tarEntry = ToTarEntry(entry, hardlinks);
                if (tarEntry is null)
                {
                    continue;
                }

                try
                {
                    await writer.WriteEntryAsync(tarEntry, cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    if (tarEntry.DataStream is { } data)
                    {
                        await data.DisposeAsync().ConfigureAwait(false);
                    }
                }

                count++;
            }

            return count;
        }
    }

    /// <summary>The tar entry for a view entry (with its data stream opened), or <see langword="null"/> for a socket.</summary>
    private GnuTarEntry? ToTarEntry(UnionEntry entry, Dictionary<FileIdentity, string> hardlinks)
    {
        TarEntryType type;
        string? linkName = null;
        switch (entry.Type)
        {
            case UnixFileType.Directory:
                type = TarEntryType.Directory;
                break;
            case UnixFileType.RegularFile when entry.LinkCount > 1 && hardlinks.TryGetValue(entry.Identity, out var first):
                type = TarEntryType.HardLink;
                linkName = first;
                break;
            case UnixFileType.RegularFile:
                type = TarEntryType.RegularFile;
                if (entry.LinkCount > 1)
                {
                    hardlinks[entry.Identity] = entry.Path;
                }

                break;
            case UnixFileType.SymbolicLink:
                type = TarEntryType.SymbolicLink;
                linkName = entry.LinkTarget;
                if (string.IsNullOrEmpty(linkName))
                {
                    throw new CorruptFileException(entry.SourcePath, "a symbolic link with an empty target (Linux cannot create one)");
                }

                break;
            case UnixFileType.CharacterDevice:
                type = TarEntryType.CharacterDevice;
                break;
            case UnixFileType.BlockDevice:
                type = TarEntryType.BlockDevice;
                break;
            case UnixFileType.Fifo:
                type = TarEntryType.Fifo;
                break;
            default:
                Log.ExportSkippedSocket(_logger, entry.Path);
                return null;
        }

        if (entry.Uid < 0 || entry.Gid < 0)
        {
            throw new CorruptFileException(entry.SourcePath, $"its owner {(uint)entry.Uid}:{(uint)entry.Gid} is above 2147483647, which the flattening tar writer cannot hold (the image's layer tars, as save and layer-tar write them, keep it)");
        }

        if (type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice && (entry.DeviceMajor > int.MaxValue || entry.DeviceMinor > int.MaxValue))
        {
            throw new CorruptFileException(entry.SourcePath, $"device numbers {entry.DeviceMajor}:{entry.DeviceMinor} are beyond any Linux device and what a tar header holds");
        }

        var tarEntry = new GnuTarEntry(type, type == TarEntryType.Directory ? entry.Path + "/" : entry.Path)
        {
            Mode = (UnixFileMode)(entry.Permissions & 0xFFF),
            Uid = entry.Uid,
            Gid = entry.Gid,
            ModificationTime = entry.ModifiedTime,
            AccessTime = entry.ModifiedTime,
            ChangeTime = entry.ModifiedTime,
        };
        if (linkName is not null)
        {
            tarEntry.LinkName = linkName;
        }

        if (type is TarEntryType.CharacterDevice or TarEntryType.BlockDevice)
        {
            tarEntry.DeviceMajor = (int)entry.DeviceMajor;
            tarEntry.DeviceMinor = (int)entry.DeviceMinor;
        }

        if (type == TarEntryType.RegularFile)
        {
            tarEntry.DataStream = OpenEntry(entry);
        }

        return tarEntry;
    }
}

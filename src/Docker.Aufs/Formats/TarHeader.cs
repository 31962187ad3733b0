using System.Text;

namespace Docker.Aufs.Formats;

/// <summary>The tar type flags this library reads and writes.</summary>
internal static class TarType
{
    public const byte Regular = (byte)'0';
    public const byte RegularA = 0;
    public const byte HardLink = (byte)'1';
    public const byte Symlink = (byte)'2';
    public const byte CharDevice = (byte)'3';
    public const byte BlockDevice = (byte)'4';
    public const byte Directory = (byte)'5';
    public const byte Fifo = (byte)'6';
    public const byte Contiguous = (byte)'7';
    public const byte PaxHeader = (byte)'x';
    public const byte PaxGlobalHeader = (byte)'g';
    public const byte GnuLongName = (byte)'L';
    public const byte GnuLongLink = (byte)'K';
    public const byte GnuSparse = (byte)'S';

    public const int BlockSize = 512;

    /// <summary>The padding that follows <paramref name="size"/> bytes of entry data.</summary>
    public static int Padding(long size) => (int)(-size & (BlockSize - 1));
}

/// <summary>
/// One tar entry's header fields as Go's <c>archive/tar.Header</c> holds them. Names are bytes: tar names need not be
/// UTF-8, and tar-split keeps them byte for byte.
/// </summary>
internal sealed class TarEntryHeader
{
    public byte[] Name { get; set; } = [];

    public long Mode { get; set; }

    public long Uid { get; set; }

    public long Gid { get; set; }

    public long Size { get; set; }

    public long ModTimeSeconds { get; set; }

    public byte Typeflag { get; set; } = TarType.Regular;

    public byte[] Linkname { get; set; } = [];

    public byte[] Uname { get; set; } = [];

    public byte[] Gname { get; set; } = [];

    public long DevMajor { get; set; }

    public long DevMinor { get; set; }

    /// <summary>Gets or sets extended attributes (PAX <c>SCHILY.xattr.*</c>), or <see langword="null"/> for none.</summary>
    public SortedDictionary<string, byte[]>? Xattrs { get; set; }

    public string NameString => Encoding.UTF8.GetString(Name);

    public string LinknameString => Encoding.UTF8.GetString(Linkname);
}

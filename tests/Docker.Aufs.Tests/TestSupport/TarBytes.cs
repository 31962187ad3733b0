using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>Builds tar archives entry by entry (Go 1.5 headers), including ones no well-behaved tool would write.</summary>
internal sealed class TarBytes
{
    private readonly MemoryStream _bytes = new();
    private readonly GoTarHeaderEncoder _encoder = new();

    public TarBytes File(string name, string content, int mode = 0x1A4, int uid = 0, int gid = 0, long mtime = 1_500_000_000) =>
        Entry(name, TarType.Regular, 0x8000 | mode, Encoding.UTF8.GetBytes(content), uid: uid, gid: gid, mtime: mtime);

    public TarBytes Directory(string name, int mode = 0x1ED, long mtime = 1_500_000_000) =>
        Entry(name.EndsWith('/') ? name : name + "/", TarType.Directory, 0x4000 | mode, [], mtime: mtime);

    public TarBytes Symlink(string name, string target) => Entry(name, TarType.Symlink, 0xA1FF, [], link: target);

    public TarBytes Hardlink(string name, string target) => Entry(name, TarType.HardLink, 0x81A4, [], link: target);

    public TarBytes Device(string name, byte type, long major, long minor) => Entry(name, type, (type == TarType.CharDevice ? 0x2000 : 0x6000) | 0x1B6, [], major: major, minor: minor);

    public TarBytes Entry(string name, byte type, int mode, byte[] content, string? link = null, int uid = 0, int gid = 0, long mtime = 1_500_000_000, long major = 0, long minor = 0,
        IReadOnlyDictionary<string, byte[]>? xattrs = null)
    {
        var header = new TarEntryHeader
        {
            Name = Encoding.UTF8.GetBytes(name),
            Typeflag = type,
            Mode = mode,
            Size = content.Length,
            Uid = uid,
            Gid = gid,
            ModTimeSeconds = mtime,
            Linkname = Encoding.UTF8.GetBytes(link ?? string.Empty),
            DevMajor = major,
            DevMinor = minor,
            Xattrs = xattrs is null ? null : new SortedDictionary<string, byte[]>(xattrs.ToDictionary(), StringComparer.Ordinal),
        };
        _bytes.Write(_encoder.Encode(header));
        _bytes.Write(content);
        _bytes.Write(new byte[TarType.Padding(content.Length)]);
        return this;
    }

    public byte[] Build(bool endBlocks = true)
    {
        if (endBlocks)
        {
            _bytes.Write(new byte[1024]);
        }

        return _bytes.ToArray();
    }
}

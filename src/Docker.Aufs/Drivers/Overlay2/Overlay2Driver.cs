using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;
using Docker.Aufs.Union;

namespace Docker.Aufs.Drivers.Overlay2;

/// <summary>
/// The overlay2 driver's directory <c>&lt;root&gt;/overlay2</c> (Docker 1.12+, docs/format/drivers.md §3):
/// <c>&lt;id&gt;/diff</c> holds a layer's own changes (whiteouts as 0/0 character devices, opaque directories by extended
/// attribute), <c>&lt;id&gt;/link</c> its short name, <c>&lt;id&gt;/lower</c> its ancestors as <c>l/&lt;short&gt;</c>
/// names joined by <c>:</c>, nearest first (a base layer has none), and <c>l/&lt;short&gt;</c> is a symbolic link to
/// <c>../&lt;id&gt;/diff</c> (moby v18.09 <c>daemon/graphdriver/overlay2/overlay.go</c>). Layer directories are read
/// through <see cref="OverlayBranches"/>, which shows them with AUFS's conventions.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed class Overlay2Driver : LayerDriver
{
    /// <summary>The driver's name, also its directory's.</summary>
    public const string DriverName = "overlay2";

    /// <summary>The directory of short-name links.</summary>
    public const string LinkDirectoryName = "l";

    private readonly BranchFacts _facts = new();
    private readonly OverlayBranches _branches;
    private int _opaqueWarned;
    private readonly ConcurrentDictionary<string, IReadOnlyList<string>> _lostMarks = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _lostMarksWarned = new(StringComparer.Ordinal);

    public Overlay2Driver(DriverContext context)
        : base(context)
    {
        LinkDirectory = context.FileSystem.Path.Combine(Directory, LinkDirectoryName);
        _branches = new OverlayBranches(context.FileSystem, context.Metadata, WarnOpaqueUnknown);
    }

    public override string Name => DriverName;

    public override IEnumerable<string> GuardedDirectories => [Directory, LinkDirectory];

    public override bool HasViews => true;

    public override bool RecordsAncestors => true;

    /// <summary>Gets the full path of <c>l/</c>.</summary>
    public string LinkDirectory { get; }

    /// <summary>The metadata of layer directories as the union view reads them (AUFS's conventions).</summary>
    internal OverlayBranches Branches => _branches;

    /// <summary>Returns <c>&lt;id&gt;</c>'s directory.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetLayerDirectory(string id) => FileSystem.Path.Combine(Directory, Validate(id));

    /// <summary>Returns <c>&lt;id&gt;/diff</c>, the layer's own files.</summary>
    /// <exception cref="ArgumentException"><paramref name="id"/> is not a layer ID.</exception>
    public string GetDiffPath(string id) => GetLayerDirectory(id) + "/diff";

    /// <summary>Docker's <c>Exists</c>: the layer's directory exists.</summary>
    public override bool Exists(string id) => DockerIds.IsLayerId(id) && FileSystem.Directory.Exists(GetLayerDirectory(id));

    /// <summary>The layer IDs among the driver directory's entries (not <c>l/</c>), sorted.</summary>
    public override IReadOnlyList<string> ListLayerIds()
    {
        if (!FileSystem.Directory.Exists(Directory))
        {
            return [];
        }

        var ids = new List<string>();
        foreach (var entry in DirectoryListing.Read(FileSystem, Metadata, Directory))
        {
            if (entry.IsDirectory != false && DockerIds.IsLayerId(entry.Name))
            {
                ids.Add(entry.Name);
            }
        }

        ids.Sort(StringComparer.Ordinal);
        return ids;
    }

    public override LayerContent GetContent(string id)
    {
        var diff = GetDiffPath(id);
        return new LayerContent(diff, LayerContentFormat.OverlayChanges, StatusOrUnknown(diff)?.Type);
    }

    public override string RecordPath(string id) => GetLayerDirectory(id) + "/lower";

    /// <summary>
    /// The ancestors of a layer, nearest first, from its <c>lower</c> file: each <c>l/&lt;short&gt;</c> name is resolved
    /// through its link to <c>../&lt;id&gt;/diff</c>, as the driver's <c>getLowerDirs</c> does.
    /// </summary>
    /// <exception cref="CorruptFileException"><c>lower</c> or a link is not what the driver writes.</exception>
    public override IReadOnlyList<string>? ReadRecord(string id)
    {
        if (!Exists(id))
        {
            return null;
        }

        var lowerPath = RecordPath(id);
        if (!NoFollow.Exists(FileSystem, lowerPath))
        {
            return []; // a base layer
        }

        var text = Encoding.UTF8.GetString(SmallFile.Read(FileSystem, lowerPath, SmallFile.JsonLimit)).TrimEnd('\n');
        if (text.Length == 0)
        {
            return [];
        }

        var ancestors = new List<string>();
        foreach (var part in text.Split(':'))
        {
            ancestors.Add(ResolveShortName(part, lowerPath));
        }

        return ancestors;
    }

    /// <summary>Opens the merged view of a chain of layers, top first: each one's <c>diff/</c>, read with AUFS's conventions.</summary>
    /// <exception cref="BrokenLayerChainException">A layer's <c>diff/</c> is missing.</exception>
    public override UnionView OpenView(IReadOnlyList<string> chain)
    {
        var branches = new List<UnionBranch>(chain.Count);
        foreach (var id in chain)
        {
            var diff = GetDiffPath(id);
            if (!Metadata.TryGetStatus(diff, out _))
            {
                throw new BrokenLayerChainException(id, diff, "its overlay2 diff directory is missing");
            }

            branches.Add(new UnionBranch(id, diff)); // anything but a directory is rejected by the view, with the path
        }

        return new UnionView(FileSystem, _branches, branches, Context.Logger, _facts);
    }

    /// <summary>
    /// Creates a layer as the driver's <c>Create</c> does: <c>&lt;id&gt;/{diff,work}</c>, the short name in <c>link</c> and
    /// its link <c>l/&lt;short&gt;</c>, and <c>lower</c> (the parent's short name, then the parent's own <c>lower</c>).
    /// The short name is derived from the ID, so a written root is the same every time.
    /// </summary>
    public override string CreateLayer(string id, string? parentId)
    {
        var directory = GetLayerDirectory(id);
        var fs = FileSystem;
        fs.Directory.CreateDirectory(directory + "/diff");
        fs.Directory.CreateDirectory(directory + "/work");
        if (Metadata is RecordedMetadataProvider recorded && FileSystem is not System.IO.Abstractions.FileSystem)
        {
            // What is recorded of an entry is all there is: the new diff/ is a plain directory, not marked opaque.
            recorded.Record(directory + "/diff", new UnixFileStatus { Type = UnixFileType.Directory, Permissions = 0x1ED });
        }

        fs.Directory.CreateDirectory(LinkDirectory);
        var shortName = ShortNameOf(id);
        fs.File.WriteAllText(directory + "/link", shortName);
        WriteLink(fs.Path.Combine(LinkDirectory, shortName), "../" + id + "/diff");
        if (parentId is not null)
        {
            var parentLink = fs.File.ReadAllText(GetLayerDirectory(parentId) + "/link");
            var parentLower = RecordPath(parentId);
            var lower = LinkDirectoryName + "/" + parentLink + (fs.File.Exists(parentLower) ? ":" + fs.File.ReadAllText(parentLower) : string.Empty);
            fs.File.WriteAllText(directory + "/lower", lower);
        }

        return directory + "/diff";
    }

    /// <summary>A symbolic link: a real one, or on an in-memory file system an empty file whose status is recorded as the link.</summary>
    private void WriteLink(string path, string target)
    {
        if (Metadata is RecordedMetadataProvider recorded && FileSystem is not System.IO.Abstractions.FileSystem)
        {
            FileSystem.File.WriteAllBytes(path, []);
            recorded.Record(path, new UnixFileStatus { Type = UnixFileType.SymbolicLink, Permissions = 0x1FF, Size = Encoding.UTF8.GetByteCount(target), LinkTarget = target });
        }
        else
        {
            FileSystem.File.CreateSymbolicLink(path, target);
        }
    }

    /// <summary>A short name as the driver makes one (26 characters of base32), derived from the layer ID.</summary>
    internal static string ShortNameOf(string id)
    {
        const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(id));
        var name = new StringBuilder(26);
        for (var bit = 0; name.Length < 26; bit += 5)
        {
            var value = (((hash[bit / 8] << 8) | hash[(bit / 8) + 1]) >> (11 - (bit % 8))) & 31;
            name.Append(Alphabet[value]);
        }

        return name.ToString();
    }

    private string ResolveShortName(string part, string lowerPath)
    {
        var shortName = part.StartsWith(LinkDirectoryName + "/", StringComparison.Ordinal) ? part[(LinkDirectoryName.Length + 1)..] : null;
        if (shortName is null || shortName.Length is 0 or > 64 || !shortName.All(char.IsAsciiLetterOrDigit))
        {
            throw new CorruptFileException(lowerPath, $"'{Truncate(part)}' is not a short layer name (l/ and letters or digits)");
        }

        var link = FileSystem.Path.Combine(LinkDirectory, shortName);
        if (!Metadata.TryGetStatus(link, out var status) || status.Type != UnixFileType.SymbolicLink || status.LinkTarget is not { } target)
        {
            throw new CorruptFileException(lowerPath, $"its lower layer {part} has no link in {LinkDirectory}");
        }

        const string Suffix = "/diff";
        var id = target.StartsWith("../", StringComparison.Ordinal) && target.EndsWith(Suffix, StringComparison.Ordinal) ? target[3..^Suffix.Length] : null;
        if (id is null || !DockerIds.IsLayerId(id))
        {
            throw new UnsafePathException(link, target, "a short-name link of overlay2 points at ../<layer-id>/diff and nowhere else");
        }

        return id;
    }

    /// <summary>
    /// Reads the layer's tar-split data once: every directory its tar marks opaque is recorded as opaque for views (overlay2's
    /// <c>ApplyDiff</c> made exactly those directories opaque), and those whose mark is readable and absent are returned.
    /// </summary>
    public override IReadOnlyList<string> LostOpaqueMarks(string id, string tarSplitPath) => _lostMarks.GetOrAdd(id, _ =>
    {
        var diff = GetDiffPath(id);
        IReadOnlyList<string> directories;
        try
        {
            directories = OverlayBranches.OpaqueDirectoriesOf(FileSystem, tarSplitPath,
                directory => Metadata.TryGetStatus(directory.Length == 0 ? diff : diff + "/" + directory, out var found) && found.Type == UnixFileType.Directory);
        }
        catch (Exception e) when (e is DockerDataException or IOException)
        {
            return []; // damaged tar-split data is reported by fsck as such, and reassembly refuses it
        }

        var lost = new List<string>();
        foreach (var directory in directories)
        {
            var path = directory.Length == 0 ? diff : diff + "/" + directory;
            if (!Metadata.TryGetStatus(path, out var status) || status.Type != UnixFileType.Directory)
            {
                continue; // not this tar's directory any more: tar-split reassembly reports the difference
            }

            _branches.RecordOpaque(path);
            if (_branches.ReadMark(path) == AttributeAnswer.Absent)
            {
                lost.Add(directory);
            }
        }

        return lost;
    });

    public override void LearnOpaqueDirectories(IReadOnlyList<ImageLayer> layers)
    {
        foreach (var layer in layers)
        {
            if (layer.TarSplitPath is not { } tarSplit || !DockerIds.IsLayerId(layer.DriverLayerId))
            {
                continue;
            }

            var lost = LostOpaqueMarks(layer.DriverLayerId, tarSplit);
            if (lost.Count > 0 && _lostMarksWarned.TryAdd(layer.DriverLayerId, 0))
            {
                Log.OpaqueMarksLost(Context.Logger, layer.Id, "/" + lost[0], lost.Count - 1, GetDiffPath(layer.DriverLayerId));
            }
        }
    }

    private void WarnOpaqueUnknown(string reason)
    {
        if (Interlocked.Exchange(ref _opaqueWarned, 1) == 0)
        {
            Log.OpaqueDirectoriesUnknown(Context.Logger, Name, reason);
        }
    }

    private static string Truncate(string value) => value.Length > 80 ? value[..80] + "…" : value;

    private static string Validate(string id) =>
        DockerIds.IsLayerId(id) ? id : throw new ArgumentException($"'{id}' is not a layer ID (64 lowercase hex characters, optionally followed by -init).", nameof(id));
}

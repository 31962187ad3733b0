using System.IO.Abstractions.TestingHelpers;
using System.Text.Json.Nodes;
using CasIds = Docker.Aufs.Testing.SampleRoots.ContentAddressedIds;
using S = Docker.Aufs.Tests.Fsck.CasSample;

namespace Docker.Aufs.Tests.Fsck;

/// <summary>
/// One fault of a content-addressed root: what it does to a fresh <see cref="CasSample"/>, the finding it must give (code,
/// severity, path), and the other codes the same damage necessarily gives too (a layer Docker cannot load also fails the
/// images built on it); no other code may appear.
/// </summary>
internal sealed record CasFault(Action<CasSample> Inject, string Code, FindingSeverity Severity, Func<CasSample, string> Path, params string[] Also)
{
    /// <summary>Gets the driver of the sample the fault is made in (aufs unless the fault exists only on another).</summary>
    public string Driver { get; init; } = "aufs";
}

/// <summary>
/// The fault corpus of fsck on a Docker 1.10+ root (docs/format/content-addressed.md §11): every finding code such a root
/// can give, each made by a named fault.
/// </summary>
internal static class CasFaults
{
    private static readonly string Stranger = S.DigestOf("stranger");

    private static readonly string StrangerHex = S.Hex(Stranger);

    /// <summary>A config Docker's build could have written: one layer (busybox's), the history given.</summary>
    private static string ConfigOn(string diffId, string history) =>
        $"{{\"architecture\":\"amd64\",\"os\":\"linux\",\"history\":[{history}],\"rootfs\":{{\"type\":\"layers\",\"diff_ids\":[\"{diffId}\"]}}}}";

    /// <summary>Adds a driver layer directory with its <c>layers/</c> file and mount point, as the AUFS driver's Create does.</summary>
    private static void AddDriverLayer(S s, string id)
    {
        s.Fs.AddDirectory(S.Aufs("diff", id));
        s.Fs.AddDirectory(S.Aufs("mnt", id));
        s.Fs.AddFile(S.Aufs("layers", id), new MockFileData(""));
    }

    /// <summary>Flips one byte of the zero blocks that end a layer's tar, in its tar-split data: every file still matches, the tar does not.</summary>
    private static void AlterTarPadding(S s, string chainId)
    {
        // A byte of the padding after a file's content: every member still matches the directory, the tar's bytes do not.
        var lines = s.TarSplitLines(chainId);
        var file = lines.FindIndex(l => JsonNode.Parse(l)!["type"]!.GetValue<int>() == 1 && (JsonNode.Parse(l)!["size"]?.GetValue<long>() ?? 0) % 512 != 0);
        var segment = JsonNode.Parse(lines[file + 1])!.AsObject();
        var payload = Convert.FromBase64String(segment["payload"]!.GetValue<string>());
        payload[0] ^= 0x01;
        segment["payload"] = Convert.ToBase64String(payload);
        lines[file + 1] = segment.ToJsonString();
        s.WriteTarSplit(chainId, lines);
    }

    /// <summary>On the overlay2 sample: the one directory the sample's tars mark opaque, in its layer's <c>diff/</c>.</summary>
    private static string OpaqueDirectoryOnOverlay2(S s)
    {
        var layer = Assert.Single(s.LayersWhoseTarHolds("/.wh..wh..opq"));
        return $"{S.R}/overlay2/{s.Fs.File.ReadAllText(s.LayerRecord(layer) + "/cache-id")}/diff/var/lib/apt/lists";
    }

    /// <summary>What a copy without extended attributes (cp without -a, rsync without -X, tar without --xattrs) does to an opaque directory of overlay2: its mark is gone, the directory is there.</summary>
    private static void LoseOpaqueAttribute(S s)
    {
        var directory = OpaqueDirectoryOnOverlay2(s);
        Assert.True(s.Built.Metadata.ForgetAttribute(directory, Docker.Aufs.Drivers.OverlayBranches.OpaqueAttribute));
        Assert.True(s.Built.Metadata.TryGetStatus(directory, out var status));
        s.Built.Metadata.Record(directory, status); // readable metadata without the mark: as root reads a copy that lost it
    }

    public static Dictionary<string, CasFault> All { get; } = new()
    {
        // The driver's files.
        ["an overlay2 opaque directory copied without its extended attribute"] = new(LoseOpaqueAttribute, FindingCodes.OpaqueAttributeLost, FindingSeverity.Error, OpaqueDirectoryOnOverlay2) { Driver = "overlay2" },

        // The root as a whole.
        ["another driver's directory beside aufs"] = new(s => s.Fs.AddDirectory($"{S.R}/devicemapper"), FindingCodes.SeveralDrivers, FindingSeverity.Warning, _ => S.R),
        ["image/ gone, the driver's data left"] = new(s => s.Fs.Directory.Delete($"{S.R}/image", true), FindingCodes.NoImageStore, FindingSeverity.Error, _ => S.R),
        ["graph/ of Docker 1.9 left beside image/"] = new(s => s.Fs.AddDirectory($"{S.R}/graph"), FindingCodes.GraphNotMigrated, FindingSeverity.Info, _ => $"{S.R}/graph"),

        // Store entries: leftovers and strangers.
        ["a staging leftover in layerdb/tmp"] = new(s => s.Fs.AddDirectory($"{S.Store}/layerdb/tmp/write-set-42"), FindingCodes.LeftoverTemp, FindingSeverity.Info, _ => $"{S.Store}/layerdb/tmp/write-set-42"),
        ["a config's .tmp file"] = new(s => s.Fs.AddFile($"{S.Content}/{StrangerHex}.tmp", new MockFileData("{")), FindingCodes.LeftoverTemp, FindingSeverity.Info, _ => $"{S.Content}/{StrangerHex}.tmp"),
        ["a layer being removed"] = new(s => s.Fs.AddDirectory($"{S.Layers}/{StrangerHex}-removing"), FindingCodes.LeftoverRemoving, FindingSeverity.Info, _ => $"{S.Layers}/{StrangerHex}-removing"),
        ["a driver layer being removed"] = new(s => s.Fs.AddDirectory(S.Aufs("diff", StrangerHex + "-removing")), FindingCodes.LeftoverRemoving, FindingSeverity.Info, _ => S.Aufs("diff", StrangerHex + "-removing")),
        ["aufs/tmp of Docker 0.7"] = new(s => s.Fs.AddDirectory($"{S.R}/aufs/tmp/diff"), FindingCodes.LeftoverAufsTemp, FindingSeverity.Info, _ => $"{S.R}/aufs/tmp"),
        ["a config named in uppercase hex"] = new(s => s.Fs.AddFile($"{S.Content}/{StrangerHex.ToUpperInvariant()}", new MockFileData("{}")), FindingCodes.UnexpectedStoreEntry, FindingSeverity.Warning, _ => $"{S.Content}/{StrangerHex.ToUpperInvariant()}"),
        ["a layer directory named like no digest"] = new(s => s.Fs.AddDirectory($"{S.Layers}/not-a-digest"), FindingCodes.UnexpectedStoreEntry, FindingSeverity.Warning, _ => $"{S.Layers}/not-a-digest"),

        // Image configs.
        ["a config stored under another digest"] = new(s => s.Fs.AddFile(S.Config(Stranger), new MockFileData(s.Fs.File.ReadAllBytes(S.Config(s.BusyboxBaseImage)))),
            FindingCodes.ConfigDigestMismatch, FindingSeverity.Error, _ => S.Config(Stranger)),
        ["a tagged config edited in place"] = new(s => s.Fs.File.AppendAllText(S.Config(CasIds.BusyboxId), " "),
            FindingCodes.ConfigDigestMismatch, FindingSeverity.Error, _ => S.Config(CasIds.BusyboxId), FindingCodes.TagTargetMissing),
        ["a config without rootfs"] = new(s => s.AddConfig("{\"architecture\":\"amd64\",\"os\":\"linux\"}"), FindingCodes.ConfigCorrupt, FindingSeverity.Error,
            _ => S.Config(S.Sha256("{\"architecture\":\"amd64\",\"os\":\"linux\"}"u8.ToArray()))),
        ["a config whose DiffID is not a digest"] = new(s => s.AddConfig(ConfigOn("sha256:../../etc", "")), FindingCodes.ConfigCorrupt, FindingSeverity.Error,
            _ => S.Config(S.Sha256(System.Text.Encoding.UTF8.GetBytes(ConfigOn("sha256:../../etc", ""))))),
        ["a config with more history than layers"] = new(s => s.AddConfig(ConfigOn(s.BusyboxLayer, "{\"created_by\":\"a\"},{\"created_by\":\"b\"}")),
            FindingCodes.HistoryMismatch, FindingSeverity.Warning, s => S.Config(S.Sha256(System.Text.Encoding.UTF8.GetBytes(ConfigOn(s.BusyboxLayer, "{\"created_by\":\"a\"},{\"created_by\":\"b\"}"))))),
        ["a config whose layer is not in layerdb"] = new(s => s.AddConfig(ConfigOn(Stranger, "")), FindingCodes.ImageLayerMissing, FindingSeverity.Error,
            _ => S.Config(S.Sha256(System.Text.Encoding.UTF8.GetBytes(ConfigOn(Stranger, ""))))),
        ["an image whose metadata parent is gone"] = new(s => s.Fs.File.WriteAllText($"{S.Metadata}/{S.Hex(CasIds.BusyboxId)}/parent", Stranger),
            FindingCodes.ImageParentMissing, FindingSeverity.Info, _ => $"{S.Metadata}/{S.Hex(CasIds.BusyboxId)}/parent"),

        // Layer records.
        ["a layer record without its size"] = new(s => { s.Fs.AddDirectory(S.Layer(Stranger)); s.Fs.AddFile(S.Layer(Stranger) + "/diff", new MockFileData(Stranger)); },
            FindingCodes.LayerRecordCorrupt, FindingSeverity.Error, _ => S.Layer(Stranger) + "/size"),
        ["a size with a trailing newline"] = new(s => s.Fs.File.AppendAllText(S.Layer(s.BusyboxLayer) + "/size", "\n"),
            FindingCodes.LayerRecordCorrupt, FindingSeverity.Error, s => S.Layer(s.BusyboxLayer) + "/size", FindingCodes.ImageLayerMissing),
        ["a cache-id naming a path"] = new(s => s.Fs.File.WriteAllText(S.Layer(s.BusyboxLayer) + "/cache-id", "../../../etc"),
            FindingCodes.LayerRecordCorrupt, FindingSeverity.Error, s => S.Layer(s.BusyboxLayer) + "/cache-id", FindingCodes.ImageLayerMissing, FindingCodes.OrphanDriverLayer),
        ["a layer record copied under another ChainID"] = new(s => s.CopyDirectory(S.Layer(s.BusyboxLayer), S.Layer(Stranger)),
            FindingCodes.ChainIdMismatch, FindingSeverity.Error, _ => S.Layer(Stranger), FindingCodes.OrphanLayer),
        ["a layer whose parent record cannot be loaded"] = new(s => s.Fs.File.Delete(S.Layer(s.RedisBase) + "/diff"),
            FindingCodes.MissingParent, FindingSeverity.Error, s => S.Layer(s.Built.LayerIds[2]) + "/parent",
            FindingCodes.LayerRecordCorrupt, FindingCodes.ImageLayerMissing),
        ["an image's layers removed, the layer left"] = new(RemoveBusybox, FindingCodes.OrphanLayer, FindingSeverity.Warning, s => S.Layer(s.BusyboxLayer)),
        ["a size that differs from the layer's directory"] = new(s => s.Fs.File.WriteAllText(S.Layer(s.BusyboxLayer) + "/size", "99"),
            FindingCodes.LayerSizeMismatch, FindingSeverity.Warning, s => S.Layer(s.BusyboxLayer) + "/size"),

        // The driver's data of the layers.
        ["a missing cache-id directory"] = new(s => s.Fs.Directory.Delete(s.DiffOf(s.BusyboxLayer), true), FindingCodes.DiffMissing, FindingSeverity.Error, s => s.DiffOf(s.BusyboxLayer)),
        ["an extra cache-id directory"] = new(s => AddDriverLayer(s, StrangerHex), FindingCodes.OrphanDriverLayer, FindingSeverity.Warning, _ => S.Aufs("diff", StrangerHex)),
        ["a cache-id directory that links outside"] = new(s => { s.Fs.Directory.Delete(s.DiffOf(s.BusyboxLayer), true); s.Fs.AddDirectory("/elsewhere"); s.Fs.File.CreateSymbolicLink(s.DiffOf(s.BusyboxLayer), "/elsewhere"); },
            FindingCodes.UnsafeLink, FindingSeverity.Error, s => s.DiffOf(s.BusyboxLayer)),
        ["a mount point that links elsewhere"] = new(s => { var m = S.Aufs("mnt", s.CacheId(s.BusyboxLayer)); s.Fs.Directory.Delete(m); s.Fs.AddDirectory("/elsewhere"); s.Fs.File.CreateSymbolicLink(m, "/elsewhere"); },
            FindingCodes.UnsafeLink, FindingSeverity.Error, s => S.Aufs("mnt", s.CacheId(s.BusyboxLayer))),
        ["a missing mount point"] = new(s => s.Fs.Directory.Delete(S.Aufs("mnt", s.CacheId(s.BusyboxLayer)), true), FindingCodes.MountMissing, FindingSeverity.Info, s => S.Aufs("mnt", s.CacheId(s.BusyboxLayer))),
        ["a populated mount point"] = new(s => s.Fs.AddFile(S.Aufs("mnt", s.CacheId(s.RedisTop)) + "/etc/hosts", new MockFileData("x")), FindingCodes.MountPopulated, FindingSeverity.Warning, s => S.Aufs("mnt", s.CacheId(s.RedisTop))),
        ["aufs/layers disagreeing with layerdb"] = new(s => s.Fs.File.WriteAllText(S.Aufs("layers", s.CacheId(s.RedisTop)), s.CacheId(s.RedisBase) + "\n"),
            FindingCodes.ChainMismatch, FindingSeverity.Error, s => S.Aufs("layers", s.CacheId(s.RedisTop))),
        ["aufs/layers naming a layer twice"] = new(s => s.Fs.File.WriteAllText(S.Aufs("layers", s.CacheId(s.RedisTop)), s.CacheId(s.RedisBase) + "\n" + s.CacheId(s.RedisBase) + "\n"),
            FindingCodes.DuplicateBranch, FindingSeverity.Error, s => S.Aufs("layers", s.CacheId(s.RedisTop))),
        ["aufs/layers naming a path"] = new(s => s.Fs.File.WriteAllText(S.Aufs("layers", s.CacheId(s.RedisTop)), "../../etc\n"),
            FindingCodes.LayersFileCorrupt, FindingSeverity.Error, s => S.Aufs("layers", s.CacheId(s.RedisTop))),

        // Tar-split data against the layer directory and the DiffID.
        ["a layer without tar-split data"] = new(s => s.Fs.File.Delete(S.Layer(s.BusyboxLayer) + "/tar-split.json.gz"), FindingCodes.TarSplitMissing, FindingSeverity.Warning, s => S.Layer(s.BusyboxLayer) + "/tar-split.json.gz"),
        ["tar-split data that is not gzip"] = new(s => s.Fs.File.WriteAllText(S.Layer(s.BusyboxLayer) + "/tar-split.json.gz", "plain text"), FindingCodes.TarSplitCorrupt, FindingSeverity.Error, s => S.Layer(s.BusyboxLayer) + "/tar-split.json.gz"),
        ["a file of the layer changed, same size"] = new(ChangeBusyboxFile, FindingCodes.TarSplitMismatch, FindingSeverity.Error, s => s.DiffOf(s.BusyboxLayer) + "/bin/busybox"),
        ["a file of the layer given the set-user-ID bit"] = new(s => Restat(s, s.DiffOf(s.BusyboxLayer) + "/bin/busybox", st => st with { Permissions = 0x9ED }),
            FindingCodes.TarSplitModeMismatch, FindingSeverity.Error, s => s.DiffOf(s.BusyboxLayer) + "/bin/busybox"),
        ["a directory of the layer that lost its sticky bit"] = new(s => Restat(s, s.DiffOf(s.BusyboxLayer) + "/tmp", st => st with { Permissions = 0x1FF }),
            FindingCodes.TarSplitModeMismatch, FindingSeverity.Error, s => s.DiffOf(s.BusyboxLayer) + "/tmp"),
        ["a file of the layer given another owner"] = new(s => Restat(s, s.DiffOf(s.BusyboxLayer) + "/bin/busybox", st => st with { Uid = 1000 }),
            FindingCodes.TarSplitOwnerMismatch, FindingSeverity.Error, s => s.DiffOf(s.BusyboxLayer) + "/bin/busybox"),
        ["a directory of the layer replaced by a file"] = new(s =>
            {
                var dev = s.DiffOf(s.BusyboxLayer) + "/dev";
                s.Fs.Directory.Delete(dev, true);
                s.Fs.File.WriteAllText(dev, string.Empty);
                Restat(s, dev, st => st with { Type = Docker.Aufs.IO.UnixFileType.RegularFile, Size = 0 });
            }, FindingCodes.TarSplitTypeMismatch, FindingSeverity.Error, s => s.DiffOf(s.BusyboxLayer) + "/dev"),
        ["a symbolic link of the layer pointed elsewhere"] = new(s => Restat(s, s.DiffOf(s.RedisBase) + "/bin/sh", st => st with { LinkTarget = "/tmp/evil" }),
            FindingCodes.TarSplitLinkMismatch, FindingSeverity.Error, s => s.DiffOf(s.RedisBase) + "/bin/sh"),
        ["tar-split data naming a hard link outside the layer"] = new(s => s.WriteTarSplit(s.BusyboxLayer, [
                $"{{\"type\":2,\"payload\":\"{Convert.ToBase64String(Archive.TarSplitVerifierTests.Lines.Header("bin/evil", 0, Docker.Aufs.Formats.TarType.HardLink, "../../../../etc/shadow"))}\",\"position\":0}}",
                "{\"type\":1,\"name\":\"bin/evil\",\"payload\":null,\"position\":1}",
                .. s.TarSplitLines(s.BusyboxLayer)]),
            FindingCodes.TarSplitUnsafeName, FindingSeverity.Error, s => S.Layer(s.BusyboxLayer) + "/tar-split.json.gz"),
        ["tar-split data whose tar is not the DiffID's"] = new(s => AlterTarPadding(s, s.BusyboxLayer), FindingCodes.DiffIdMismatch, FindingSeverity.Error, s => S.Layer(s.BusyboxLayer) + "/tar-split.json.gz"),

        // The reference store.
        ["no repositories.json"] = new(s => s.Fs.File.Delete(S.References), FindingCodes.RepositoriesMissing, FindingSeverity.Info, _ => S.References),
        ["an empty repositories.json"] = new(s => s.Fs.File.WriteAllText(S.References, ""), FindingCodes.RepositoriesEmpty, FindingSeverity.Warning, _ => S.References),
        ["a truncated repositories.json"] = new(s => s.Fs.File.WriteAllText(S.References, "{\"Repositories\":{\"redis\":{\"re"), FindingCodes.RepositoriesCorrupt, FindingSeverity.Warning, _ => S.References),
        ["a key that is not a reference"] = new(s => s.EditReferences(r => r["redis"]!.AsObject()["Not A Reference!"] = CasIds.RedisId),
            FindingCodes.ReferenceInvalid, FindingSeverity.Info, _ => S.References),
        ["a reference to a path"] = new(s => s.EditReferences(r => r["redis"]!.AsObject()["redis:evil"] = "../../etc"), FindingCodes.TagTargetInvalid, FindingSeverity.Error, _ => S.References),
        ["a reference to an image ID in uppercase"] = new(s => s.EditReferences(r => r["redis"]!.AsObject()["redis:upper"] = CasIds.RedisId.ToUpperInvariant()),
            FindingCodes.TagTargetInvalid, FindingSeverity.Error, _ => S.References),
        ["a dangling reference"] = new(s => s.EditReferences(r => r["redis"]!.AsObject()["redis:gone"] = Stranger), FindingCodes.TagTargetMissing, FindingSeverity.Warning, _ => S.References),

        // Containers and their read-write layers.
        ["a container config that is not JSON"] = new(s => s.Fs.File.WriteAllText($"{S.R}/containers/{S.Container}/config.v2.json", "{\"ID\":"),
            FindingCodes.ContainerConfigCorrupt, FindingSeverity.Error, _ => $"{S.R}/containers/{S.Container}/config.v2.json"),
        ["a container of a missing image"] = new(s => s.EditJson($"{S.R}/containers/{S.Container}/config.v2.json", c => c["Image"] = Stranger),
            FindingCodes.ContainerImageMissing, FindingSeverity.Warning, _ => $"{S.R}/containers/{S.Container}/config.v2.json"),
        ["a container removed, its mount left"] = new(s => s.Fs.Directory.Delete($"{S.R}/containers/{S.Container}", true), FindingCodes.OrphanMount, FindingSeverity.Warning, _ => $"{S.Mounts}/{S.Container}"),
        ["a container without its mount record"] = new(s => s.Fs.Directory.Delete($"{S.Mounts}/{S.Container}", true),
            FindingCodes.ContainerMountMissing, FindingSeverity.Error, _ => $"{S.Mounts}/{S.Container}", FindingCodes.OrphanDriverLayer),
        ["a mount-id naming a path"] = new(s => s.Fs.File.WriteAllText($"{S.Mounts}/{S.Container}/mount-id", "../../../etc"),
            FindingCodes.ContainerMountMissing, FindingSeverity.Error, _ => $"{S.Mounts}/{S.Container}/mount-id", FindingCodes.OrphanDriverLayer),
        ["a container without its init layer"] = new(s => s.Fs.Directory.Delete(S.Aufs("diff", S.MountId + "-init"), true),
            FindingCodes.ContainerLayerMissing, FindingSeverity.Error, _ => S.Aufs("diff", S.MountId + "-init")),
        ["a container without its read-write layer"] = new(s => s.Fs.Directory.Delete(S.Aufs("diff", S.MountId), true),
            FindingCodes.ContainerLayerMissing, FindingSeverity.Error, _ => S.Aufs("diff", S.MountId)),
        ["a mount whose image layer is not in layerdb"] = new(s => s.Fs.File.WriteAllText($"{S.Mounts}/{S.Container}/parent", Stranger),
            FindingCodes.ImageLayerMissing, FindingSeverity.Error, _ => $"{S.Mounts}/{S.Container}/parent"),
    };

    /// <summary>Removes busybox's two images and its tag, as an interrupted <c>docker rmi</c> that did not reach the layer.</summary>
    private static void RemoveBusybox(S s)
    {
        foreach (var image in new[] { s.BusyboxBaseImage, CasIds.BusyboxId })
        {
            s.Fs.File.Delete(S.Config(image));
            if (s.Fs.Directory.Exists($"{S.Metadata}/{S.Hex(image)}"))
            {
                s.Fs.Directory.Delete($"{S.Metadata}/{S.Hex(image)}", true);
            }
        }

        s.EditReferences(r => r.Remove("busybox"));
    }

    /// <summary>Changes the bytes of busybox's binary, keeping its size.</summary>
    /// <summary>Changes what lstat says of a file of a layer, as chmod, chown or ln -sf after the pull would.</summary>
    private static void Restat(S s, string path, Func<Docker.Aufs.IO.UnixFileStatus, Docker.Aufs.IO.UnixFileStatus> change)
    {
        Assert.True(s.Built.Metadata.TryGetStatus(path, out var status), path);
        s.Built.Metadata.Record(path, change(status));
    }

    private static void ChangeBusyboxFile(S s)
    {
        var path = s.DiffOf(s.BusyboxLayer) + "/bin/busybox";
        var bytes = s.Fs.File.ReadAllBytes(path);
        bytes[0] ^= 0xFF;
        s.Fs.File.WriteAllBytes(path, bytes);
    }
}

using System.Security.Cryptography;
using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Archive;

/// <summary>Import's plan: which layers to write, in which order, with which JSON and tags, read from the archive's members.</summary>
public static partial class ImageImporter
{
    /// <summary>A pre-1.10 save: every top-level directory is a layer with <c>json</c> and <c>layer.tar</c>; tags from <c>repositories</c>.</summary>
    private static Plan PlanLegacy(SaveArchive archive)
    {
        var directories = archive.Names.Where(n => n.Contains('/', StringComparison.Ordinal)).Select(n => n[..n.IndexOf('/', StringComparison.Ordinal)])
            .Concat(archive.Names.Where(n => !n.Contains('/', StringComparison.Ordinal) && !archive.HasFile(n) && archive.Contains(n)))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var byId = new Dictionary<string, PlannedLayer>(StringComparer.Ordinal);
        foreach (var directory in directories)
        {
            var json = archive.ReadAll(directory + "/json", "the layer's JSON", JsonLimit);
            var member = archive.Resolve(directory + "/layer.tar", "the layer's tar");
            var image = ParseImageJson(archive, directory + "/json", json);
            var id = string.IsNullOrEmpty(image.Id) ? directory : image.Id;
            if (!DockerIds.IsId(id))
            {
                throw new ArchiveFormatException(archive.Path, directory + "/json", $"'{DockerIds.Printable(id)}' is not an image ID (64 lowercase hex characters)");
            }

            var parent = image.ParentFromJson();
            if (parent is not null && !DockerIds.IsId(parent))
            {
                throw new ArchiveFormatException(archive.Path, directory + "/json", $"its parent '{DockerIds.Printable(parent)}' is not an image ID");
            }

            if (!byId.TryAdd(id, new PlannedLayer(id, parent, json, member, null)))
            {
                throw new ArchiveFormatException(archive.Path, directory + "/json", $"the image ID {id} is used by two directories of the archive");
            }
        }

        if (byId.Count == 0)
        {
            throw new ArchiveFormatException(archive.Path, null, "neither manifest.json nor any <id>/json: this is not a docker save archive");
        }

        var tags = new List<(string, string)>();
        if (archive.HasFile(RepositoriesName))
        {
            var repositories = archive.ReadAll(RepositoriesName, "the tag list", JsonLimit);
            foreach (var (repository, tag, id) in ParseRepositories(archive, repositories))
            {
                if (!byId.ContainsKey(id))
                {
                    throw new ArchiveFormatException(archive.Path, RepositoriesName, $"{repository}:{tag} names {DockerIds.Printable(id)}, which is not an image of the archive (invalid target ID)");
                }

                if (!ImageReference.IsDigestReference(tag))
                {
                    CheckTag(archive, RepositoriesName, repository, tag);
                    tags.Add(($"{repository}:{tag}", id));
                }
            }
        }

        var ordered = Order(archive, byId);
        var parents = new HashSet<string>(ordered.Where(l => l.Parent is not null).Select(l => l.Parent!), StringComparer.Ordinal);
        var tagsOf = tags.ToLookup(t => t.Item2, t => t.Item1, StringComparer.Ordinal);
        var images = ordered.Where(l => tagsOf.Contains(l.Id) || !parents.Contains(l.Id))
            .Select(l => new ImageSummary { Id = l.Id, RepoTags = [.. tagsOf[l.Id].Select(Normalize)] })
            .ToList();

        // As Docker 1.10's load of such an archive: every layer is an image of its own, on the image of its parent.
        var sources = new List<PlannedImage>();
        var chains = new Dictionary<string, List<PlannedLayer>>(StringComparer.Ordinal);
        foreach (var layer in ordered)
        {
            List<PlannedLayer> chain = layer.Parent is { } parent ? [.. chains[parent], layer] : [layer];
            chains[layer.Id] = chain;
            sources.Add(new PlannedImage(layer.Id, null, chain, [.. tagsOf[layer.Id]], layer.Parent));
        }

        return new Plan(ordered, tags, images, sources);
    }

    /// <summary>A save with <c>manifest.json</c>: layers from its <c>Layers</c>, checked against each config's <c>rootfs.diff_ids</c>.</summary>
    /// <remarks>
    /// Each member is read and parsed once however many entries name it (a config, a layer's legacy <c>json</c>), and each
    /// layer's JSON is made once: the work grows with the archive, not with the number of entries times the size of what
    /// they name (docs/hostile-input.md, "Import amplification").
    /// </remarks>
    private static Plan PlanFromManifest(SaveArchive archive)
    {
        var manifest = archive.ReadAll(ManifestName, "the manifest", JsonLimit);
        var items = ParseManifest(archive, manifest);
        if (items.Count > MaxManifestEntries)
        {
            throw new ArchiveFormatException(archive.Path, ManifestName, $"it lists {items.Count} images, more than the {MaxManifestEntries} import accepts");
        }

        var layers = new Dictionary<string, PlannedLayer>(StringComparer.Ordinal);
        var ordered = new List<PlannedLayer>();
        var tags = new List<(string, string)>();
        var images = new List<ImageSummary>();
        var sources = new List<PlannedImage>();
        var configs = new Dictionary<string, (byte[] Bytes, ConfigInfo Info, string Digest, IReadOnlyList<string> ChainIds)>(StringComparer.Ordinal);
        var legacyJson = new Dictionary<string, (byte[] Json, ImageJson Image)?>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (!configs.TryGetValue(item.Config, out var read))
            {
                var bytes = archive.ReadAll(item.Config, "the image config named by manifest.json", JsonLimit);
                var info = ParseConfig(archive, item.Config, bytes);
                read = (bytes, info, Digests.Sha256(bytes), Digests.ChainIds(info.DiffIds));
                configs[item.Config] = read;
            }

            var (configBytes, config, configDigest, chainIds) = read;
            if (config.DiffIds.Count != item.Layers.Count)
            {
                throw new ArchiveFormatException(archive.Path, ManifestName,
                    $"it names {item.Layers.Count} layers for {item.Config}, whose rootfs.diff_ids lists {config.DiffIds.Count}");
            }

            var legacy = LegacyChain(archive, item.Layers, legacyJson);
            var chain = new List<PlannedLayer>();
            string? parent = null;
            for (var i = 0; i < item.Layers.Count; i++)
            {
                var top = i == item.Layers.Count - 1;
                var id = legacy is not null
                    ? legacy[i].Id
                    : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(top ? configDigest + " " + chainIds[i] : chainIds[i])));
                if (!layers.TryGetValue(id, out var planned))
                {
                    var member = archive.Resolve(item.Layers[i], "a layer named by manifest.json");
                    var json = legacy is not null
                        ? legacy[i].Json
                        : top
                            ? GoImageConfig.MakeV1FromConfig(configBytes, id, parent, archive.Path + ":" + item.Config)
                            : GoImageConfig.MakeV1ForLayer(id, parent, config.HistoryFor(i));
                    planned = new PlannedLayer(id, parent, json, member, config.DiffIds[i]);
                    layers[id] = planned;
                    ordered.Add(planned);
                }
                else
                {
                    // The same layer ID from another entry: it must be the same member (the ID names the content's chain).
                    _ = archive.Resolve(item.Layers[i], "a layer named by manifest.json");
                }

                chain.Add(planned);
                parent = id;
            }

            var repoTags = new List<string>();
            foreach (var repoTag in item.RepoTags)
            {
                var reference = ImageReference.Parse(repoTag);
                if (repoTag.Contains('\0', StringComparison.Ordinal))
                {
                    throw new ArchiveFormatException(archive.Path, ManifestName, $"RepoTags holds '{DockerIds.Printable(repoTag)}', which holds a NUL byte");
                }

                var colon = repoTag.LastIndexOf(':');
                if (reference.ExplicitReference is null || reference.IsDigest || colon < repoTag.LastIndexOf('/'))
                {
                    throw new ArchiveFormatException(archive.Path, ManifestName, $"RepoTags holds '{DockerIds.Printable(repoTag)}', which is not name:tag");
                }

                CheckTag(archive, ManifestName, repoTag[..colon], repoTag[(colon + 1)..]);

                tags.Add((repoTag, parent!));
                repoTags.Add(Normalize(repoTag));
            }

            images.Add(new ImageSummary { Id = parent!, RepoTags = repoTags });
            sources.Add(new PlannedImage(parent!, configBytes, chain, item.RepoTags, null));
        }

        if (ordered.Count == 0)
        {
            throw new ArchiveFormatException(archive.Path, ManifestName, "it names no image with layers");
        }

        return new Plan(ordered, tags, images, sources);
    }

    /// <summary>The archive's own legacy entries for a manifest's layers, when every layer has a <c>json</c> naming the chain; else <see langword="null"/>.</summary>
    /// <param name="archive">The archive.</param>
    /// <param name="layerPaths">The layers an entry names, base first.</param>
    /// <param name="read">Each <c>&lt;id&gt;/json</c> already read and parsed (or found missing), so that none is read twice.</param>
    private static List<(string Id, byte[] Json)>? LegacyChain(SaveArchive archive, IReadOnlyList<string> layerPaths, Dictionary<string, (byte[] Json, ImageJson Image)?> read)
    {
        var chain = new List<(string, byte[])>();
        string? parent = null;
        foreach (var path in layerPaths)
        {
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            if (slash <= 0 || path[(slash + 1)..] != "layer.tar")
            {
                return null;
            }

            var directory = path[..slash];
            if (!read.TryGetValue(directory, out var entry))
            {
                entry = null;
                if (DockerIds.IsId(directory) && archive.HasFile(directory + "/json"))
                {
                    var json = archive.ReadAll(directory + "/json", "the layer's JSON", JsonLimit);
                    entry = (json, ParseImageJson(archive, directory + "/json", json));
                }

                read[directory] = entry;
            }

            if (entry is not { } found)
            {
                return null;
            }

            var jsonParent = found.Image.ParentFromJson();
            if ((!string.IsNullOrEmpty(found.Image.Id) && found.Image.Id != directory) || jsonParent != parent)
            {
                return null;
            }

            chain.Add((directory, found.Json));
            parent = directory;
        }

        return chain;
    }

    /// <summary>Parents first; every parent must be in the archive.</summary>
    private static List<PlannedLayer> Order(SaveArchive archive, Dictionary<string, PlannedLayer> byId)
    {
        var ordered = new List<PlannedLayer>();
        var state = new Dictionary<string, bool>(StringComparer.Ordinal); // false: visiting, true: done
        foreach (var id in byId.Keys.Order(StringComparer.Ordinal))
        {
            var path = new Stack<string>();
            var current = id;
            while (current is not null && !state.ContainsKey(current))
            {
                state[current] = false;
                path.Push(current);
                var parent = byId[current].Parent;
                if (parent is not null && !byId.ContainsKey(parent))
                {
                    throw new ArchiveFormatException(archive.Path, current + "/json", $"its parent {parent} is not in the archive");
                }

                current = parent;
            }

            if (current is not null && !state[current])
            {
                throw new ArchiveFormatException(archive.Path, current + "/json", "the parent chain loops");
            }

            while (path.Count > 0)
            {
                var done = path.Pop();
                state[done] = true;
                ordered.Add(byId[done]);
            }
        }

        return ordered;
    }

    private static ImageJson ParseImageJson(SaveArchive archive, string member, byte[] json) =>
        GoJson.Deserialize(json, DockerJsonContext.Default.ImageJson, archive.Path + ":" + member) ?? new ImageJson();

    private static List<(string Repository, string Tag, string Id)> ParseRepositories(SaveArchive archive, byte[] json)
    {
        // The legacy save's bare map {"repo":{"tag":"id"}} (Docker 1.9 graph/export.go), decoded as Go decodes a map.
        var repositories = GoJson.Deserialize(json, DockerJsonContext.Default.DictionaryStringDictionaryStringString, archive.Path + ":" + RepositoriesName) ?? [];
        var entries = new List<(string Repository, string Tag, string Id)>();
        foreach (var (repository, tags) in repositories)
        {
            foreach (var (tag, id) in tags ?? [])
            {
                entries.Add((repository, tag, id ?? string.Empty));
            }
        }

        return entries;
    }

    private static List<ManifestItem> ParseManifest(SaveArchive archive, byte[] json)
    {
        var entries = GoJson.Deserialize(json, ArchiveJsonContext.Default.ListSaveManifestEntry, archive.Path + ":" + ManifestName)
            ?? throw BadManifest(archive, "it is null, not a list of images");
        var items = new List<ManifestItem>();
        foreach (var entry in entries)
        {
            if (entry is null || string.IsNullOrEmpty(entry.Config))
            {
                throw BadManifest(archive, "an entry names no Config");
            }

            items.Add(new ManifestItem(
                CleanReference(archive, entry.Config),
                [.. (entry.RepoTags ?? []).Select(t => t ?? throw BadManifest(archive, "RepoTags holds null"))],
                [.. (entry.Layers ?? []).Select(l => CleanReference(archive, l ?? throw BadManifest(archive, "Layers holds null")))]));
        }

        return items;
    }

    private static string CleanReference(SaveArchive archive, string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw BadManifest(archive, $"it names the member '{DockerIds.Printable(name)}', which holds a NUL byte: no archive member can have that name");
        }

        var cleaned = GoPath.Clean(name);
        if (name.StartsWith('/') || cleaned == ".." || cleaned.StartsWith("../", StringComparison.Ordinal))
        {
            throw new UnsafePathException(archive.Path, DockerIds.Printable(name), "manifest.json names a file outside the archive");
        }

        return cleaned;
    }

    private static ArchiveFormatException BadManifest(SaveArchive archive, string problem) => new(archive.Path, ManifestName, problem);

    private static ConfigInfo ParseConfig(SaveArchive archive, string member, byte[] json)
    {
        var config = GoJson.Deserialize(json, DockerJsonContext.Default.ImageConfigJson, archive.Path + ":" + member);
        if (config?.RootFs is not { } rootfs)
        {
            throw new ArchiveFormatException(archive.Path, member, "the config has no rootfs object");
        }

        var diffIds = new List<string>();
        foreach (var id in rootfs.DiffIds ?? [])
        {
            if (id is null || !id.StartsWith("sha256:", StringComparison.Ordinal) || !DockerIds.IsId(id.AsSpan(7)))
            {
                throw new ArchiveFormatException(archive.Path, member, $"rootfs.diff_ids holds '{DockerIds.Printable(id ?? "null")}', which is not a sha256 digest");
            }

            diffIds.Add(id);
        }

        var created = Time(config.Created, GoTimestamp.Zero);
        var history = (config.History ?? [])
            .Where(h => h is not null && h.EmptyLayer != true)
            .Select(h => new GoHistoryItem(Time(h!.Created, created), h.Author ?? string.Empty, h.CreatedBy ?? string.Empty, h.Comment ?? string.Empty))
            .ToList();
        return new ConfigInfo(diffIds, history.Count == diffIds.Count ? history : null, created);

        static GoTimestamp Time(string? text, GoTimestamp fallback) => text is not null && GoTimestamp.TryParse(text, out var time) ? time : fallback;
    }

    /// <summary>
    /// Checks a tag the archive asks import to write (from <c>manifest.json</c>'s <c>RepoTags</c> or the legacy
    /// <c>repositories</c> map) as Docker's load checks it — the reference grammar of distribution's <c>reference</c>
    /// package — so that no tag Docker would refuse (a NUL, U+FFFD left by an invalid escape, upper case, an empty tag) is
    /// written into the new root's tag store.
    /// </summary>
    private static void CheckTag(SaveArchive archive, string member, string repository, string tag)
    {
        var shown = DockerIds.Printable(repository + ":" + tag);
        if (repository.Contains('\0', StringComparison.Ordinal) || tag.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArchiveFormatException(archive.Path, member, $"the tag '{shown}' holds a NUL byte");
        }

        if (ReferenceGrammar.Problem(repository, tag) is { } problem)
        {
            throw new ArchiveFormatException(archive.Path, member, $"the tag '{shown}' is not a reference Docker accepts: {problem}");
        }
    }

    private static string Normalize(string reference)
    {
        var parsed = ImageReference.Parse(reference);
        return ImageReference.Format(parsed.LocalName, parsed.TagOrDigest);
    }

    private sealed record PlannedLayer(string Id, string? Parent, byte[] Json, SaveArchive.Member Member, string? ExpectedDiffId);

    private sealed record Plan(List<PlannedLayer> Layers, List<(string Reference, string Id)> Tags, List<ImageSummary> Images, List<PlannedImage> Sources);

    /// <summary>
    /// One image as a 1.10+ store holds it: its config as the archive has it (or <see langword="null"/> for a pre-1.10 archive,
    /// whose config is derived as Docker 1.10's load derives it), its layers base first, its tags as written, and for a
    /// pre-1.10 archive the legacy ID of its parent image.
    /// </summary>
    private sealed record PlannedImage(string LegacyId, byte[]? Config, List<PlannedLayer> ChainBaseFirst, List<string> RepoTags, string? LegacyParent);

    private sealed record ManifestItem(string Config, List<string> RepoTags, List<string> Layers);

    private sealed record ConfigInfo(List<string> DiffIds, List<GoHistoryItem>? History, GoTimestamp Created)
    {
        public GoHistoryItem HistoryFor(int index) => History is { } h ? h[index] : new GoHistoryItem(Created, string.Empty, string.Empty, string.Empty);
    }
}

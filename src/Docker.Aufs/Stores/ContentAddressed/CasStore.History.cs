using Docker.Aufs.Logging;

namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary>An image's history as <c>docker history</c> shows it on Docker 1.10+.</summary>
internal sealed partial class CasStore
{
    /// <summary>
    /// The config's <c>history</c>, newest first, as Docker's <c>ImageHistory</c> builds it (docs/format/content-addressed.md
    /// §4.3): each entry that is not <c>empty_layer</c> takes the next layer, base first, and shows its size; the newest
    /// entry is the image itself, the next one its parent image (from the metadata <c>parent</c>) while that image exists,
    /// and the others have no ID (<c>&lt;missing&gt;</c>). A config without history has none.
    /// </summary>
    /// <param name="config">The image's config.</param>
    /// <param name="layersTopFirst">Its layers.</param>
    /// <param name="references">The image's own references (read with those of the images its history names).</param>
    private List<ImageHistoryEntry> History(ImageConfigFile config, List<CasLayer> layersTopFirst, out IReadOnlyList<StoredReference> references)
    {
        var entries = new List<ImageHistoryEntry>(config.History.Count);
        var layer = layersTopFirst.Count - 1;
        foreach (var item in config.History)
        {
            var empty = item.EmptyLayer == true;
            CasLayer? owned = null;
            if (!empty)
            {
                if (layer < 0)
                {
                    Log.ImageInconsistent(Logger, config.Id, $"{config.Path} has more non-empty history entries than layers (Docker refuses to show its history: \"too many non-empty layers in History section\")");
                }
                else
                {
                    owned = layersTopFirst[layer];
                }

                layer--;
            }

            entries.Add(new ImageHistoryEntry
            {
                Created = RecordedTime.TryParse(item.Created, out var created) ? created : null,
                CreatedBy = item.CreatedBy ?? string.Empty,
                Comment = item.Comment ?? string.Empty,
                EmptyLayer = empty,
                LayerId = owned?.ChainId,
                Size = owned?.Size ?? 0,
            });
        }

        entries.Reverse();
        var ids = new List<string> { config.Id };
        while (ids.Count < entries.Count && ReadImageParent(ids[^1]) is { } parent && IsLoadable(parent))
        {
            ids.Add(parent);
        }

        var byImage = References.ReferencesTo(ids);
        for (var i = 0; i < entries.Count && i < ids.Count; i++)
        {
            entries[i] = entries[i] with
            {
                Id = ids[i],
                Tags = [.. byImage[ids[i]].Where(r => r.Reference.IsTagged).Select(r => r.Reference.FamiliarString)],
            };
        }

        references = byImage[config.Id];
        return entries;
    }

    /// <summary>Whether an image's config is there and verifies, as Docker's image store requires of the images it holds.</summary>
    private bool IsLoadable(string imageId)
    {
        try
        {
            ReadConfig(imageId);
            return true;
        }
        catch (DockerAufsException)
        {
            return false;
        }
    }
}

using Docker.Aufs.Logging;

namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary>An image's history as <c>docker history</c> shows it on Docker 1.10+.</summary>
internal sealed partial class CasStore
{
    /// <summary>
    /// The config's <c>history</c>, newest first, as Docker's <c>ImageHistory</c> builds it (docs/format/content-addressed.md
    /// §4.3): each entry that is not <c>empty_layer</c> takes the next layer, base first, and shows its size. A config
    /// without history has none. The image IDs are not here: <see cref="WithImageIds"/> adds them when the history is read.
    /// </summary>
    /// <param name="config">The image's config.</param>
    /// <param name="layersTopFirst">Its layers.</param>
    private List<ImageHistoryEntry> HistoryEntries(ImageConfigFile config, List<CasLayer> layersTopFirst)
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
        return entries;
    }

    /// <summary>
    /// The entries with the image IDs Docker shows and their tags: the newest entry is the image itself, the next one its
    /// parent image (from the metadata <c>parent</c>) while that image exists, and the others have no ID
    /// (<c>&lt;missing&gt;</c>). <see cref="GetImage"/> defers this walk until the history is first read (a
    /// <see cref="DeferredList{T}"/>): it reads and verifies the config of every ancestor, which resolving an image for its
    /// layers does not need.
    /// </summary>
    private List<ImageHistoryEntry> WithImageIds(string imageId, List<ImageHistoryEntry> entries)
    {
        var ids = new List<string> { imageId };
        while (ids.Count < entries.Count && ReadImageParent(ids[^1]) is { } parent && IsLoadable(parent))
        {
            ids.Add(parent);
        }

        var byImage = References.ReferencesTo(ids);
        var named = new List<ImageHistoryEntry>(entries);
        for (var i = 0; i < named.Count && i < ids.Count; i++)
        {
            named[i] = named[i] with
            {
                Id = ids[i],
                Tags = [.. byImage[ids[i]].Where(r => r.Reference.IsTagged).Select(r => r.Reference.FamiliarString)],
            };
        }

        return named;
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

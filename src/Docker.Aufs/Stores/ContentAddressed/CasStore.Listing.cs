using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using Docker.Aufs.Formats;
using Docker.Aufs.Logging;

namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary><c>docker images</c> on a content-addressed store.</summary>
internal sealed partial class CasStore
{
    /// <summary>Below this many images a listing is read on one thread: starting workers would cost more than it saves.</summary>
    internal const int ParallelListingThreshold = 64;

    /// <summary>
    /// ChainIDs computed by listings, by parent ChainID and DiffID: images built on one another share the bottom of their
    /// stacks, so each ChainID is hashed once, not once per image above it (2,000 images of about 10 layers: 1,205 hashes
    /// instead of about 20,000).
    /// </summary>
    private readonly ConcurrentDictionary<(string Parent, string DiffId), string> _chainIdSteps = new();

    /// <summary>The size of every layer chain a listing walked whole (no missing layer, no loop): a layer's size and all below it, by its ChainID.</summary>
    private readonly ConcurrentDictionary<string, long> _chainSizes = new(StringComparer.Ordinal);

    /// <summary>
    /// Lists images as Docker 1.10–23.0's <c>Images</c> does without <c>-a</c> (moby v1.10.0 <c>daemon/images.go</c>): every
    /// image whose config verifies and whose layers load; its tags and digests from the reference store; an image with
    /// neither is listed only when no other image names it as its parent. Size is the sum of its layers' sizes (Docker
    /// shows it as both size and virtual size). Newest first. An image that cannot be read is skipped with a warning, as
    /// Docker's restore skips it; one this process may not read is skipped with a warning and reported in the listing's
    /// <see cref="Listing{T}.Unreadable"/>, as is a reference store it may not read.
    /// </summary>
    public override IReadOnlyList<ImageSummary> GetImages()
    {
        var hexes = ImageHexes;
        var unreadable = new List<FsckFinding>();
        var results = new ListingResult[hexes.Count];
        if (ReadsInParallel && hexes.Count >= ParallelListingThreshold)
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(Environment.ProcessorCount, 8) };
            Parallel.For(0, hexes.Count, options, i => results[i] = ReadForListing(Digests.Sha256Prefix + hexes[i]));
        }
        else
        {
            for (var i = 0; i < hexes.Count; i++)
            {
                results[i] = ReadForListing(Digests.Sha256Prefix + hexes[i]);
            }
        }

        var loaded = new List<ListedImage>(hexes.Count);
        for (var i = 0; i < results.Length; i++)
        {
            switch (results[i].Error)
            {
                case null:
                    loaded.Add(results[i].Image!);
                    break;
                case DockerAufsException e:
                    Log.ImageSkipped(Logger, Digests.Sha256Prefix + hexes[i], e.Message);
                    break;
                case var e when IO.AccessProblems.IsDenied(e):
                    ReportUnreadable(FileSystem.Path.Combine(ContentDirectory, hexes[i]), e, $"image {Digests.Sha256Prefix + hexes[i]} is not listed", unreadable);
                    break;
                case var e:
                    ExceptionDispatchInfo.Throw(e);
                    break;
            }
        }

        _ = References.Index; // read (or refused) once, before the references are used
        if (References.Denied is { } denied)
        {
            unreadable.Add(FindingSink.Unreadable(denied, TagStoreUnreadable));
        }

        var parents = new HashSet<string>(loaded.Where(l => l.Parent is not null).Select(l => l.Parent!), StringComparer.Ordinal);
        var images = new List<ImageSummary>(loaded.Count);
        foreach (var image in loaded)
        {
            var references = References.ReferencesTo(image.Id);
            if (references.Count == 0 && parents.Contains(image.Id))
            {
                continue; // an untagged image with children is not listed (docker images without -a)
            }

            images.Add(new ImageSummary
            {
                Id = image.Id,
                ParentId = image.Parent,
                Created = image.Created,
                Size = image.Size,
                VirtualSize = image.Size,
                RepoTags = [.. references.Where(r => r.Reference.IsTagged).Select(r => r.Reference.FamiliarString)],
                RepoDigests = [.. references.Where(r => r.Reference.IsDigested).Select(r => r.Reference.FamiliarString)],
            });
        }

        var loadedIds = new HashSet<string>(loaded.Select(l => l.Id), StringComparer.Ordinal);
        foreach (var reference in References.All)
        {
            if (!loadedIds.Contains(reference.ImageId))
            {
                Log.TagTargetMissing(Logger, reference.Reference.FamiliarString, DockerIds.Printable(reference.ImageId));
            }
        }

        images.Sort(static (a, b) =>
        {
            var byCreated = Nullable.Compare(b.Created?.Value, a.Created?.Value);
            return byCreated != 0 ? byCreated : string.CompareOrdinal(a.Id, b.Id);
        });
        return new Listing<ImageSummary>(images, unreadable);
    }

    /// <summary>Gets whether images are read by several threads: on the real file system, with more than one processor.</summary>
    private bool ReadsInParallel => Environment.ProcessorCount > 1 && FileSystem is System.IO.Abstractions.FileSystem;

    private ListingResult ReadForListing(string id)
    {
        try
        {
            // Not cached: a listing of a large store does not keep every config in memory.
            var config = _configs.TryGetValue(id, out var cached) ? cached : ImageConfigFile.Read(FileSystem, ContentDirectory, id);
            var size = TopChainId(config.DiffIds) is { } top ? ChainSize(id, top) : 0;
            return new ListingResult(new ListedImage(id, ReadImageParent(id), config.Image.Created, size), null);
        }
        catch (FileNotFoundException) when (!HasImage(id))
        {
            return new ListingResult(null, new ImageNotFoundException(id, "its config was removed while the store was being listed"));
        }
#pragma warning disable CA1031 // Every exception is carried to the calling thread and thrown or logged there, in ID order.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new ListingResult(null, e);
        }
    }

    /// <summary>
    /// The ChainID of a config's top layer (<see cref="ImageConfigFile.TopChainId"/>: the same SHA-256 of each parent
    /// ChainID and DiffID, as Docker's <c>RootFS.ChainID</c>), each step looked up among those already computed.
    /// </summary>
    private string? TopChainId(IReadOnlyList<string> diffIds)
    {
        if (diffIds.Count == 0)
        {
            return null;
        }

        var chainId = diffIds[0];
        for (var i = 1; i < diffIds.Count; i++)
        {
            chainId = _chainIdSteps.GetOrAdd((chainId, diffIds[i]), static step => Digests.ChainIds([step.Parent, step.DiffId])[1]);
        }

        return chainId;
    }

    /// <summary>
    /// The size of the chain below <paramref name="top"/>, walked as <see cref="WalkChain(string, string)"/> walks it (every
    /// layer read and checked, a loop or missing layer refused) down to the first layer of a chain already walked whole.
    /// </summary>
    private long ChainSize(string owner, string top)
    {
        if (_chainSizes.TryGetValue(top, out var known))
        {
            return known;
        }

        var above = WalkChain(owner, top, _chainSizes);
        if (above.Count == 0)
        {
            return _chainSizes[top]; // another thread walked it meanwhile
        }

        var size = above[^1].Parent is { } below ? _chainSizes[below] : 0;
        for (var i = above.Count - 1; i >= 0; i--)
        {
            size += above[i].Size;
            _chainSizes.TryAdd(above[i].ChainId, size);
        }

        return size;
    }

    /// <summary>What a listing keeps of an image.</summary>
    private sealed record ListedImage(string Id, string? Parent, RecordedTime? Created, long Size);

    private readonly record struct ListingResult(ListedImage? Image, Exception? Error);
}

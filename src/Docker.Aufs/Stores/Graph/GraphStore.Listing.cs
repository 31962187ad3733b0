using System.Runtime.ExceptionServices;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;
using Docker.Aufs.Logging;

namespace Docker.Aufs.Stores.Graph;

/// <summary>Reading every layer of the root for <see cref="GetImages"/>.</summary>
internal sealed partial class GraphStore
{
    public override IReadOnlyList<ImageSummary> GetImages()
    {
        // Layers sorted by ID, looked up by binary search, with per-layer facts in arrays: a listing of 10,000 layers
        // allocates no dictionary or set of that size, which would land on the large object heap and cost a full
        // collection every few listings.
        var unreadable = new List<FsckFinding>();
        var loaded = ReadLayersForListing(unreadable);
        var isParent = new bool[loaded.Count];
        foreach (var layer in loaded)
        {
            if (layer.Parent is { } parent && IndexOf(loaded, parent) is var p and >= 0)
            {
                isParent[p] = true;
            }
        }

        var tags = new Dictionary<string, (List<string> Tags, List<string> Digests)>(StringComparer.Ordinal);
        var repositories = Repositories;
        if (_repositoriesDenied is { } denied)
        {
            unreadable.Add(FindingSink.Unreadable(denied, TagStoreUnreadable));
        }

        foreach (var entry in repositories.Entries)
        {
            if (IndexOf(loaded, entry.ImageId) < 0)
            {
                Log.TagTargetMissing(Logger, entry.DisplayName, DockerIds.Printable(entry.ImageId));
                continue;
            }

            if (!tags.TryGetValue(entry.ImageId, out var names))
            {
                tags[entry.ImageId] = names = ([], []);
            }

            (entry.IsDigest ? names.Digests : names.Tags).Add(entry.DisplayName);
        }

        var virtualSizes = new VirtualSizes(loaded.Count);
        var images = new List<ImageSummary>();
        for (var i = 0; i < loaded.Count; i++)
        {
            var layer = loaded[i];
            var tagged = tags.TryGetValue(layer.Id, out var names);
            if (!tagged && isParent[i])
            {
                continue; // an untagged image with children is not listed (docker images without -a)
            }

            images.Add(new ImageSummary
            {
                Id = layer.Id,
                ParentId = layer.Parent,
                Created = layer.Created,
                Size = layer.Size,
                VirtualSize = VirtualSize(i, loaded, virtualSizes),
                RepoTags = tagged ? [.. names.Tags.Order(StringComparer.Ordinal)] : [],
                RepoDigests = tagged ? [.. names.Digests.Order(StringComparer.Ordinal)] : [],
            });
        }

        images.Sort(static (a, b) =>
        {
            var byCreated = Nullable.Compare(b.Created?.Value, a.Created?.Value);
            return byCreated != 0 ? byCreated : string.CompareOrdinal(a.Id, b.Id);
        });
        return new Listing<ImageSummary>(images, unreadable);
    }


    /// <summary>Below this many layers a listing is read on one thread: starting workers would cost more than it saves.</summary>
    internal const int ParallelListingThreshold = 64;

    /// <summary>
    /// Reads the <c>graph/</c> data of every image the driver has, in the order of <see cref="GetImageIds"/>, keeping only
    /// what a listing needs. Layers whose data is corrupt are skipped with a logged warning; any other error is thrown,
    /// the one of the first such layer in ID order, after the warnings of the layers before it. A layer (or the driver's
    /// list of layers) this process may not read is skipped with a warning and added to <paramref name="unreadable"/>.
    /// </summary>
    /// <remarks>
    /// On the real file system the layers are read by several threads: reading one is a few system calls and a small JSON
    /// parse, so a listing is bound by CPU, not by the disk. The result, the warnings and their order are the same as
    /// on one thread. Other file systems (in-memory ones in tests) are read on one thread, as they need not be safe for
    /// concurrent use. Layers already read by <see cref="ReadLayer"/> are reused; the others are not kept, so listing a
    /// large root does not hold every image JSON in memory.
    /// <para>
    /// A layer is read as Docker 1.9's <c>restore</c> reads it: the image JSON, <c>parent</c> and <c>layersize</c>
    /// (<see cref="GraphLayer.TryReadForListing"/>). <c>checksum</c> and <c>v1Compatibility</c>, which a listing does not
    /// show and Docker does not read there, are not read; a layer with anything unusual is read again in full
    /// (<see cref="GraphLayer.Read"/>) so that its problem is reported exactly as <see cref="ReadLayer"/> reports it.
    /// </para>
    /// </remarks>
    private List<ListedLayer> ReadLayersForListing(List<FsckFinding> unreadable)
    {
        // The two directory listings, graph/ and the driver's, overlap when the file system allows threads.
        var listing = ReadsInParallel && !_imageIds.IsValueCreated ? Task.Run(GetImageIds) : null;
        HashSet<string>? driverIds = null;
        try
        {
            driverIds = Driver.ListLayerIds() is { } listed ? new HashSet<string>(listed, StringComparer.Ordinal) : null;
        }
        catch (Exception e) when (AccessProblems.IsDenied(e))
        {
            // Docker's restore keeps only images the driver has; unable to ask, the listing keeps every image of graph/.
            ReportUnreadable(Driver.Directory, e, $"images are listed without checking that the {Driver.Name} driver has their layers", unreadable);
        }

        var all = listing is null ? GetImageIds() : listing.GetAwaiter().GetResult();
        var ids = new List<string>(all.Count);
        foreach (var id in all)
        {
            if (driverIds is null || driverIds.Contains(id))
            {
                ids.Add(id); // Docker's restore registers only images the driver has.
            }
        }

        // Pooled: for a large root this array would otherwise be large-object-heap garbage on every listing.
        var results = System.Buffers.ArrayPool<ListingResult>.Shared.Rent(ids.Count);
        try
        {
            return Collect(ids, results, unreadable);
        }
        finally
        {
            System.Buffers.ArrayPool<ListingResult>.Shared.Return(results, clearArray: true);
        }
    }

    /// <summary>Gets whether layers are read by several threads: on the real file system, with more than one processor.</summary>
    private bool ReadsInParallel => Environment.ProcessorCount > 1 && FileSystem is System.IO.Abstractions.FileSystem;

    private List<ListedLayer> Collect(List<string> ids, ListingResult[] results, List<FsckFinding> unreadable)
    {
        if (ReadsInParallel && ids.Count >= ParallelListingThreshold)
        {
            var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(Environment.ProcessorCount, 8) };
            Parallel.For(0, ids.Count, options, i => results[i] = ReadForListing(ids[i]));
        }
        else
        {
            for (var i = 0; i < ids.Count; i++)
            {
                results[i] = ReadForListing(ids[i]);
                if (results[i].Error is { } error and not DockerDataException && !AccessProblems.IsDenied(error))
                {
                    break; // thrown below, as soon as the warnings before it are logged
                }
            }
        }

        var listed = new List<ListedLayer>(ids.Count);
        for (var i = 0; i < ids.Count; i++)
        {
            switch (results[i].Error)
            {
                case null:
                    listed.Add(results[i].Layer!);
                    break;
                case DockerDataException e:
                    Log.ImageSkipped(Logger, ids[i], e.Message);
                    break;
                case var e when AccessProblems.IsDenied(e):
                    ReportUnreadable(FileSystem.Path.Combine(GraphDirectory, ids[i]), e, $"image {ids[i]} is not listed", unreadable);
                    break;
                case var e:
                    ExceptionDispatchInfo.Throw(e);
                    break;
            }
        }

        return listed;
    }

    private ListingResult ReadForListing(string id)
    {
        try
        {
            if (_layers.TryGetValue(id, out var cached))
            {
                return new ListingResult(ListedLayer.From(cached), null);
            }

            if (GraphLayer.TryReadForListing(FileSystem, GraphDirectory, id) is { } facts)
            {
                return new ListingResult(new ListedLayer(id, facts.Parent, facts.Created, facts.Size), null);
            }

            GraphLayer layer;
            try
            {
                layer = GraphLayer.Read(FileSystem, GraphDirectory, id);
            }
            catch (DirectoryNotFoundException) when (!FileSystem.Directory.Exists(FileSystem.Path.Combine(GraphDirectory, id)))
            {
                // Removed since graph/ was listed: report it as GetLayer does.
                throw new ImageNotFoundException(id, $"there is no {FileSystem.Path.Combine(GraphDirectory, id)}");
            }

            return new ListingResult(ListedLayer.From(layer), null);
        }
#pragma warning disable CA1031 // Every exception is carried to the calling thread and thrown or logged there, in ID order.
        catch (Exception e)
#pragma warning restore CA1031
        {
            return new ListingResult(null, e);
        }
    }

    /// <summary>What a listing keeps of a layer.</summary>
    private sealed record ListedLayer(string Id, string? Parent, RecordedTime? Created, long? Size)
    {
        public static ListedLayer From(GraphLayer layer) => new(layer.Id, layer.Parent, layer.Image.Created, layer.Size);
    }

    private readonly record struct ListingResult(ListedLayer? Layer, Exception? Error);

    private long? VirtualSize(int index, List<ListedLayer> loaded, VirtualSizes memo)
    {
        // Iterative walk to the base (or the first memoized ancestor), then fill the memo on the way back.
        var layer = loaded[index];
        var path = new List<int>();
        var seen = new HashSet<int>();
        long? baseTotal = 0;
        var current = index;
        while (true)
        {
            if (memo.TryGet(current, out var known))
            {
                baseTotal = known;
                break;
            }

            if (!seen.Add(current))
            {
                Log.SizeUnknown(Logger, layer.Id, $"the parent chain loops at {loaded[current].Id}");
                baseTotal = null;
                break;
            }

            path.Add(current);
            if (loaded[current].Parent is not { } parentId)
            {
                break;
            }

            var parent = IndexOf(loaded, parentId);
            if (parent < 0)
            {
                Log.SizeUnknown(Logger, layer.Id, $"its ancestor {parentId} cannot be read");
                baseTotal = null;
                break;
            }

            current = parent;
        }

        for (var i = path.Count - 1; i >= 0; i--)
        {
            baseTotal = baseTotal is { } total && loaded[path[i]].Size is { } size ? total + size : null;
            memo.Set(path[i], baseTotal);
        }

        memo.TryGet(index, out var result);
        return result;
    }

    /// <summary>The position of <paramref name="id"/> in layers sorted by ID, or a negative number.</summary>
    private static int IndexOf(List<ListedLayer> sorted, string id)
    {
        int low = 0, high = sorted.Count - 1;
        while (low <= high)
        {
            var middle = low + ((high - low) >> 1);
            var order = string.CompareOrdinal(sorted[middle].Id, id);
            if (order == 0)
            {
                return middle;
            }

            if (order < 0)
            {
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return -1;
    }

    /// <summary>The virtual sizes found so far, by layer position: known or not, and the value (unknown when null).</summary>
    private sealed class VirtualSizes(int count)
    {
        private readonly long[] _values = new long[count];
        private readonly byte[] _states = new byte[count]; // 0: not yet, 1: a size, 2: unknown

        public bool TryGet(int index, out long? value)
        {
            value = _states[index] == 1 ? _values[index] : null;
            return _states[index] != 0;
        }

        public void Set(int index, long? value)
        {
            _states[index] = value is null ? (byte)2 : (byte)1;
            _values[index] = value ?? 0;
        }
    }
}

using System.Runtime.ExceptionServices;
using Docker.Aufs.Graph;
using Docker.Aufs.Logging;

namespace Docker.Aufs;

/// <summary>Reading every layer of the root for <see cref="GetImages"/>.</summary>
public sealed partial class DockerRoot
{
    /// <summary>Below this many layers a listing is read on one thread: starting workers would cost more than it saves.</summary>
    internal const int ParallelListingThreshold = 64;

    /// <summary>
    /// Reads the <c>graph/</c> data of every image the driver has, in the order of <see cref="GetImageIds"/>, keeping only
    /// what a listing needs. Layers whose data is corrupt are skipped with a logged warning; any other error is thrown,
    /// the one of the first such layer in ID order, after the warnings of the layers before it.
    /// </summary>
    /// <remarks>
    /// On the real file system the layers are read by several threads: reading one is a few system calls and a small JSON
    /// parse, so a listing is bound by CPU, not by the disk. The result, the warnings and their order are the same as
    /// on one thread. Other file systems (in-memory ones in tests) are read on one thread, as they need not be safe for
    /// concurrent use. Layers already read by <see cref="GetLayer"/> are reused; the others are not kept, so listing a
    /// large root does not hold every image JSON in memory.
    /// <para>
    /// A layer is read as Docker 1.9's <c>restore</c> reads it: the image JSON, <c>parent</c> and <c>layersize</c>
    /// (<see cref="GraphLayer.TryReadForListing"/>). <c>checksum</c> and <c>v1Compatibility</c>, which a listing does not
    /// show and Docker does not read there, are not read; a layer with anything unusual is read again in full
    /// (<see cref="GraphLayer.Read"/>) so that its problem is reported exactly as <see cref="GetLayer"/> reports it.
    /// </para>
    /// </remarks>
    private List<ListedLayer> ReadLayersForListing()
    {
        // The two directory listings, graph/ and the driver's, overlap when the file system allows threads.
        var listing = ReadsInParallel && !_imageIds.IsValueCreated ? Task.Run(GetImageIds) : null;
        var driverIds = DriverLayerIds();
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
            return Collect(ids, results);
        }
        finally
        {
            System.Buffers.ArrayPool<ListingResult>.Shared.Return(results, clearArray: true);
        }
    }

    /// <summary>Gets whether layers are read by several threads: on the real file system, with more than one processor.</summary>
    private bool ReadsInParallel => Environment.ProcessorCount > 1 && FileSystem is System.IO.Abstractions.FileSystem;

    private List<ListedLayer> Collect(List<string> ids, ListingResult[] results)
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
                if (results[i].Error is { } error and not DockerDataException)
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
                    Log.ImageSkipped(_logger, ids[i], e.Message);
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
    private sealed record ListedLayer(string Id, string? Parent, DateTimeOffset? Created, long? Size)
    {
        public static ListedLayer From(GraphLayer layer) => new(layer.Id, layer.Parent, layer.Image.Created, layer.Size);
    }

    private readonly record struct ListingResult(ListedLayer? Layer, Exception? Error);
}

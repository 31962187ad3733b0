using System.Diagnostics.CodeAnalysis;
using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.Logging;
using Microsoft.Extensions.Logging;

namespace Docker.Aufs.Stores.ContentAddressed;

/// <summary>One reference of the reference store: a tag or digest reference and the image ID it points at.</summary>
/// <param name="Reference">The reference, parsed from the store's inner key.</param>
/// <param name="ImageId">The image ID as stored (normally <c>sha256:</c> and 64 hex).</param>
internal sealed record StoredReference(NamedReference Reference, string ImageId);

/// <summary>
/// The reference store <c>image/&lt;driver&gt;/repositories.json</c> of Docker 1.10+ (docs/format/content-addressed.md
/// §8.1): <c>{"Repositories":{familiar name:{familiar reference:image ID}}}</c>, read as the daemon's reference store
/// reads it. A lookup finds the repository by the reference's familiar name and the entry by its familiar string (with
/// the default tag <c>latest</c>); the references of an image are the inner keys pointing at it that parse, whatever
/// repository holds them. A missing or unreadable file holds no references (logged once): images stay reachable by ID.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed class ReferenceStore
{
    private readonly IFileSystem _fileSystem;
    private readonly ILogger _logger;
    private readonly Lazy<RepositoryIndex> _index;
    private readonly Lazy<Dictionary<string, List<StoredReference>>> _byImage;

    private readonly Func<string, Exception, PathAccessDeniedException>? _reportDenied;

    /// <param name="fileSystem">The file system.</param>
    /// <param name="path">The full path of <c>repositories.json</c>.</param>
    /// <param name="logger">Where problems with the file are logged.</param>
    /// <param name="reportDenied">Describes and reports the file (or a directory on its way) refused to this process; it is then held as having no references.</param>
    public ReferenceStore(IFileSystem fileSystem, string path, ILogger logger, Func<string, Exception, PathAccessDeniedException>? reportDenied = null)
    {
        _fileSystem = fileSystem;
        _logger = logger;
        _reportDenied = reportDenied;
        Path = path;
        _index = new Lazy<RepositoryIndex>(ReadIndex, LazyThreadSafetyMode.ExecutionAndPublication);
        _byImage = new Lazy<Dictionary<string, List<StoredReference>>>(BuildByImage, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the full path of <c>repositories.json</c>.</summary>
    public string Path { get; }

    /// <summary>Gets the refusal met reading the file, once <see cref="Index"/> was read and this process was not allowed to read it.</summary>
    public PathAccessDeniedException? Denied { get; private set; }

    /// <summary>Gets the whole file, as stored (outer keys, inner keys, values).</summary>
    public RepositoryIndex Index => _index.Value;

    /// <summary>
    /// Looks a reference up as the reference store's <c>Get</c> does: a reference with a digest by its digest alone,
    /// otherwise by its tag (<c>latest</c> when it has none).
    /// </summary>
    /// <returns>The image ID stored for it, or <see langword="null"/>.</returns>
    public string? Get(NamedReference reference)
    {
        var key = reference.ForLookup();
        return TryGetRepository(key.FamiliarName, out var references) && references.TryGetValue(key.FamiliarString, out var id) ? id : null;
    }

    /// <summary>The references to <paramref name="imageId"/>, sorted by their full form as Docker sorts them.</summary>
    public IReadOnlyList<StoredReference> ReferencesTo(string imageId) =>
        _byImage.Value.TryGetValue(imageId, out var list) ? list : [];

    /// <summary>
    /// The references to each of <paramref name="imageIds"/>, as <see cref="ReferencesTo(string)"/> gives them. Until something
    /// needs the whole file, only the entries pointing at these images are read out of it (resolving one image costs the
    /// same on a store of thousands of references); a missing or unreadable file is left to the full read, which reports it.
    /// </summary>
    public Dictionary<string, IReadOnlyList<StoredReference>> ReferencesTo(IEnumerable<string> imageIds)
    {
        var wanted = new HashSet<string>(imageIds, StringComparer.Ordinal);
        if (!_byImage.IsValueCreated && !_index.IsValueCreated && _fileSystem.File.Exists(Path))
        {
            try
            {
                var byImage = Group(RepositoryIndex.ReadReferencesTo(_fileSystem, Path, wanted));
                return wanted.ToDictionary(id => id, id => byImage.TryGetValue(id, out var list) ? (IReadOnlyList<StoredReference>)list : [], StringComparer.Ordinal);
            }
            catch (Exception e) when (e is CorruptFileException or UnsafePathException or FileNotFoundException || IO.AccessProblems.IsDenied(e))
            {
                // Fall through: the full read logs the problem (or the file gone since) once and holds no references.
            }
        }

        return wanted.ToDictionary(id => id, ReferencesTo, StringComparer.Ordinal);
    }

    /// <summary>Every reference that parses, sorted by full form.</summary>
    public IEnumerable<StoredReference> All => _byImage.Value.Values.SelectMany(l => l).OrderBy(r => r.Reference.ToString(), StringComparer.Ordinal);

    /// <summary>One repository; until something needs the whole file, only it is read out of the file.</summary>
    private bool TryGetRepository(string repository, [NotNullWhen(true)] out IReadOnlyDictionary<string, string>? references)
    {
        if (!_index.IsValueCreated && _fileSystem.File.Exists(Path))
        {
            try
            {
                return RepositoryIndex.TryReadRepository(_fileSystem, Path, repository, out references);
            }
            catch (Exception e) when (e is CorruptFileException or UnsafePathException or FileNotFoundException || IO.AccessProblems.IsDenied(e))
            {
                // Fall through: the full read logs the problem (or the file gone since) once and holds no references.
            }
        }

        return Index.TryGetRepository(repository, out references);
    }

    private RepositoryIndex ReadIndex()
    {
        if (!_fileSystem.File.Exists(Path))
        {
            Log.RepositoriesMissing(_logger, Path);
            return RepositoryIndex.Empty;
        }

        try
        {
            return RepositoryIndex.Read(_fileSystem, Path);
        }
        catch (Exception e) when (e is CorruptFileException or UnsafePathException)
        {
            Log.RepositoriesUnreadable(_logger, Path, e is CorruptFileException c ? c.Problem : e.Message);
            return RepositoryIndex.Empty;
        }
        catch (Exception e) when (IO.AccessProblems.IsDenied(e) && _reportDenied is not null)
        {
            Denied = _reportDenied(Path, e);
            return RepositoryIndex.Empty;
        }
    }

    private Dictionary<string, List<StoredReference>> BuildByImage() => Group(Index.Entries);

    private static Dictionary<string, List<StoredReference>> Group(IEnumerable<RepositoryEntry> entries)
    {
        var byImage = new Dictionary<string, List<StoredReference>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            // Docker parses every inner key and silently ignores those that do not parse ("should never happen").
            if (!NamedReference.TryParse(entry.Reference, out var reference, out _))
            {
                continue;
            }

            if (!byImage.TryGetValue(entry.ImageId, out var list))
            {
                byImage[entry.ImageId] = list = [];
            }

            // One reference per inner key: the same key under two repositories is one reference (the last one read wins).
            list.RemoveAll(r => r.Reference.ToString() == reference.ToString());
            list.Add(new StoredReference(reference, entry.ImageId));
        }

        foreach (var list in byImage.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.Reference.ToString(), b.Reference.ToString()));
        }

        return byImage;
    }
}

using System.IO.Abstractions;
using System.Text.Json;
using Docker.Aufs.Formats;
using Docker.Aufs.IO;

namespace Docker.Aufs.Stores;

/// <summary>One key of the tag store: a tag or a digest of a repository, and the image ID it points at.</summary>
/// <param name="Repository">The repository name as stored (normally already normalized).</param>
/// <param name="Reference">The tag, or a digest such as <c>sha256:…</c>.</param>
/// <param name="ImageId">The image ID as stored; not validated here (see <see cref="DockerIds.IsId"/>).</param>
/// <threadsafety static="true" instance="true"/>
internal sealed record RepositoryEntry(string Repository, string Reference, string ImageId)
{
    /// <summary>Gets whether <see cref="Reference"/> is a digest rather than a tag.</summary>
    public bool IsDigest => ImageReference.IsDigestReference(Reference);

    /// <summary>Gets the display form, <c>repo:tag</c> or <c>repo@digest</c>.</summary>
    public string DisplayName => ImageReference.Format(Repository, Reference);
}

/// <summary>
/// The tag store <c>repositories-&lt;driver&gt;</c> (docs/format/graph-era.md §3), whose shape the reference store
/// <c>repositories.json</c> of Docker 1.10+ kept (docs/format/content-addressed.md §8.1; its keys and values mean other
/// things, which that store interprets): <c>{"Repositories":{repo:{tag-or-digest:id}}}</c>,
/// decoded as Docker decodes it: the top-level key matches case-insensitively, only the first JSON value counts, map keys
/// are case-sensitive and the last duplicate wins, tags and <c>sha256:</c> digest keys are told apart by the <c>:</c>.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal sealed partial class RepositoryIndex
{
    private readonly Dictionary<string, Dictionary<string, string>> _repositories;
    private Dictionary<string, List<RepositoryEntry>>? _byImage;

    private RepositoryIndex(Dictionary<string, Dictionary<string, string>> repositories)
    {
        _repositories = repositories;
        Entries = [.. repositories
            .OrderBy(r => r.Key, StringComparer.Ordinal)
            .SelectMany(r => r.Value.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => new RepositoryEntry(r.Key, t.Key, t.Value)))];
    }

    /// <summary>Gets an index without repositories.</summary>
    public static RepositoryIndex Empty { get; } = new([]);

    /// <summary>Gets every entry, sorted by repository, then tag or digest (ordinal).</summary>
    public IReadOnlyList<RepositoryEntry> Entries { get; }

    /// <summary>Gets the repository names, sorted ordinally.</summary>
    public IEnumerable<string> RepositoryNames => _repositories.Keys.Order(StringComparer.Ordinal);

    /// <summary>The file name of the tag store of a graph driver: <c>repositories-&lt;driver&gt;</c>.</summary>
    /// <param name="driver">The driver name, such as <c>aufs</c>.</param>
    /// <returns>The file name.</returns>
    public static string FileName(string driver)
    {
        ArgumentException.ThrowIfNullOrEmpty(driver);
        return "repositories-" + driver;
    }

    /// <summary>Reads and parses a tag store file.</summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="path">The full path of <c>repositories-&lt;driver&gt;</c>.</param>
    /// <returns>The index.</returns>
    /// <exception cref="CorruptFileException">The file is empty, truncated, not JSON or of the wrong shape.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static RepositoryIndex Read(IFileSystem fileSystem, string path)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        ArgumentNullException.ThrowIfNull(path);
        // The bytes are only parsed, never kept: a pooled buffer spares a large tag store a trip through the large object heap.
        using var content = SmallFile.ReadRented(fileSystem, path, SmallFile.JsonLimit);
        return Parse(content.Memory, path);
    }

    /// <summary>Parses the content of a tag store file.</summary>
    /// <param name="utf8">The file's bytes.</param>
    /// <param name="path">The file's path, for errors.</param>
    /// <returns>The index.</returns>
    /// <exception cref="CorruptFileException">The content is empty, truncated, not JSON or of the wrong shape.</exception>
    public static RepositoryIndex Parse(ReadOnlyMemory<byte> utf8, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var repositories = ParseCore(utf8, path, only: null);
        return repositories.Count == 0 ? Empty : new RepositoryIndex(repositories);
    }

    /// <summary>
    /// Looks one repository up in a tag store file without building the whole index: the file is read into a pooled buffer
    /// and checked exactly as <see cref="Read"/> checks it, but only the wanted repository's tags become strings.
    /// </summary>
    /// <param name="fileSystem">The file system.</param>
    /// <param name="path">The full path of <c>repositories-&lt;driver&gt;</c>.</param>
    /// <param name="repository">The repository name.</param>
    /// <param name="references">Its tags and digests, mapped to image IDs.</param>
    /// <returns>Whether the repository exists.</returns>
    /// <exception cref="CorruptFileException">The file is empty, truncated, not JSON or of the wrong shape (as <see cref="Read"/>).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    internal static bool TryReadRepository(IFileSystem fileSystem, string path, string repository,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyDictionary<string, string>? references)
    {
        using var content = SmallFile.ReadRented(fileSystem, path, SmallFile.JsonLimit);
        var found = ParseCore(content.Memory, path, repository);
        references = found.TryGetValue(repository, out var map) ? map : null;
        return references is not null;
    }

    /// <summary>
    /// Reads the references to any of <paramref name="imageIds"/> out of a tag store file without building the whole index:
    /// the file is checked exactly as <see cref="Read"/> checks it, but only the matching entries become strings.
    /// </summary>
    /// <returns>The matching entries, sorted by repository, then tag or digest.</returns>
    /// <exception cref="CorruptFileException">The file is empty, truncated, not JSON or of the wrong shape (as <see cref="Read"/>).</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    internal static IReadOnlyList<RepositoryEntry> ReadReferencesTo(IFileSystem fileSystem, string path, IReadOnlySet<string> imageIds)
    {
        using var content = SmallFile.ReadRented(fileSystem, path, SmallFile.JsonLimit);
        return new RepositoryIndex(ParseCore(content.Memory, path, only: null, imageIds)).Entries;
    }

    /// <summary>
    /// The one parsing core: all repositories, or (<paramref name="only"/>) just one, the others checked but not kept. A file
    /// of the plain shape Docker writes is scanned without a JSON reader (<see cref="TryScanPlain"/>); other valid UTF-8
    /// is read in one pass straight from the file's bytes; anything else, or any problem, is read again the careful way
    /// (first value isolated, then parsed), so that errors are reported exactly as before.
    /// </summary>
    internal static Dictionary<string, Dictionary<string, string>> ParseCore(ReadOnlyMemory<byte> utf8, string path, string? only, IReadOnlySet<string>? values = null)
    {
        var parsed = ParseUnfiltered(utf8, path, only, values);
        if (values is null)
        {
            return parsed;
        }

        // The plain scan filtered already; the JSON reader's paths are filtered here.
        var filtered = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (repository, references) in parsed)
        {
            var kept = references.Where(r => values.Contains(r.Value)).ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal);
            if (kept.Count > 0)
            {
                filtered[repository] = kept;
            }
        }

        return filtered;
    }

    private static Dictionary<string, Dictionary<string, string>> ParseUnfiltered(ReadOnlyMemory<byte> utf8, string path, string? only, IReadOnlySet<string>? values)
    {
        var span = utf8.Span;
        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            span = span[3..];
        }

        if (System.Text.Unicode.Utf8.IsValid(span))
        {
            if (TryScanPlain(span, only, values, out var plain))
            {
                return plain;
            }

            try
            {
                var fast = GoJson.Reader(span, firstValue: true);
                return ParseValue(ref fast, path, only);
            }
            catch (Exception e) when (e is JsonException or CorruptFileException or InvalidOperationException)
            {
                // Reported by the careful path below.
            }
        }

        return ParseCarefully(utf8, path, only);
    }

    /// <summary>The two-pass read: Docker's first value isolated (and its UTF-8 repaired), then parsed.</summary>
    internal static Dictionary<string, Dictionary<string, string>> ParseCarefully(ReadOnlyMemory<byte> utf8, string path, string? only)
    {
        var value = GoJson.FirstValue(utf8, path);
        var reader = GoJson.Reader(value.Span);
        return ParseValue(ref reader, path, only);
    }

    private static Dictionary<string, Dictionary<string, string>> ParseValue(ref Utf8JsonReader reader, string path, string? only)
    {
        var repositories = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        if (!reader.Read())
        {
            throw new JsonException("no JSON value"); // only the fast path gets here; the careful path has checked for a value
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return repositories;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new CorruptFileException(path, $"expected a JSON object, found {reader.TokenType}");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isRepositories = reader.ValueTextEquals("Repositories") ||
                                 string.Equals(reader.GetString(), "Repositories", StringComparison.OrdinalIgnoreCase);
            reader.Read();
            if (!isRepositories)
            {
                reader.Skip();
                continue;
            }

            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    // Go sets a map field to nil on null.
                    repositories.Clear();
                    break;
                case JsonTokenType.StartObject:
                    // Go decodes into the existing map: a second "Repositories" key adds to (and replaces repos of) the first.
                    ReadRepositories(ref reader, repositories, path, only);
                    break;
                default:
                    throw new CorruptFileException(path, $"\"Repositories\" should be an object, found {reader.TokenType}");
            }
        }

        return repositories;
    }

    /// <summary>Looks a repository up by its exact (already normalized) name.</summary>
    /// <param name="repository">The repository name.</param>
    /// <param name="references">Its tags and digests, mapped to image IDs.</param>
    /// <returns>Whether the repository exists.</returns>
    public bool TryGetRepository(string repository, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IReadOnlyDictionary<string, string>? references)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (_repositories.TryGetValue(repository, out var found))
        {
            references = found;
            return true;
        }

        references = null;
        return false;
    }

    /// <summary>Returns the entries pointing at <paramref name="imageId"/>, sorted.</summary>
    /// <param name="imageId">A full image ID.</param>
    /// <returns>Its tags and digests; empty when untagged.</returns>
    public IReadOnlyList<RepositoryEntry> ReferencesTo(string imageId)
    {
        ArgumentNullException.ThrowIfNull(imageId);
        var byImage = _byImage ?? Interlocked.CompareExchange(ref _byImage, BuildByImage(), null) ?? _byImage!;
        return byImage.TryGetValue(imageId, out var list) ? list : [];
    }

    /// <summary>Serializes the index the way Docker writes it: compact, map keys sorted, no trailing newline.</summary>
    /// <returns>The file content.</returns>
    public byte[] Serialize()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = GoJsonEncoder.Instance }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("Repositories");
            foreach (var repository in _repositories.OrderBy(r => r.Key, StringComparer.Ordinal))
            {
                writer.WriteStartObject(repository.Key);
                foreach (var reference in repository.Value.OrderBy(r => r.Key, StringComparer.Ordinal))
                {
                    writer.WriteString(reference.Key, reference.Value);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Creates an index from entries (for builders and tests); a later entry for the same key wins.</summary>
    /// <param name="entries">The entries.</param>
    /// <returns>The index.</returns>
    public static RepositoryIndex FromEntries(IEnumerable<RepositoryEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var repositories = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            if (!repositories.TryGetValue(entry.Repository, out var references))
            {
                repositories[entry.Repository] = references = new Dictionary<string, string>(StringComparer.Ordinal);
            }

            references[entry.Reference] = entry.ImageId;
        }

        return repositories.Count == 0 ? Empty : new RepositoryIndex(repositories);
    }

    private Dictionary<string, List<RepositoryEntry>> BuildByImage()
    {
        var byImage = new Dictionary<string, List<RepositoryEntry>>(StringComparer.Ordinal);
        foreach (var entry in Entries)
        {
            if (!byImage.TryGetValue(entry.ImageId, out var list))
            {
                byImage[entry.ImageId] = list = [];
            }

            list.Add(entry);
        }

        return byImage;
    }

    private static void ReadRepositories(ref Utf8JsonReader reader, Dictionary<string, Dictionary<string, string>> repositories, string path, string? only)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (only is not null && !reader.ValueTextEquals(only))
            {
                CheckRepository(ref reader, path);
                continue;
            }

            var name = reader.GetString()!;
            reader.Read();
            var references = new Dictionary<string, string>(StringComparer.Ordinal);
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var key = reader.GetString()!;
                    reader.Read();
                    references[key] = reader.TokenType switch
                    {
                        JsonTokenType.String => reader.GetString()!,
                        JsonTokenType.Null => string.Empty,
                        _ => throw new CorruptFileException(path, $"the image ID of {DockerIds.Printable(name)}:{DockerIds.Printable(key)} should be a string, found {reader.TokenType}"),
                    };
                }
            }
            else if (reader.TokenType != JsonTokenType.Null)
            {
                throw new CorruptFileException(path, $"repository '{DockerIds.Printable(name)}' should be an object, found {reader.TokenType}");
            }

            // A repeated repository key replaces the earlier one entirely, as Go's map decoding does.
            repositories[name] = references;
        }
    }

    /// <summary>
    /// Checks a repository that is not kept exactly as <see cref="ReadRepositories"/> would read it, allocating nothing
    /// unless a name is escaped (decoding it may fail, and must fail the same way) or the shape is wrong.
    /// </summary>
    private static void CheckRepository(ref Utf8JsonReader reader, string path)
    {
        Decode(ref reader);
        var nameReader = reader;
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                Decode(ref reader);
                var keyReader = reader;
                reader.Read();
                switch (reader.TokenType)
                {
                    case JsonTokenType.String:
                        Decode(ref reader);
                        break;
                    case JsonTokenType.Null:
                        break;
                    default:
                        throw new CorruptFileException(path,
                            $"the image ID of {DockerIds.Printable(nameReader.GetString()!)}:{DockerIds.Printable(keyReader.GetString()!)} should be a string, found {reader.TokenType}");
                }
            }
        }
        else if (reader.TokenType != JsonTokenType.Null)
        {
            throw new CorruptFileException(path, $"repository '{DockerIds.Printable(nameReader.GetString()!)}' should be an object, found {reader.TokenType}");
        }

        static void Decode(ref Utf8JsonReader reader)
        {
            if (reader.ValueIsEscaped)
            {
                _ = reader.GetString();
            }
        }
    }
}

using System.Collections.Concurrent;

namespace Docker.Aufs.IO;

/// <summary>
/// Metadata recorded per path, for in-memory roots: import and the Testing package's builder record the owner, mode,
/// inode, link target and device numbers of everything they write, because an in-memory file system cannot hold them.
/// Paths without a record fall through to an inner provider.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public sealed class RecordedMetadataProvider : IUnixMetadataProvider, IExtendedAttributeReader
{
    private readonly ConcurrentDictionary<string, UnixFileStatus> _records = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Path, string Name), byte[]> _attributes = new();
    private readonly IUnixMetadataProvider? _fallback;

    /// <summary>Initializes a new instance.</summary>
    /// <param name="fallback">The provider asked for paths without a record, or <see langword="null"/> for none.</param>
    public RecordedMetadataProvider(IUnixMetadataProvider? fallback = null)
    {
        _fallback = fallback;
    }

    /// <summary>Gets the number of recorded paths.</summary>
    public int Count => _records.Count;

    /// <summary>Records (or replaces) the status of <paramref name="path"/>.</summary>
    /// <param name="path">A full path.</param>
    /// <param name="status">Its status.</param>
    public void Record(string path, UnixFileStatus status)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(status);
        _records[path] = status;
    }

    /// <summary>
    /// Records (or replaces) an extended attribute of <paramref name="path"/>, such as <c>trusted.overlay.opaque</c> on an
    /// overlay layer's opaque directory. Attributes of paths with records and none recorded are absent.
    /// </summary>
    /// <param name="path">A full path.</param>
    /// <param name="name">The attribute's full name.</param>
    /// <param name="value">Its value.</param>
    public void RecordAttribute(string path, string name, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        _attributes[(path, name)] = value;
    }

    /// <summary>Forgets the record of <paramref name="path"/>, if any.</summary>
    /// <param name="path">A full path.</param>
    /// <returns>Whether a record was removed.</returns>
    public bool Forget(string path) => _records.TryRemove(path, out _);

    /// <summary>Gets the record of <paramref name="path"/> itself (never the fallback's answer).</summary>
    internal bool TryGetRecorded(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UnixFileStatus? status) =>
        _records.TryGetValue(path, out status);

    /// <summary>The extended attributes recorded for <paramref name="path"/>, by name.</summary>
    internal IEnumerable<(string Name, byte[] Value)> RecordedAttributes(string path) =>
        _attributes.Where(a => a.Key.Path == path).Select(a => (a.Key.Name, a.Value)).OrderBy(a => a.Name, StringComparer.Ordinal);

    /// <summary>Forgets an extended attribute of <paramref name="path"/> (a copy that lost it), if recorded.</summary>
    /// <returns>Whether an attribute was removed.</returns>
    internal bool ForgetAttribute(string path, string name) => _attributes.TryRemove((path, name), out _);

    /// <summary>Returns a provider whose records under <paramref name="from"/> are moved under <paramref name="to"/> (for a tree that was renamed).</summary>
    internal RecordedMetadataProvider Rebase(string from, string to)
    {
        var rebased = new RecordedMetadataProvider(_fallback);
        foreach (var (path, status) in _records)
        {
            var moved = path == from ? to
                : path.StartsWith(from + "/", StringComparison.Ordinal) ? to + path[from.Length..]
                : path;
            rebased._records[moved] = status;
        }

        foreach (var ((path, name), value) in _attributes)
        {
            var moved = path == from ? to
                : path.StartsWith(from + "/", StringComparison.Ordinal) ? to + path[from.Length..]
                : path;
            rebased._attributes[(moved, name)] = value;
        }

        return rebased;
    }

    /// <inheritdoc/>
    public bool TryGetStatus(string path, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out UnixFileStatus? status)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (_records.TryGetValue(path, out status))
        {
            return true;
        }

        status = null;
        return _fallback is not null && _fallback.TryGetStatus(path, out status);
    }

    /// <inheritdoc/>
    AttributeAnswer IExtendedAttributeReader.TryGetAttribute(string path, string name, out byte[]? value)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(name);
        if (_attributes.TryGetValue((path, name), out value))
        {
            return AttributeAnswer.Present;
        }

        if (_records.ContainsKey(path))
        {
            return AttributeAnswer.Absent; // what was recorded is the whole truth about the entry
        }

        value = null;
        return _fallback is IExtendedAttributeReader reader ? reader.TryGetAttribute(path, name, out value) : AttributeAnswer.Unknown;
    }
}

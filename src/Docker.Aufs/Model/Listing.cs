using System.Collections;

namespace Docker.Aufs;

/// <summary>
/// What <see cref="IDockerRoot.GetImages"/> and <see cref="IDockerRoot.GetContainers"/> return: the entries that could be
/// read, and, in <see cref="Unreadable"/>, each part of the root this process was not allowed to read (a root-owned copy
/// read by another user), which the listing skipped instead of failing. A caller tells a partial listing from a complete
/// one by <see cref="IsComplete"/>: <c>if (root.GetImages() is Listing&lt;ImageSummary&gt; { IsComplete: false } partial)</c>.
/// </summary>
/// <typeparam name="T">The entry type.</typeparam>
/// <remarks>
/// Entries skipped because their data is damaged are not counted here: they are logged, as Docker's own listings skip
/// them; fsck reports them. Each unreadable part is also logged once as a warning.
/// </remarks>
/// <threadsafety static="true" instance="true"/>
public sealed class Listing<T> : IReadOnlyList<T>
{
    private readonly IReadOnlyList<T> _items;

    /// <summary>Initializes a listing.</summary>
    /// <param name="items">The entries read.</param>
    /// <param name="unreadable">The parts of the root that could not be read (<see cref="FindingCodes.Unreadable"/> findings); empty for a complete listing.</param>
    public Listing(IReadOnlyList<T> items, IReadOnlyList<FsckFinding> unreadable)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(unreadable);
        _items = items;
        Unreadable = unreadable;
    }

    /// <summary>
    /// Gets each part of the root this process may not read, as an <see cref="FindingCodes.Unreadable"/> finding: the path
    /// refused, its mode and owner and what the listing lost (<see cref="FsckFinding.Message"/>), and the access that would
    /// fix it (<see cref="FsckFinding.Hint"/>).
    /// </summary>
    public IReadOnlyList<FsckFinding> Unreadable { get; }

    /// <summary>Gets whether every part of the root the listing needed could be read.</summary>
    public bool IsComplete => Unreadable.Count == 0;

    /// <inheritdoc/>
    public int Count => _items.Count;

    /// <inheritdoc/>
    public T this[int index] => _items[index];

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

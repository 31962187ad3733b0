using System.Collections;

namespace Docker.Aufs;

/// <summary>
/// A read-only list whose items are computed on first use, once, by whichever thread asks first (the others wait for the
/// same result; an exception is kept and thrown to every caller, as <see cref="Lazy{T}"/> keeps it). For a part of a
/// result that costs more to read than the rest and that most callers never look at.
/// </summary>
/// <typeparam name="T">The item type.</typeparam>
/// <threadsafety static="true" instance="true"/>
internal sealed class DeferredList<T>(Func<IReadOnlyList<T>> compute) : IReadOnlyList<T>
{
    private readonly Lazy<IReadOnlyList<T>> _items = new(compute, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <inheritdoc/>
    public int Count => _items.Value.Count;

    /// <inheritdoc/>
    public T this[int index] => _items.Value[index];

    /// <inheritdoc/>
    public IEnumerator<T> GetEnumerator() => _items.Value.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

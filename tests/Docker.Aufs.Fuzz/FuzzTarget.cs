using Docker.Aufs.Fuzz.Targets;

namespace Docker.Aufs.Fuzz;

/// <summary>
/// One parser under fuzz: writes the input where the parser reads it (an in-memory root) and calls the public API.
/// Documented library exceptions are expected and swallowed; anything else escapes, and the fuzzer reports it as a crash.
/// </summary>
internal abstract class FuzzTarget
{
    private bool _prepared;
    private Exception? _swallowed;

    /// <summary>Gets every target, in the order <c>eng/fuzz.sh all</c> runs them.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new ImageJsonTarget(),
        new RepositoriesTarget(),
        new AufsLayersTarget(),
        new TarSplitTarget(gzipInput: false),
        new TarSplitTarget(gzipInput: true),
        new ReferenceTarget(),
        new ContainerConfigTarget(),
        new SaveArchiveTarget(),
        new CasRecordsTarget(layerRecord: false),
        new CasRecordsTarget(layerRecord: true),
    ];

    /// <summary>Gets the name given on the command line; also the corpus folder's name.</summary>
    public abstract string Name { get; }

    /// <summary>Gets what the target feeds the input to.</summary>
    public abstract string Description { get; }

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    public static byte[] ReadAll(Stream stream)
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>Builds what every run reuses (the in-memory root), once, before the first input.</summary>
    public void Prepare()
    {
        if (!_prepared)
        {
            Setup();
            _prepared = true;
        }
    }

    /// <summary>Runs one input.</summary>
    /// <returns>The first documented exception a step threw and that was swallowed, or <see langword="null"/>.</returns>
    public Exception? Run(byte[] input)
    {
        Prepare();
        _swallowed = null;
        Execute(input);
        return _swallowed;
    }

    protected abstract void Setup();

    protected abstract void Execute(byte[] input);

    /// <summary>Whether a step's exception is documented for bad data: the library's own family by default.</summary>
    protected virtual bool IsExpected(Exception exception) => exception is DockerAufsException;

    /// <summary>Runs one call of the API; an expected exception is swallowed (the next step still runs) and gives <see langword="default"/>.</summary>
    protected T? Step<T>(Func<T> call)
    {
        try
        {
            return call();
        }
        catch (Exception e) when (IsExpected(e))
        {
            _swallowed ??= e;
            return default;
        }
    }

    /// <summary>Runs one call and describes its outcome (the result, or the expected exception's type), for differential checks.</summary>
    protected string Outcome(Func<string> call)
    {
        try
        {
            return "= " + call();
        }
        catch (Exception e) when (IsExpected(e))
        {
            _swallowed ??= e;
            return "! " + e.GetType().Name;
        }
    }
}

/// <summary>Two ways of reading the same data disagree: a bug, though nothing threw.</summary>
internal sealed class FuzzFindingException(string message) : Exception(message);

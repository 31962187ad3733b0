namespace Docker.Aufs.Formats;

/// <summary>
/// A user's image reference split the way Docker 1.9 splits it (<c>parsers.ParseRepositoryTag</c>), with the repository
/// name normalized the way Docker 1.9 keys its tag store (<c>registry.NormalizeLocalName</c>).
/// </summary>
/// <remarks>
/// <para><c>name@ref</c> splits at the <c>@</c>; otherwise the text after the last <c>:</c> is the tag unless it holds a
/// <c>/</c> (so <c>localhost:5000/foo</c> has no tag). No tag means <c>latest</c>.</para>
/// <para>Normalization: a first path component containing <c>.</c> or <c>:</c>, or equal to <c>localhost</c>, names a
/// registry (<c>index.docker.io</c> becomes <c>docker.io</c>); for Docker Hub the key is the remote name without a leading
/// <c>library/</c>; other registries keep <c>host[:port]/remote</c>. A name that fails Docker's validation (upper case, a
/// 64-hex name, a scheme) is used unchanged.</para>
/// </remarks>
/// <threadsafety static="true" instance="true"/>
internal sealed record ImageReference
{
    /// <summary>The tag Docker uses when a reference names none.</summary>
    public const string DefaultTag = "latest";

    private const string OfficialIndex = "docker.io";

    private ImageReference(string original, string repository, string? reference)
    {
        Original = original;
        Repository = repository;
        ExplicitReference = reference;
        LocalName = NormalizeLocalName(repository);
    }

    /// <summary>Gets the reference exactly as given.</summary>
    public string Original { get; }

    /// <summary>Gets the repository part as given (before normalization).</summary>
    public string Repository { get; }

    /// <summary>Gets the repository name as the tag store keys it (after normalization).</summary>
    public string LocalName { get; }

    /// <summary>Gets the tag or digest the reference names explicitly, or <see langword="null"/> when it names none.</summary>
    public string? ExplicitReference { get; }

    /// <summary>Gets the tag or digest to look up: <see cref="ExplicitReference"/>, or <c>latest</c>.</summary>
    public string TagOrDigest => string.IsNullOrEmpty(ExplicitReference) ? DefaultTag : ExplicitReference;

    /// <summary>Gets whether <see cref="TagOrDigest"/> is a digest (it contains a <c>:</c>, which tags never do).</summary>
    public bool IsDigest => IsDigestReference(TagOrDigest);

    /// <summary>Splits a reference as Docker 1.9's <c>ParseRepositoryTag</c> does. Never fails: any string is a reference.</summary>
    /// <param name="reference">The reference as the user typed it.</param>
    /// <returns>The parsed reference.</returns>
    public static ImageReference Parse(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        var at = reference.IndexOf('@', StringComparison.Ordinal);
        if (at >= 0)
        {
            // Go's strings.Split(repos, "@") then parts[1]: the text between the first and a second '@'.
            var rest = reference[(at + 1)..];
            var second = rest.IndexOf('@', StringComparison.Ordinal);
            return new ImageReference(reference, reference[..at], second >= 0 ? rest[..second] : rest);
        }

        var colon = reference.LastIndexOf(':');
        if (colon >= 0)
        {
            var tag = reference[(colon + 1)..];
            if (!tag.Contains('/', StringComparison.Ordinal))
            {
                return new ImageReference(reference, reference[..colon], tag);
            }
        }

        return new ImageReference(reference, reference, null);
    }

    /// <summary>Returns whether a tag-store key is a digest (<c>algorithm:hex</c>) rather than a tag.</summary>
    /// <param name="reference">A tag or digest.</param>
    /// <returns><see langword="true"/> when it contains a <c>:</c>.</returns>
    public static bool IsDigestReference(string reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return reference.Contains(':', StringComparison.Ordinal);
    }

    /// <summary>Formats <c>repo:tag</c> or <c>repo@digest</c>, as Docker's <c>utils.ImageReference</c>.</summary>
    /// <param name="repository">The repository name.</param>
    /// <param name="reference">A tag or digest.</param>
    /// <returns>The display form.</returns>
    public static string Format(string repository, string reference)
    {
        ArgumentNullException.ThrowIfNull(repository);
        ArgumentNullException.ThrowIfNull(reference);
        return IsDigestReference(reference) ? $"{repository}@{reference}" : $"{repository}:{reference}";
    }

    /// <summary>Normalizes a repository name the way Docker 1.5–1.9 keys <c>repositories-&lt;driver&gt;</c>.</summary>
    /// <param name="repository">A repository name, possibly with a registry host and <c>library/</c>.</param>
    /// <returns>The tag-store key, or the input unchanged when Docker's validation rejects it.</returns>
    public static string NormalizeLocalName(string repository)
    {
        ArgumentNullException.ThrowIfNull(repository);
        if (repository.Contains("://", StringComparison.Ordinal))
        {
            return repository;
        }

        var (index, remote) = SplitReposName(repository);
        if (index == "index." + OfficialIndex)
        {
            index = OfficialIndex;
        }

        if (index.StartsWith('-') || index.EndsWith('-') || !IsValidRemoteName(remote))
        {
            return repository;
        }

        if (index == OfficialIndex)
        {
            return remote.StartsWith("library/", StringComparison.Ordinal) ? remote["library/".Length..] : remote;
        }

        return index + "/" + remote;
    }

    private static (string Index, string Remote) SplitReposName(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (OfficialIndex, name);
        }

        var first = name[..slash];
        return first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost"
            ? (first, name[(slash + 1)..])
            : (OfficialIndex, name);
    }

    // Docker 1.9 validateRemoteName: a single component must not be a 64-hex ID; then distribution's
    // ValidateRepositoryName: at most 255 characters of components [a-z0-9]+([._-][a-z0-9]+)* joined by '/'.
    private static bool IsValidRemoteName(string remote)
    {
        if (!remote.Contains('/', StringComparison.Ordinal) && DockerIds.IsId(remote))
        {
            return false;
        }

        if (remote.Length is 0 or > 255)
        {
            return false;
        }

        foreach (var range in remote.AsSpan().Split('/'))
        {
            if (!IsValidComponent(remote.AsSpan()[range]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidComponent(ReadOnlySpan<char> component)
    {
        if (component.IsEmpty || !IsAlnum(component[0]) || !IsAlnum(component[^1]))
        {
            return false;
        }

        for (var i = 1; i < component.Length; i++)
        {
            var c = component[i];
            if (IsAlnum(c))
            {
                continue;
            }

            if (c is not ('.' or '_' or '-') || !IsAlnum(component[i - 1]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsAlnum(char c) => c is (>= 'a' and <= 'z') or (>= '0' and <= '9');
}

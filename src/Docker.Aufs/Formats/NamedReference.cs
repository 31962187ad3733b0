using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace Docker.Aufs.Formats;

/// <summary>
/// An image reference as Docker 1.10 and later parse it (the docker/distribution <c>reference</c> package,
/// <c>ParseNormalizedNamed</c>; docs/format/content-addressed.md §8.1): a registry domain, a path, and a tag and/or a
/// digest. <c>busybox</c>, <c>library/busybox</c>, <c>docker.io/library/busybox</c> and <c>index.docker.io/busybox</c>
/// are the same name; the reference store keys it in its familiar form, <c>busybox</c>.
/// </summary>
/// <param name="Domain">The registry domain (<c>docker.io</c> for Docker Hub), with its port.</param>
/// <param name="RepositoryPath">The repository path inside the registry (<c>library/busybox</c>).</param>
/// <param name="Tag">The tag, or <see langword="null"/>.</param>
/// <param name="Digest">The digest (<c>sha256:…</c>), or <see langword="null"/>.</param>
internal sealed partial record NamedReference(string Domain, string RepositoryPath, string? Tag, string? Digest)
{
    /// <summary>Docker Hub's domain in normalized names.</summary>
    public const string DefaultDomain = "docker.io";

    /// <summary>The tag a reference without tag or digest gets.</summary>
    public const string DefaultTag = "latest";

    /// <summary>The longest name (domain and path) the grammar allows.</summary>
    public const int MaxNameLength = 255;

    private const string LegacyDefaultDomain = "index.docker.io";
    private const string OfficialRepository = "library";

    /// <summary>Gets the full name: <c>docker.io/library/busybox</c>.</summary>
    public string Name => Domain + "/" + RepositoryPath;

    /// <summary>Gets the familiar name, the reference store's repository key: <c>busybox</c>, <c>user/app</c>, <c>host:5000/app</c>.</summary>
    public string FamiliarName
    {
        get
        {
            if (Domain != DefaultDomain)
            {
                return Name;
            }

            var path = RepositoryPath;
            var slash = path.IndexOf('/', StringComparison.Ordinal);
            return slash == OfficialRepository.Length && path.StartsWith(OfficialRepository + "/", StringComparison.Ordinal) && path.IndexOf('/', slash + 1) < 0
                ? path[(slash + 1)..]
                : path;
        }
    }

    /// <summary>Gets the familiar form of the whole reference, the reference store's inner key: <c>busybox:latest</c>, <c>busybox@sha256:…</c>.</summary>
    public string FamiliarString => FamiliarName + Suffix;

    /// <summary>Gets whether the reference has a tag.</summary>
    [MemberNotNullWhen(true, nameof(Tag))]
    public bool IsTagged => Tag is not null;

    /// <summary>Gets whether the reference has a digest.</summary>
    [MemberNotNullWhen(true, nameof(Digest))]
    public bool IsDigested => Digest is not null;

    private string Suffix => (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);

    /// <summary>The reference as the reference store looks it up: the digest alone when there is one, else the tag (<c>latest</c> when none).</summary>
    public NamedReference ForLookup() => IsDigested ? this with { Tag = null } : IsTagged ? this : this with { Tag = DefaultTag };

    /// <summary>The full form: <c>docker.io/library/busybox:latest</c>.</summary>
    public override string ToString() => Name + Suffix;

    /// <summary>Parses a reference as <c>ParseNormalizedNamed</c> does.</summary>
    /// <param name="value">What the user typed, or a key of the reference store.</param>
    /// <param name="reference">The reference, when it parses.</param>
    /// <param name="problem">Why it does not, in the words of the Go package, when it does not.</param>
    /// <returns>Whether it parses.</returns>
    public static bool TryParse(string value, [NotNullWhen(true)] out NamedReference? reference, [NotNullWhen(false)] out string? problem)
    {
        ArgumentNullException.ThrowIfNull(value);
        reference = null;
        if (value.Length == DockerIds.Length && DockerIds.IsId(value))
        {
            problem = $"invalid repository name ({value}), cannot specify 64-byte hexadecimal strings";
            return false;
        }

        var (domain, remainder) = SplitDomain(value);
        var tagSeparator = remainder.IndexOf(':', StringComparison.Ordinal);
        var remoteName = tagSeparator >= 0 ? remainder[..tagSeparator] : remainder;
        if (!remoteName.Equals(remoteName.ToLowerInvariant(), StringComparison.Ordinal))
        {
            problem = "invalid reference format: repository name must be lowercase";
            return false;
        }

        var match = Reference().Match(domain + "/" + remainder);
        if (!match.Success)
        {
            problem = "invalid reference format";
            return false;
        }

        var name = match.Groups["name"].Value;
        if (name.Length > MaxNameLength)
        {
            problem = $"repository name must not be more than {MaxNameLength} characters";
            return false;
        }

        string? digest = null;
        if (match.Groups["digest"].Success)
        {
            digest = match.Groups["digest"].Value;
            if (Digests.Problem(digest) is { } digestProblem)
            {
                problem = digestProblem;
                return false;
            }
        }

        // The grammar's optional domain always takes the first component here, since a domain was put in front.
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        reference = new NamedReference(name[..slash], name[(slash + 1)..], match.Groups["tag"].Success ? match.Groups["tag"].Value : null, digest);
        problem = null;
        return true;
    }

    /// <summary>Whether <paramref name="tag"/> is a valid tag: <c>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}</c>.</summary>
    public static bool IsTag(string tag) => TagPattern().IsMatch(tag);

    /// <summary>Whether <paramref name="component"/> is a valid path component: lowercase letters and digits joined by <c>.</c>, <c>_</c>, <c>__</c> or dashes.</summary>
    public static bool IsPathComponent(string component) => PathComponentPattern().IsMatch(component);

    /// <summary>Whether <paramref name="domain"/> is a valid registry domain, with an optional port.</summary>
    public static bool IsDomain(string domain) => DomainPattern().IsMatch(domain);

    /// <summary>
    /// Splits the registry domain off a name as <c>splitDockerDomain</c> does: the first component is a domain when it has
    /// a <c>.</c> or <c>:</c> or is <c>localhost</c>; otherwise Docker Hub, where a single component gets <c>library/</c>.
    /// </summary>
    private static (string Domain, string Remainder) SplitDomain(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        string domain, remainder;
        if (slash < 0 || (name.AsSpan(0, slash).IndexOfAny('.', ':') < 0 && name[..slash] != "localhost"))
        {
            (domain, remainder) = (DefaultDomain, name);
        }
        else
        {
            (domain, remainder) = (name[..slash], name[(slash + 1)..]);
        }

        if (domain == LegacyDefaultDomain)
        {
            domain = DefaultDomain;
        }

        if (domain == DefaultDomain && !remainder.Contains('/', StringComparison.Ordinal))
        {
            remainder = OfficialRepository + "/" + remainder;
        }

        return (domain, remainder);
    }

    // The grammar of docker/distribution reference/regexp.go: domain components, path components, tag, digest.
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string DomainExpression = DomainComponent + @"(?:\." + DomainComponent + ")*(?::[0-9]+)?";
    private const string PathComponent = "[a-z0-9]+(?:(?:[._]|__|[-]*)[a-z0-9]+)*";
    private const string TagExpression = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
    private const string DigestExpression = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}";

    [GeneratedRegex("^(?<name>(?:" + DomainExpression + "/)?" + PathComponent + "(?:/" + PathComponent + ")*)(?::(?<tag>" + TagExpression + "))?(?:@(?<digest>" + DigestExpression + "))?\\z", RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Reference();

    [GeneratedRegex("^" + TagExpression + @"\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagPattern();

    [GeneratedRegex("^" + PathComponent + @"\z", RegexOptions.CultureInvariant)]
    private static partial Regex PathComponentPattern();

    [GeneratedRegex("^" + DomainExpression + @"\z", RegexOptions.CultureInvariant)]
    private static partial Regex DomainPattern();
}

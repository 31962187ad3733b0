namespace Docker.Aufs.Testing;

/// <summary>The JSON formatting of <c>graph/&lt;id&gt;/json</c>, which changed between Docker versions.</summary>
public enum ImageJsonStyle
{
    /// <summary><c>json.Marshal</c> output without a trailing newline, as Docker ≤ 1.3 and ≥ 1.8.3 wrote it.</summary>
    Marshal,

    /// <summary><c>json.Encoder</c> output with a trailing newline, as Docker 1.4–1.8.2 wrote it.</summary>
    Encoder,
}

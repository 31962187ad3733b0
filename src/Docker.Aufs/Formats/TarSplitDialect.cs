namespace Docker.Aufs;

/// <summary>
/// The three JSON dialects of tar-split's <c>tar-data.json.gz</c> that Docker wrote (docs/format/graph-era.md §9.4): they differ in which
/// keys are emitted; all three describe the same tar and reassemble identically. Import and the Testing package's builder
/// write any of them; the readers read all three.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public enum TarSplitDialect
{
    /// <summary>
    /// tar-split v0.9.4 (Docker 1.8.0–1.8.1): malformed struct tags, so <c>name</c> and <c>size</c> are always written,
    /// even on segments (<c>"name":"","size":0</c>); non-UTF-8 names are lost (written as U+FFFD).
    /// </summary>
    Version094,

    /// <summary>tar-split v0.9.6 (Docker 1.8.2–1.8.3): <c>name</c> and <c>size</c> omitted when empty; duplicate names rejected.</summary>
    Version096,

    /// <summary>tar-split v0.9.10 (Docker 1.9.x): as v0.9.6, and a name that is not UTF-8 goes to <c>name_raw</c> (base64).</summary>
    Version0910,
}

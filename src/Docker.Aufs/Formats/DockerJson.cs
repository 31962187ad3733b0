using System.Text.Json;

namespace Docker.Aufs;

/// <summary>
/// Reads a JSON file of a Docker root the way Docker's Go code read it, for callers that want a document of their own
/// (the raw <see cref="Image.Config"/> or <see cref="Container.Config"/>): only the first value counts, invalid UTF-8 and
/// invalid surrogate escapes read as U+FFFD, and the nesting limit is the one every reader of the library uses.
/// </summary>
/// <threadsafety static="true" instance="true"/>
public static class DockerJson
{
    /// <summary>Gets the deepest nesting of arrays and objects any reader of the library accepts.</summary>
    public static int MaxDepth => Formats.GoJson.MaxDepth;

    /// <summary>Parses the first JSON value of <paramref name="json"/> as Go's <c>encoding/json</c> decodes it.</summary>
    /// <param name="json">The file's bytes.</param>
    /// <param name="source">The file the bytes came from, named by the exception.</param>
    /// <returns>The document; the caller disposes it.</returns>
    /// <exception cref="CorruptFileException">The data is empty, not JSON, or nested deeper than <see cref="MaxDepth"/>.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is <see langword="null"/>.</exception>
    public static JsonDocument Parse(ReadOnlyMemory<byte> json, string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var value = Formats.GoJson.FirstValue(json, source);
        var reader = Formats.GoJson.Reader(value.Span);
        try
        {
            return JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new CorruptFileException(source, $"not valid JSON ({Formats.GoJson.Describe(e)})", e);
        }
    }
}

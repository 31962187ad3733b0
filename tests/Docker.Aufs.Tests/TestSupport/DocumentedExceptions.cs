namespace Docker.Aufs.Tests.TestSupport;

/// <summary>
/// The exceptions a public operation may throw over a damaged or crafted root (docs/hostile-input.md, "The promises"):
/// the library's own <see cref="DockerAufsException"/> family and the I/O kinds it names. Anything else — a
/// <see cref="NullReferenceException"/>, a <see cref="System.Text.Json.JsonException"/>, an
/// <see cref="ArgumentException"/> from a path built out of bad data — is a bug.
/// </summary>
internal static class DocumentedExceptions
{
    /// <summary>Gets the I/O exception types the promises name besides the library's own family.</summary>
    public static IReadOnlyList<Type> IoTypes { get; } =
        [typeof(FileNotFoundException), typeof(DirectoryNotFoundException), typeof(SymbolicLinkLoopException), typeof(IOException)];

    /// <summary>
    /// Whether <paramref name="exception"/> is one the promises allow: a <see cref="DockerAufsException"/>, or exactly one of
    /// <see cref="IoTypes"/> (an <see cref="IOException"/> subclass not named there, such as <see cref="PathTooLongException"/>
    /// or <see cref="EndOfStreamException"/>, is not).
    /// </summary>
    public static bool IsDocumented(Exception exception) =>
        exception is DockerAufsException || IoTypes.Contains(exception.GetType());

    /// <summary>
    /// Whether <paramref name="exception"/> is one fsck may throw: it reports damage as findings, and refuses only a root it
    /// cannot open (<see cref="NotADockerRootException"/>; <see cref="UnsafePathException"/> for a link at <c>graph/</c> or
    /// the driver's directories; the operating system's I/O failures).
    /// </summary>
    public static bool IsDocumentedForFsck(Exception exception) =>
        exception is NotADockerRootException or UnsafePathException || IoTypes.Contains(exception.GetType());

    /// <summary>One line for a failure message: type, message and the first frames of the stack.</summary>
    public static string Describe(Exception exception)
    {
        var frames = (exception.StackTrace ?? string.Empty).Split('\n', StringSplitOptions.RemoveEmptyEntries).Take(8).Select(f => "    " + f.Trim());
        var inner = exception.InnerException is { } e ? $"\n  inner: {e.GetType().FullName}: {e.Message}" : string.Empty;
        return $"{exception.GetType().FullName}: {exception.Message}{inner}\n{string.Join('\n', frames)}";
    }
}

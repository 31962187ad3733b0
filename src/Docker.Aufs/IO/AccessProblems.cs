using System.Runtime.Versioning;

namespace Docker.Aufs.IO;

/// <summary>
/// Turns the operating system's refusal to read a part of a root (<c>EACCES</c>: a root-owned copy read by another user)
/// into one line that names the refused file or directory — the first one on the way that this process may not search
/// or read — with its mode and owner, and says what access would fix it (<see cref="PathAccessDeniedException"/>).
/// </summary>
internal static class AccessProblems
{
    /// <summary>Whether <paramref name="e"/> is the operating system refusing access (not a missing file, not bad data).</summary>
    public static bool IsDenied(Exception e) => e is UnauthorizedAccessException || (e is IOException { HResult: 13 }) /* EACCES */;

    /// <summary>
    /// Describes a refusal met while reading <paramref name="path"/> (or the path the error itself names, when it names one
    /// in the root): on the real file system the first directory on the way that cannot be searched, or the file or
    /// directory itself that cannot be read, with its mode and owner.
    /// </summary>
    public static PathAccessDeniedException Describe(IUnixMetadataProvider metadata, string root, string path, Exception e)
    {
        if (e is PathAccessDeniedException described)
        {
            return described;
        }

        var named = PathIn(e.Message, root) ?? path;
        var refused = OperatingSystem.IsLinux() && metadata is LinuxMetadataProvider ? FirstRefused(named) ?? named : named;
        int? mode = null;
        string? owner = null;
        try
        {
            if (metadata.TryGetStatus(refused, out var status))
            {
                mode = status.Permissions;
                owner = OwnerName(metadata, status.Uid);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Not even its mode can be seen: the line says so by leaving it out.
        }

        return new PathAccessDeniedException(refused, Shown(root, refused), mode, owner, e);
    }

    /// <summary>
    /// On the real file system, what keeps this process from <paramref name="path"/> (a directory on the way it may not
    /// search, or the path itself it may not read), described; <see langword="null"/> when nothing refuses, or on any other file system.
    /// </summary>
    public static PathAccessDeniedException? Refusal(IUnixMetadataProvider metadata, string root, string path) =>
        OperatingSystem.IsLinux() && metadata is LinuxMetadataProvider && FirstRefused(path) is { } refused
            ? Describe(metadata, root, refused, new UnauthorizedAccessException($"Access to the path '{refused}' is denied."))
            : null;

    /// <summary>A path as messages show it: relative to the root when it lies in the root.</summary>
    public static string Shown(string root, string path)
    {
        var trimmed = root.Length > 1 ? root.TrimEnd('/') : root;
        return path.Length > trimmed.Length + 1 && path.StartsWith(trimmed, StringComparison.Ordinal) && path[trimmed.Length] == '/'
            ? path[(trimmed.Length + 1)..]
            : path;
    }

    /// <summary>The path an error message names in the root: <c>Access to the path '…' is denied.</c>, <c>statx(…) failed</c>.</summary>
    /// <summary>
    /// Whether <paramref name="message"/> names an absolute path, and none in <paramref name="root"/>: a refusal met writing an
    /// output or reading a user's archive, which the root's probe must not describe as the root being unreadable.
    /// </summary>
    public static bool NamesOnlyPathsOutside(string message, string root) =>
        PathIn(message, root) is null && (message.Contains(" /", StringComparison.Ordinal) || message.Contains("'/", StringComparison.Ordinal) ||
            message.Contains("(/", StringComparison.Ordinal) || message.Contains("\"/", StringComparison.Ordinal));

    private static string? PathIn(string message, string root)
    {
        var trimmed = root.Length > 1 ? root.TrimEnd('/') : root;
        var start = message.IndexOf(trimmed, StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var end = message.IndexOfAny(['\'', ')', '"'], start);
        var candidate = end < 0 ? message[start..] : message[start..end];
        return candidate.Length == trimmed.Length || candidate[trimmed.Length] == '/' ? candidate : null;
    }

    /// <summary>The first directory on the way to <paramref name="path"/> that cannot be searched, or the path itself when it cannot be read; <see langword="null"/> when nothing refuses.</summary>
    [SupportedOSPlatform("linux")]
    private static string? FirstRefused(string path)
    {
        if (!path.StartsWith('/'))
        {
            return null;
        }

        for (var slash = path.IndexOf('/', 1); ; slash = path.IndexOf('/', slash + 1))
        {
            var last = slash < 0;
            var prefix = last ? path : path[..slash];
            if (prefix.Length > 0)
            {
                var need = last ? LinuxNative.AccessRead : LinuxNative.AccessSearch;
                var error = LinuxNative.AccessError(prefix, need);
                if (error == 0 && last && LinuxNative.AccessError(prefix, LinuxNative.AccessSearch) is LinuxNative.ErrnoAccess && IsDirectory(prefix))
                {
                    error = LinuxNative.ErrnoAccess; // a directory that can be listed but not entered is unreadable too
                }

                if (error == LinuxNative.ErrnoAccess)
                {
                    return prefix;
                }

                if (error != 0)
                {
                    return null;
                }
            }

            if (last)
            {
                return null;
            }
        }
    }

    [SupportedOSPlatform("linux")]
    private static bool IsDirectory(string path) =>
        LinuxMetadataProvider.Instance.TryGetStatus(path, out var status) && status.Type == UnixFileType.Directory;

    private static string OwnerName(IUnixMetadataProvider metadata, int uid) =>
        OperatingSystem.IsLinux() && metadata is LinuxMetadataProvider && LinuxNative.UserName(uid) is { } name ? name : uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

using Docker.Aufs.IO;

namespace Docker.Aufs.Union;

/// <summary>Resolving callers' paths inside the image, name by name, through the lookup cache.</summary>
public sealed partial class UnionView
{
    internal Located Require(string path, bool followSymbolicLinks)
    {
        ArgumentNullException.ThrowIfNull(path);
        var status = Resolve(path, followSymbolicLinks, out var located, out var failure);
        if (status == Lookup.Found)
        {
            return located!;
        }

        var shown = Display(path) + (path.Length > 1 && path.EndsWith('/') ? "/" : string.Empty);
        if (status == Lookup.NotADirectory)
        {
            var what = failure.At is { } at ? $"{ImagePath.Display(at.Entry.Path)} is a {Describe(at.Entry.Type)}" : "a component on the way is not a directory";
            throw new IOException($"{shown}: not a directory in the image ({what}{Through(failure.Link)})");
        }

        if (failure.Link is { } dangling)
        {
            throw new FileNotFoundException(
                $"{shown}: no such file or directory in the image: the symbolic link {ImagePath.Display(dangling.Path)} points to {Quote(dangling.LinkTarget)}, which does not exist in the image",
                shown);
        }

        throw new FileNotFoundException($"{shown}: no such file or directory in the image", shown);

        static string Through(UnionEntry? link) =>
            link is null ? string.Empty : $", reached through the symbolic link {ImagePath.Display(link.Path)} -> {Quote(link.LinkTarget)}";

        static string Quote(string? target) => string.IsNullOrEmpty(target) ? "an empty target" : target;
    }

    internal Located RequireDirectory(string path)
    {
        var located = Require(path, followSymbolicLinks: true);
        return located.Run is not null ? located : throw new IOException($"{Display(path)}: not a directory (it is a {Describe(located.Entry.Type)})");
    }

    /// <inheritdoc cref="Resolve(string, bool, out Located?, out Failure)"/>
    internal Lookup Resolve(string path, bool followFinal, out Located? result) => Resolve(path, followFinal, out result, out _);

    /// <summary>
    /// Resolves a caller's path inside the image as the kernel's path walk does (<c>path_lookupat</c>), following links in
    /// the middle (and at the end when asked), with the image root as the root and as the floor of <c>..</c>:
    /// <list type="bullet">
    /// <item>every component after the first, <c>.</c> and <c>..</c> included, is looked up in what the previous ones
    /// named, which must be a directory (or a link to one): otherwise <see cref="Lookup.NotADirectory"/> (ENOTDIR), so
    /// <c>/etc/passwd/.</c> and <c>/etc/passwd/../passwd</c> fail as they do on Linux;</item>
    /// <item>a trailing slash requires a directory, following a final link as the kernel does (<c>link/</c>): it is read
    /// as a final <c>.</c>; a link's target is read the same way;</item>
    /// <item>a name that is not there is <see cref="Lookup.NotFound"/> (ENOENT), and so is an empty link target.</item>
    /// </list>
    /// </summary>
    /// <param name="path">The caller's path, absolute or relative to the image root.</param>
    /// <param name="followFinal">Whether a link at the end of the path is followed (<c>stat</c>) rather than returned (<c>lstat</c>).</param>
    /// <param name="result">The entry found.</param>
    /// <param name="failure">When not found: the entry that is not a directory, or the link whose target is not there.</param>
    /// <exception cref="SymbolicLinkLoopException">More than <see cref="MaxSymbolicLinks"/> links are met.</exception>
    internal Lookup Resolve(string path, bool followFinal, out Located? result, out Failure failure)
    {
        // Components still to walk, last on the bottom; each knows the link whose target it came from (null: the caller's).
        var pending = new Stack<(string Part, UnionEntry? From)>();
        PushComponents(pending, path, from: null);
        var stack = new List<Located> { _root };
        var links = 0;
        result = null;
        failure = default;
        while (pending.Count > 0)
        {
            var (part, from) = pending.Pop();
            var current = stack[^1];
            if (current.Run is null)
            {
                failure = new Failure(current, from);
                return Lookup.NotADirectory; // a component after a non-directory, '.' and '..' included
            }

            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (stack.Count > 1)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                continue;
            }

            var child = CachedLookupChild(current, part);
            if (child is null)
            {
                failure = new Failure(null, from);
                return Lookup.NotFound;
            }

            if (child.Entry.Type == UnixFileType.SymbolicLink && (pending.Count > 0 || followFinal))
            {
                if (++links > MaxSymbolicLinks)
                {
                    throw new SymbolicLinkLoopException(string.Join('/', ImagePath.Split(path)), child.Entry.Path);
                }

                var target = child.Entry.LinkTarget;
                if (string.IsNullOrEmpty(target))
                {
                    failure = new Failure(null, child.Entry);
                    return Lookup.NotFound; // Linux: an empty link target is ENOENT
                }

                if (target[0] == '/')
                {
                    stack.RemoveRange(1, stack.Count - 1);
                }

                PushComponents(pending, target, child.Entry);
                continue;
            }

            stack.Add(child);
        }

        result = stack[^1];
        return Lookup.Found;
    }

    /// <summary>Pushes a path's components (last first): empty ones dropped, <c>.</c> kept, a trailing slash read as a final <c>.</c>.</summary>
    private static void PushComponents(Stack<(string Part, UnionEntry? From)> pending, string path, UnionEntry? from)
    {
        var parts = new List<string>();
        foreach (var range in path.AsSpan().Split('/'))
        {
            var part = path.AsSpan()[range];
            if (!part.IsEmpty)
            {
                parts.Add(part.ToString());
            }
        }

        if (parts.Count > 0 && path.EndsWith('/'))
        {
            parts.Add(".");
        }

        for (var i = parts.Count - 1; i >= 0; i--)
        {
            pending.Push((parts[i], from));
        }
    }

    /// <summary>Why a path was not found: the entry met where a directory was needed, and the link whose target led there (or was not there).</summary>
    internal readonly record struct Failure(Located? At, UnionEntry? Link);

    /// <summary>
    /// <see cref="LookupChild"/> through the view's lookup cache. A directory's path inside the image determines its branch
    /// run, so the image path of the child is a complete key.
    /// </summary>
    private Located? CachedLookupChild(Located directory, string name)
    {
        var key = ImagePath.Combine(directory.Entry.Path, name);
        if (_lookups.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var found = LookupChild(directory, name, key);
        var cost = key.Length + (found is null ? 0 : found.Entry.SourcePath.Length + (2 * (found.Run?.Length ?? 0))); // the entry's path is the key
        if (cost > LookupCacheBudget / 16)
        {
            return found; // one huge entry would crowd out everything else
        }

        if (Interlocked.Increment(ref _lookupCount) > LookupCacheCapacity || Interlocked.Add(ref _lookupCost, cost) > LookupCacheBudget)
        {
            // Start over. Concurrent adders may slip a few entries past the reset: the bound is approximate by that much.
            _lookups.Clear();
            Interlocked.Exchange(ref _lookupCount, 1);
            Interlocked.Exchange(ref _lookupCost, cost);
        }

        _lookups.TryAdd(key, found);
        return found;
    }

    /// <summary>Looks one name up in a directory of the image, branch by branch, as AUFS's lookup does; <paramref name="path"/> is the child's image path.</summary>
    private Located? LookupChild(Located directory, string name, string path)
    {
        if (name.StartsWith(ImagePath.WhiteoutPrefix, StringComparison.Ordinal))
        {
            return null; // whiteouts and AUFS metadata are never visible
        }

        UnionEntry? found = null;
        List<int>? run = null;
        foreach (var b in directory.Run!)
        {
            var fact = _tables[b].Child(Metadata, directory.Entry.Path, name, path);
            if (fact.WhitedOut)
            {
                break; // hidden in this branch and every lower one
            }

            if (fact.Status is not { } status)
            {
                continue;
            }

            if (found is null)
            {
                found = MakeEntry(path, status, b, ImagePath.InBranch(_branches[b].Path, path));
                if (status.Type != UnixFileType.Directory)
                {
                    break; // a non-directory hides everything below it
                }

                run = [b];
            }
            else if (status.Type == UnixFileType.Directory)
            {
                run!.Add(b);
            }
            else
            {
                continue; // another type below a directory: AUFS treats it as absent
            }

            if (fact.Opaque)
            {
                break;
            }
        }

        return found is null ? null : new Located(found, run?.ToArray());
    }

    internal enum Lookup
    {
        Found,
        NotFound,
        NotADirectory,
    }

    /// <summary>An entry and, for a directory, the branches (indices, top first) where it is a directory.</summary>
    internal sealed record Located(UnionEntry Entry, int[]? Run);
}

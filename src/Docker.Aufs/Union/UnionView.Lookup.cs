using Docker.Aufs.IO;

namespace Docker.Aufs.Union;

/// <summary>Resolving callers' paths inside the image, name by name, through the lookup cache.</summary>
public sealed partial class UnionView
{
    internal Located Require(string path, bool followSymbolicLinks)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Resolve(path, followSymbolicLinks, out var located) switch
        {
            Lookup.Found => located!,
            Lookup.NotADirectory => throw new IOException($"{Display(path)}: not a directory (a component on the way is not a directory in the image)"),
            _ => throw new FileNotFoundException($"{Display(path)}: no such file or directory in the image", Display(path)),
        };
    }

    internal Located RequireDirectory(string path)
    {
        var located = Require(path, followSymbolicLinks: true);
        return located.Run is not null ? located : throw new IOException($"{Display(path)}: not a directory (it is a {Describe(located.Entry.Type)})");
    }

    /// <summary>Resolves a caller's path inside the image, following links in the middle (and at the end when asked).</summary>
    internal Lookup Resolve(string path, bool followFinal, out Located? result)
    {
        var pending = new Stack<string>();
        var parts = ImagePath.Split(path);
        for (var i = parts.Count - 1; i >= 0; i--)
        {
            pending.Push(parts[i]);
        }

        var stack = new List<Located> { _root };
        var links = 0;
        result = null;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == "..")
            {
                if (stack.Count > 1)
                {
                    stack.RemoveAt(stack.Count - 1);
                }

                continue;
            }

            var current = stack[^1];
            if (current.Run is null)
            {
                return Lookup.NotADirectory;
            }

            var child = CachedLookupChild(current, part);
            if (child is null)
            {
                return Lookup.NotFound;
            }

            if (child.Entry.Type == UnixFileType.SymbolicLink && (pending.Count > 0 || followFinal))
            {
                if (++links > MaxSymbolicLinks)
                {
                    throw new SymbolicLinkLoopException(string.Join('/', parts), child.Entry.Path);
                }

                var target = child.Entry.LinkTarget;
                if (string.IsNullOrEmpty(target))
                {
                    return Lookup.NotFound; // Linux: an empty link target is ENOENT
                }

                if (target[0] == '/')
                {
                    stack.RemoveRange(1, stack.Count - 1);
                }

                var targetParts = ImagePath.Split(target);
                for (var i = targetParts.Count - 1; i >= 0; i--)
                {
                    pending.Push(targetParts[i]);
                }

                continue;
            }

            stack.Add(child);
        }

        result = stack[^1];
        return Lookup.Found;
    }

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

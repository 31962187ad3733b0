using System.CommandLine;
using Docker.Aufs.Archive;
using Docker.Aufs.Cli.Output;
using Docker.Aufs.Union;

namespace Docker.Aufs.Cli.Commands;

/// <summary>
/// <c>docker-aufs cp REF:PATH DEST</c>: a file or directory of a container or image copied out, with docker cp's rules for
/// the destination (docs/cookbook.md), or as a tar on standard output with <c>-</c>.
/// </summary>
internal static class CpCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var source = new Argument<string>("REF:PATH") { Description = "A container (ID, name or unique prefix) or an image (name[:tag], ID), a colon, and a path inside it (name:tag:/path works for images)" };
        source.Validators.Add(result =>
        {
            foreach (var token in result.Tokens.Where(t => !string.IsNullOrWhiteSpace(t.Value) && TrySplit(t.Value) is null))
            {
                result.AddError($"'{token.Value}' is not REF:PATH: give a container or image, a colon, and a path inside it (e.g. web:/etc/nginx)");
            }

            // The REF part follows the same grammar as every REF (ValueRules): busybox::/etc names an empty tag.
            foreach (var token in result.Tokens)
            {
                if (TrySplit(token.Value) is { } split && ValueRules.EmptyPart(split.Reference) is { } part)
                {
                    result.AddError($"{ValueRules.Printable(split.Reference)} is not a valid reference: its {part} is empty (name[:tag], name@digest, or an ID)");
                }
            }
        });
        var destination = new Argument<string>("DEST") { Description = "Where to copy: an existing directory (copied into it), a path to create, or - for a tar on standard output" };
        var follow = new Option<bool>("--follow-link", "-L") { Description = "Always follow a symbolic link at the end of PATH (inside the image); without it the link itself is copied" };
        var archive = new Option<bool>("--archive", "-a") { Description = "Archive mode: keep the recorded owners (uid:gid); each file whose owner cannot be set (not root) is reported and the exit code is 1. Without it, files belong to the user running cp, as with docker cp" };
        var layer = ViewReference.LayerOption();
        var volumes = ViewSource.VolumesOption();
        var command = new Command("cp", "Copy a file or directory out of a container or image, as docker cp does: modes, times, symbolic links as links, hardlinks kept; '-' writes a tar") { source, destination, follow, archive, layer, volumes };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var (reference, path) = TrySplit(session.Value(source)!)!.Value;
            var root = session.OpenRoot();
            var view = ViewSource.Open(session, root, reference, session.Value(layer), session.Value(volumes));
            var at = view.Locate(path);
            var contentsOnly = path == "." || path.EndsWith("/.", StringComparison.Ordinal);
            var entry = at.View.GetEntry(at.Path, followSymbolicLinks: session.Value(follow) || path.EndsWith('/') || contentsOnly);
            var name = entry.IsDirectory && at.Mount is not null && at.Path.Length == 0 ? ImagePath.NameOf(at.Prefix) : ImagePath.NameOf(entry.Path);
            if (name.Length == 0)
            {
                contentsOnly = true; // the root has no name: its content is copied
            }

            IEnumerable<ArchiveMember> Members(string prefix)
            {
                if (prefix.Length > 0)
                {
                    yield return new ArchiveMember(prefix, entry); // with SRC/. into a new directory, the directory is made from SRC
                }

                if (entry.IsDirectory)
                {
                    var start = at.InContainer(entry);
                    foreach (var (child, childPath) in view.EnumerateRecursive(at, entry))
                    {
                        var relative = start.Length == 0 ? childPath : childPath[(start.Length + 1)..];
                        yield return new ArchiveMember(prefix.Length == 0 ? relative : prefix + "/" + relative, child);
                    }
                }
            }

            var archiver = new ImageArchiver(root, session.LoggerFactory);
            var dest = session.Value(destination)!;
            if (dest == "-")
            {
                var target = OutputTarget.Resolve(session, "-", root.FileSystem, root.Path);
                using var stream = target.OpenStream();
                archiver.ExportMembers(Members(contentsOnly ? string.Empty : name), stream, session.Environment.Cancellation);
                stream.Flush();
                return CliApp.Success;
            }

            var (directory, memberName) = Destination(session, dest, entry, name, contentsOnly);
            var result = archiver.CopyTo(Members(memberName), session.Environment.FileSystem, directory, session.Value(archive), session.Environment.Cancellation);
            foreach (var line in result.NotCopied)
            {
                session.Environment.Error.WriteEscapedLine($"not copied: {line}");
            }

            foreach (var line in result.OwnersNotKept)
            {
                session.Environment.Error.WriteEscapedLine($"{line}");
            }

            if (session.Json)
            {
                JsonOutput.Write(session.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("destination", session.Environment.FileSystem.Path.Combine(directory, memberName));
                    w.WriteNumber("entries", result.Entries);
                    w.WriteNumber("notCopied", result.NotCopied.Count);
                    w.WriteNumber("ownersNotKept", result.OwnersNotKept.Count);
                    w.WriteEndObject();
                });
            }

            return result.OwnersNotKept.Count > 0 ? CliApp.Failure : CliApp.Success;
        }));
        return command;
    }

    /// <summary>Splits <c>REF:PATH</c>: at the first <c>:/</c> (an absolute path), else at the last colon (a path relative to the root); <see langword="null"/> when either part is empty.</summary>
    internal static (string Reference, string Path)? TrySplit(string value)
    {
        var at = value.IndexOf(":/", StringComparison.Ordinal);
        if (at < 0)
        {
            at = value.LastIndexOf(':');
        }

        return at <= 0 || at == value.Length - 1 ? null : (value[..at], value[(at + 1)..]);
    }

    /// <summary>
    /// docker cp's rules for a local destination (moby <c>pkg/archive/copy.go</c> <c>CopyInfoDestinationPath</c>): an existing
    /// directory receives SRC under its name (its content with <c>SRC/.</c>); a missing path is created (a directory's copy)
    /// or written (a file's) when its parent exists; a file cannot replace a directory, a directory cannot replace a file,
    /// and a path ending in <c>/</c> must be a directory.
    /// </summary>
    private static (string Directory, string Name) Destination(Session session, string dest, UnionEntry entry, string name, bool contentsOnly)
    {
        var fs = session.Environment.FileSystem;
        var full = Docker.Aufs.IO.OutputGuard.FullPath(fs, dest);
        var isDirectory = fs.Directory.Exists(full);
        var exists = isDirectory || fs.File.Exists(full);
        var slash = dest.EndsWith('/');
        if (isDirectory)
        {
            return contentsOnly ? (full, string.Empty) : (full, name);
        }

        if (exists)
        {
            if (entry.IsDirectory)
            {
                throw new IOException($"cannot copy a directory to a file: {full} is not a directory");
            }

            if (slash)
            {
                throw new IOException($"{dest}: not a directory");
            }

            return (fs.Path.GetDirectoryName(full)!, fs.Path.GetFileName(full));
        }

        if (slash && !entry.IsDirectory)
        {
            throw new IOException($"{dest}: no such directory (a destination ending in '/' must be an existing directory)");
        }

        var parent = fs.Path.GetDirectoryName(full.TrimEnd('/'))!;
        if (!fs.Directory.Exists(parent))
        {
            throw new IOException($"{parent}: no such directory (docker cp creates only the last component of DEST)");
        }

        return (parent, fs.Path.GetFileName(full.TrimEnd('/')));
    }
}

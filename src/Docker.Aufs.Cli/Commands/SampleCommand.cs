using System.CommandLine;
using Docker.Aufs.Testing;
using Docker.Aufs.Cli.Output;

namespace Docker.Aufs.Cli.Commands;

/// <summary><c>docker-aufs sample DIR</c>: writes the built-in sample root to disk.</summary>
internal static class SampleCommand
{
    public static Command Create(GlobalOptions options, CliEnvironment environment)
    {
        var directory = new Argument<string>("DIR") { Description = "Where to write the root: a new or empty directory" };
        var command = new Command("sample", "Write the built-in sample root (busybox and redis on an AUFS host; graph era unless --store content-addressed; on overlay, overlay2 or vfs with --driver) to DIR") { directory };
        command.SetAction(parse => CliApp.Execute(parse, options, environment, session =>
        {
            var fs = session.Environment.FileSystem;
            var target = Docker.Aufs.IO.OutputGuard.FullPath(fs, session.Value(directory)!);
            var (rootFileSystem, rootPath) = session.ProtectedRoot();
            Docker.Aufs.IO.OutputGuard.CheckDirectory(fs, target, rootFileSystem, rootPath);
            if (fs.File.Exists(target) || (fs.Directory.Exists(target) && fs.Directory.EnumerateFileSystemEntries(target).Any()))
            {
                throw new IOException($"{target} already exists and is not an empty directory; the sample is only written to a new or empty one");
            }

            // Built in memory at its final path first (its containers record absolute paths), then copied to disk entry by
            // entry with the cancellation checked before each: a signal leaves DIR as it was (docs/hostile-input.md, "Outputs").
            var memory = new System.IO.Abstractions.TestingHelpers.MockFileSystem();
            var builder = session.SampleBuilder(memory, target, Docker.Aufs.IO.SpecialFileMode.Recorded);
            if (builder.Driver is "overlay2" or "overlay" && fs is System.IO.Abstractions.FileSystem && System.Environment.UserName != "root")
            {
                throw new NotSupportedException($"writing the {builder.Driver} sample to disk needs root: its whiteouts are character devices, which only root can create");
            }

            var written = SampleRoots.Write(builder);
            var cancellation = session.Environment.Cancellation;
            WriteOrNothing(fs, target, () => RootCopy.Copy(memory, written.Metadata, fs, target, cancellation), cancellation);
            if (session.Json)
            {
                JsonOutput.Write(session.Out, w =>
                {
                    w.WriteStartObject();
                    w.WriteString("path", written.Path);
                    w.WriteNumber("layers", written.LayerIds.Count);
                    w.WriteStartArray("images");
                    w.WriteStringValue("busybox:latest");
                    w.WriteStringValue("redis:latest");
                    w.WriteEndArray();
                    w.WriteEndObject();
                });
            }
            else
            {
                session.Out.WriteEscapedLine($"Wrote the sample root to {written.Path}: busybox:latest and redis:latest, {written.LayerIds.Count} layers.");
                session.Out.WriteEscapedLine($"Try: docker-aufs --root {written.Path} images");
            }

            return CliApp.Success;
        }));
        return command;
    }

    /// <summary>
    /// Writes the sample in place through <paramref name="copy"/> and commits it (<see cref="Docker.Aufs.IO.PendingOutputs.Commit"/>:
    /// the last cancellation check, one decision with a stop), or removes what it wrote: a new directory goes, an empty one
    /// is emptied again. Until the commit the target is registered with <see cref="Docker.Aufs.IO.PendingOutputs"/>, so the
    /// process's own removal after a signal (the 0.5 s deadline) leaves it as the user gave it too.
    /// </summary>
    private static void WriteOrNothing(System.IO.Abstractions.IFileSystem fs, string target, Action copy, CancellationToken cancellationToken)
    {
        var existed = fs.Directory.Exists(target);
        if (existed)
        {
            Docker.Aufs.IO.PendingOutputs.AddContents(fs, target);
        }
        else
        {
            Docker.Aufs.IO.PendingOutputs.Add(fs, target, isDirectory: true);
        }

        try
        {
            if (!existed)
            {
                Docker.Aufs.IO.PendingOutputs.Step(() => CreateTarget(fs, target), cancellationToken);
            }

            copy();
            Docker.Aufs.IO.PendingOutputs.Commit(target, target, () => { }, cancellationToken);
        }
        catch
        {
            try
            {
                if (!existed)
                {
                    if (fs.Directory.Exists(target))
                    {
                        fs.Directory.Delete(target, recursive: true);
                    }
                }
                else
                {
                    Docker.Aufs.IO.PendingOutputs.DeleteContents(fs, target);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the write's own failure is what the user needs to see.
            }

            Docker.Aufs.IO.PendingOutputs.Remove(target);
            throw;
        }
    }

    /// <summary>Creates DIR, or says in one line why it cannot be (not the runtime's message: <c>/proc/x</c> gave "Could not find file").</summary>
    private static void CreateTarget(System.IO.Abstractions.IFileSystem fs, string target)
    {
        try
        {
            fs.Directory.CreateDirectory(target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var parent = fs.Path.GetDirectoryName(target);
            var why = e is UnauthorizedAccessException ? "permission denied"
                : parent is not null && !fs.Directory.Exists(parent) ? $"{parent} is not a directory that exists"
                : "the file system refuses a new directory there (read-only, or a kernel file system such as /proc or /sys)";
            throw new IOException($"cannot create {target}: {why}", e);
        }
    }
}

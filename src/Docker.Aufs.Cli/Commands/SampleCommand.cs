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

            var builder = session.SampleBuilder(fs, target, Docker.Aufs.IO.SpecialFileMode.Auto);
            if (builder.Driver is "overlay2" or "overlay" && fs is System.IO.Abstractions.FileSystem && System.Environment.UserName != "root")
            {
                throw new NotSupportedException($"writing the {builder.Driver} sample to disk needs root: its whiteouts are character devices, which only root can create");
            }

            var written = WriteOrNothing(fs, target, () => SampleRoots.Write(builder));
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
    /// Writes the sample in place (its containers record absolute paths under the root's final name, so it cannot be built
    /// under a temporary one and renamed), and removes what it wrote when the write fails: a new directory goes, an empty
    /// one is emptied again. A new directory is registered for removal should a signal stop the process first.
    /// </summary>
    private static T WriteOrNothing<T>(System.IO.Abstractions.IFileSystem fs, string target, Func<T> write)
    {
        var existed = fs.Directory.Exists(target);
        if (!existed)
        {
            Docker.Aufs.IO.PendingOutputs.Add(fs, target, isDirectory: true);
        }

        try
        {
            return write();
        }
        catch
        {
            try
            {
                if (!existed)
                {
                    fs.Directory.Delete(target, recursive: true);
                }
                else
                {
                    foreach (var entry in fs.Directory.EnumerateFileSystemEntries(target))
                    {
                        if (fs.Directory.Exists(entry) && fs.FileInfo.New(entry).LinkTarget is null)
                        {
                            fs.Directory.Delete(entry, recursive: true);
                        }
                        else
                        {
                            fs.File.Delete(entry);
                        }
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the write's own failure is what the user needs to see.
            }

            throw;
        }
        finally
        {
            Docker.Aufs.IO.PendingOutputs.Remove(target);
        }
    }
}

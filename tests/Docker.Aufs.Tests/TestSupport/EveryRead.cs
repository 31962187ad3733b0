using System.IO.Abstractions;
using Docker.Aufs.Archive;
using Docker.Aufs.Union;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>
/// Every read operation of the library and of the CLI, run over every image, layer and container of a root: what the
/// read-only guarantee and the concurrency tests drive. Outputs (saves, layer tars) go to a directory outside the root,
/// on <c>outputFileSystem</c> when given.
/// </summary>
internal static class EveryRead
{
    /// <summary>Runs every library read over the root and returns a digest of what was read, for comparisons.</summary>
    public static string Library(IFileSystem fileSystem, string rootPath, DockerRootOptions? options, IFileSystem? outputFileSystem, string outputDirectory) =>
        Library(DockerRoot.Open(fileSystem, rootPath, options), options, outputFileSystem, outputDirectory);

    /// <summary>Runs every library read over an opened root (which may be shared by concurrent callers).</summary>
    public static string Library(IDockerRoot root, DockerRootOptions? options, IFileSystem? outputFileSystem, string outputDirectory)
    {
        var output = new List<string>();
        var fileSystem = root.FileSystem;
        var token = TestContext.Current.CancellationToken;
        var layerTar = new ArchiveOptions { OutputFileSystem = outputFileSystem };
        var save = new ArchiveOptions { OutputFileSystem = outputFileSystem };

        output.AddRange(root.Graph().Repositories.Entries.Select(e => $"{e.DisplayName} {e.ImageId}"));
        var images = root.GetImages();
        output.AddRange(images.Select(i => $"{i.Id} {i.Size} {i.VirtualSize} {string.Join(',', i.RepoTags)} {string.Join(',', i.RepoDigests)}"));
        foreach (var image in images)
        {
            output.Add(root.ResolveImage(image.Id[..12]).Id);
            output.AddRange(root.ResolveImage(image.RepoTags.Count > 0 ? image.RepoTags[0] : image.Id).Layers.Select(l => $"{l.Id} {l.Size} {l.ContentPath}"));
            output.AddRange(root.ResolveImage(image.Id).History.Select(h => $"{h.Id} {h.Created} {h.CreatedBy} {h.Size}"));
            output.Add(View(root.OpenImage(image.Id)));
            output.AddRange(new ImageArchiver(root).ComputeDigests(image.Id, cancellationToken: token).Layers.Select(l => $"{l.Id} {l.DiffId} {l.ChainId} {l.Source}"));
        }

        foreach (var id in root.Graph().GetImageIds())
        {
            output.Add(root.Graph().ReadLayer(id).GetJsonValue().ToString());
            output.Add(string.Join(',', root.AufsDriver()!.ReadLayerFile(id).Ancestors));
            output.Add(string.Join(',', root.OpenLayer(id).GetChanges()));
            output.Add(new ImageArchiver(root).WriteLayerTar(id, Stream.Null, cancellationToken: token).DiffId);
            output.Add(new ImageArchiver(root).WriteLayerTar(id, Stream.Null, new ArchiveOptions { Source = LayerSource.Regenerated }, cancellationToken: token).DiffId);
        }

        foreach (var container in root.GetContainers())
        {
            output.Add($"{container.Id} {container.Name} {container.ImageId} {container.State.Status}");
            output.Add(root.ResolveContainer(container.Name).Id);
            output.Add(View(root.OpenContainer(container.Id)));
            output.Add(string.Join(',', root.OpenContainer(container.Id).GetChanges()));
        }

        var ids = images.Select(i => i.Id).ToArray();
        if (ids.Length > 0)
        {
            var files = outputFileSystem ?? fileSystem;
            files.Directory.CreateDirectory(outputDirectory);
            var n = 0;
            foreach (var format in new[] { ArchiveFormat.DockerArchive, ArchiveFormat.Oci, ArchiveFormat.OciDirectory })
            {
                foreach (var gzip in new[] { false, true })
                {
                    var path = files.Path.Combine(outputDirectory, $"save-{n++}");
                    output.Add(new ImageArchiver(root).Save(ids, path, save with { Format = format, Gzip = gzip }, cancellationToken: token).Images.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            output.Add(new ImageArchiver(root).ExportLayerTar(root.Graph().GetImageIds()[0], files.Path.Combine(outputDirectory, "layer.tar"), layerTar, cancellationToken: token).DiffId);
        }

        Assert.Throws<ImageNotFoundException>(() => root.ResolveImage("no-such-image"));
        var report = RootChecker.Check(fileSystem, root.Path, options, cancellationToken: token);
        output.AddRange(report.Findings.Select(f => $"{f.Code} {f.Path}"));
        return string.Join('\n', output);
    }

    /// <summary>Lists a view recursively, reads every regular file through it and flattens it: a digest of all of it.</summary>
    public static string View(UnionView view)
    {
        var lines = new List<string>();
        var buffer = new byte[16 * 1024];
        foreach (var entry in view.EnumerateRecursive())
        {
            long sum = 0;
            if (entry.Type == IO.UnixFileType.RegularFile)
            {
                using var stream = view.OpenEntry(entry);
                int read;
                while ((read = stream.Read(buffer)) > 0)
                {
                    for (var i = 0; i < read; i++)
                    {
                        sum += buffer[i];
                    }
                }
            }

            lines.Add($"{entry.Path} {entry.Type} {entry.Size} {entry.LinkTarget} {entry.LayerId} {sum}");
        }

        lines.Add(view.WriteTar(Stream.Null, TestContext.Current.CancellationToken).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return string.Join('\n', lines);
    }

    /// <summary>Every read command of the CLI over the built-in sample layout, with outputs under <paramref name="outputDirectory"/>.</summary>
    public static IEnumerable<string[]> CliCommands(string outputDirectory)
    {
        var redis = Docker.Aufs.Testing.SampleRoots.RedisId;
        var layer = Docker.Aufs.Testing.SampleRoots.RedisLayers[^1];
        string Out(string name) => outputDirectory + "/" + name;
        return
        [
            ["images"], ["images", "--json", "--digests"],
            ["layers", "redis"], ["layers", "redis", "--json"],
            ["history", "busybox"], ["history", "busybox", "--json"],
            ["inspect", "redis"], ["inspect", redis[..4], "--json"],
            ["containers"], ["containers", "--json"],
            ["ls", "redis"], ["ls", "redis", "/usr/local/bin", "--json"], ["ls", "redis-cache", "-R"], ["ls", layer, "--layer", "-R"],
            ["cat", "redis", "/etc/os-release"], ["cat", "redis", "/etc/passwd"],
            ["diff", "redis-cache"], ["diff", "redis-cache", "--json"],
            ["export", "redis", "-o", Out("flat.tar")], ["export", "redis-cache", "-o", Out("container.tar")],
            ["save", "redis", "busybox", "-o", Out("save.tar")], ["save", "redis", "-o", Out("oci.tar"), "--format", "oci", "--gzip"],
            ["save", "busybox", "-o", Out("oci-dir"), "--format", "oci-dir"],
            ["layer-tar", layer, "-o", Out("layer.tar")],
            ["digest", "redis", "--json"], ["digest", "busybox"],
            ["fsck"], ["fsck", "--json"], ["fsck", "--quick"],
            ["layers", "no-such-image"], ["cat", "redis", "/no/such/file"],
        ];
    }
}

using System.Formats.Tar;
using System.IO.Abstractions;
using System.IO.Abstractions.TestingHelpers;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Docker.Aufs.Archive;
using Docker.Aufs.Testing;
using Docker.Aufs.Tests.TestSupport;
using Docker.Aufs.IO;

namespace Docker.Aufs.Tests.Archive;

public sealed class ImageExporterTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    internal static (MockFileSystem Fs, IDockerRoot Root) Sample()
    {
        var fs = new MockFileSystem();
        var root = SampleRoots.Write(fs, "/r", SpecialFileMode.Recorded).Open();
        fs.AddDirectory("/out");
        return (fs, root);
    }

    /// <summary>Two images sharing their base, the base holding a hardlink, a symlink and a whiteout-free tree.</summary>
    internal static (MockFileSystem Fs, IDockerRoot Root, string Base, string App, string Tool) Shared()
    {
        var fs = new MockFileSystem();
        var builder = new DockerRootBuilder(fs, "/r", SpecialFileMode.Recorded);
        var baseId = builder.AddLayer(l => l.CreatedBy("#(nop) ADD file:base in /").File("bin/sh", "#!sh", mode: "0755").Hardlink("bin/ash", "bin/sh").Symlink("bin/dash", "sh"));
        var app = builder.AddLayer(l => l.Parent(baseId).CreatedBy("echo app > /app").File("app", "app\n"));
        var tool = builder.AddLayer(l => l.Parent(baseId).CreatedBy("echo tool > /tool").File("tool", "tool\n").Whiteout("bin/dash"));
        builder.Tag("app:1", app).Tag("app:latest", app).Tag("tool:1", tool).Tag("UPPER:1", tool);
        var root = builder.Build().Open();
        fs.AddDirectory("/out");
        return (fs, root, baseId, app, tool);
    }

    internal static Dictionary<string, byte[]> Members(byte[] tar)
    {
        using var reader = new TarReader(new MemoryStream(tar));
        var members = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            using var content = new MemoryStream();
            entry.DataStream?.CopyTo(content);
            Assert.True(members.TryAdd(entry.Name, content.ToArray()), $"{entry.Name} is in the archive twice");
        }

        return members;
    }

    private static string Sha(byte[] data) => "sha256:" + Convert.ToHexStringLower(SHA256.HashData(data));

    [Fact]
    public void Save_DockerArchive_HasManifestConfigLayersAndTheLegacyEntries()
    {
        var (fs, root, baseId, app, tool) = Shared();
        var result = new ImageArchiver(root).Save(["app:1", "tool", "UPPER:1"], "/out/images.tar", cancellationToken: Token);

        var members = Members(fs.File.ReadAllBytes("/out/images.tar"));
        var manifest = JsonDocument.Parse(members["manifest.json"]).RootElement;
        Assert.Equal(2, manifest.GetArrayLength());
        var appEntry = manifest[0];
        Assert.Equal(["app:1"], appEntry.GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal([baseId + "/layer.tar", app + "/layer.tar"], appEntry.GetProperty("Layers").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(["tool:1"], manifest[1].GetProperty("RepoTags").EnumerateArray().Select(t => t.GetString())); // UPPER:1 is no valid reference today: left out

        var configName = appEntry.GetProperty("Config").GetString()!;
        var config = members[configName];
        Assert.Equal(configName[..^5], Sha(config)[7..]);
        Assert.Equal(result.Images[0].ImageId, Sha(config));
        var diffIds = JsonDocument.Parse(config).RootElement.GetProperty("rootfs").GetProperty("diff_ids").EnumerateArray().Select(d => d.GetString()).ToList();
        Assert.Equal([Sha(members[baseId + "/layer.tar"]), Sha(members[app + "/layer.tar"])], diffIds);

        Assert.Equal("1.0", Encoding.ASCII.GetString(members[app + "/VERSION"]));
        Assert.Equal(root.Graph().ReadLayer(app).GetJsonValue().ToArray(), members[app + "/json"]);
        Assert.Equal($"{{\"app\":{{\"1\":\"{app}\"}},\"tool\":{{\"1\":\"{tool}\"}}}}\n", Encoding.UTF8.GetString(members["repositories"]));
        Assert.Equal(3, members.Keys.Count(k => k.EndsWith("/layer.tar", StringComparison.Ordinal))); // the shared base once
        Assert.Equal(3, result.LayerCount);
    }

    [Fact]
    public void Save_BareRepositoryName_SavesEveryTagOfIt_AndAnIdSavesNone()
    {
        var (fs, root, _, app, tool) = Shared();
        var byName = new ImageArchiver(root).Save(["app"], "/out/a.tar", cancellationToken: Token);
        Assert.Equal(["app:1", "app:latest"], Assert.Single(byName.Images).RepoTags);
        var byId = new ImageArchiver(root).Save([tool[..12]], "/out/b.tar", cancellationToken: Token);
        Assert.Empty(Assert.Single(byId.Images).RepoTags);
        Assert.Equal("null", JsonDocument.Parse(Members(fs.File.ReadAllBytes("/out/b.tar"))["manifest.json"]).RootElement[0].GetProperty("RepoTags").GetRawText());
        Assert.DoesNotContain("repositories", Members(fs.File.ReadAllBytes("/out/b.tar")).Keys);
        Assert.Equal(app, byName.Images[0].SourceId);
    }

    [Fact]
    public void Save_Twice_GivesIdenticalBytes_AndGzipCompressesOnlyTheLayers()
    {
        var (fs, root) = Sample();
        new ImageArchiver(root).Save(["redis", "busybox"], "/out/1.tar", cancellationToken: Token);
        new ImageArchiver(root).Save(["redis", "busybox"], "/out/2.tar", cancellationToken: Token);
        new ImageArchiver(root).Save(["redis", "busybox"], "/out/3.tar", new ArchiveOptions { Gzip = true }, cancellationToken: Token);
        var first = fs.File.ReadAllBytes("/out/1.tar");
        Assert.Equal(first, fs.File.ReadAllBytes("/out/2.tar"));

        var plain = Members(first);
        var gzipped = Members(fs.File.ReadAllBytes("/out/3.tar"));
        Assert.Equal(plain.Keys.Order(StringComparer.Ordinal), gzipped.Keys.Order(StringComparer.Ordinal));
        foreach (var (name, content) in plain)
        {
            if (name.EndsWith("/layer.tar", StringComparison.Ordinal))
            {
                Assert.Equal([0x1F, 0x8B], gzipped[name][..2]);
                using var gunzip = new GZipStream(new MemoryStream(gzipped[name]), CompressionMode.Decompress);
                using var layer = new MemoryStream();
                gunzip.CopyTo(layer);
                Assert.Equal(content, layer.ToArray());
            }
            else
            {
                Assert.Equal(content, gzipped[name]); // manifest, configs, json: the IDs do not change
            }
        }

        Assert.Equal(["/out/1.tar", "/out/2.tar", "/out/3.tar"], fs.Directory.EnumerateFileSystemEntries("/out").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task SaveAsync_WritesTheSameBytesAsSave()
    {
        var (fs, root) = Sample();
        new ImageArchiver(root).Save(["busybox"], "/out/sync.tar", new ArchiveOptions { Format = ArchiveFormat.Oci }, cancellationToken: Token);
        await new ImageArchiver(root).SaveAsync(["busybox"], "/out/async.tar", new ArchiveOptions { Format = ArchiveFormat.Oci }, cancellationToken: Token);
        Assert.Equal(fs.File.ReadAllBytes("/out/sync.tar"), fs.File.ReadAllBytes("/out/async.tar"));
    }

    [Fact]
    public void Save_OciDirectory_IsAValidLayoutWhoseBlobsAreNamedByTheirDigests()
    {
        var (fs, root) = Sample();
        var result = new ImageArchiver(root).Save(["redis:latest"], "/out/oci", new ArchiveOptions { Format = ArchiveFormat.OciDirectory }, cancellationToken: Token);

        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", fs.File.ReadAllText("/out/oci/oci-layout"));
        foreach (var blob in fs.Directory.EnumerateFiles("/out/oci/blobs/sha256"))
        {
            Assert.Equal(fs.Path.GetFileName(blob), Sha(fs.File.ReadAllBytes(blob))[7..]);
        }

        var index = JsonDocument.Parse(fs.File.ReadAllText("/out/oci/index.json")).RootElement;
        var descriptor = Assert.Single(index.GetProperty("manifests").EnumerateArray());
        Assert.Equal("latest", descriptor.GetProperty("annotations").GetProperty("org.opencontainers.image.ref.name").GetString());
        Assert.Equal("docker.io/library/redis:latest", descriptor.GetProperty("annotations").GetProperty("io.containerd.image.name").GetString());
        var manifest = JsonDocument.Parse(fs.File.ReadAllBytes("/out/oci/blobs/sha256/" + descriptor.GetProperty("digest").GetString()![7..])).RootElement;
        Assert.Equal("application/vnd.oci.image.manifest.v1+json", manifest.GetProperty("mediaType").GetString());
        Assert.Equal(result.Images[0].ImageId, manifest.GetProperty("config").GetProperty("digest").GetString());
        var layers = manifest.GetProperty("layers").EnumerateArray().ToList();
        Assert.Equal(16, layers.Count);
        Assert.All(layers, l => Assert.Equal("application/vnd.oci.image.layer.v1.tar", l.GetProperty("mediaType").GetString()));
        Assert.Equal(result.Images[0].Layers.Select(l => l.DiffId), layers.Select(l => l.GetProperty("digest").GetString()));
        // redis has nine empty (#(nop)) layers with the same tar: their blob is stored once.
        Assert.Equal(layers.Select(l => l.GetProperty("digest").GetString()).Distinct().Count() + 2, fs.Directory.EnumerateFiles("/out/oci/blobs/sha256").Count());
    }

    [Fact]
    public void Save_OciGzip_CompressesLayerBlobsButNotTheDiffIds()
    {
        var (fs, root) = Sample();
        var result = new ImageArchiver(root).Save(["busybox"], "/out/oci-gz", new ArchiveOptions { Format = ArchiveFormat.OciDirectory, Gzip = true }, cancellationToken: Token);
        var index = JsonDocument.Parse(fs.File.ReadAllText("/out/oci-gz/index.json")).RootElement;
        var manifest = JsonDocument.Parse(fs.File.ReadAllBytes("/out/oci-gz/blobs/sha256/" + index.GetProperty("manifests")[0].GetProperty("digest").GetString()![7..])).RootElement;
        var layer = manifest.GetProperty("layers")[0];
        Assert.Equal("application/vnd.oci.image.layer.v1.tar+gzip", layer.GetProperty("mediaType").GetString());
        var blob = fs.File.ReadAllBytes("/out/oci-gz/blobs/sha256/" + layer.GetProperty("digest").GetString()![7..]);
        Assert.Equal(blob.Length, layer.GetProperty("size").GetInt64());
        using var gunzip = new GZipStream(new MemoryStream(blob), CompressionMode.Decompress);
        using var tar = new MemoryStream();
        gunzip.CopyTo(tar);
        Assert.Equal(result.Images[0].Layers[0].DiffId, Sha(tar.ToArray()));
        Assert.NotEqual(result.Images[0].Layers[0].DiffId, layer.GetProperty("digest").GetString());
    }

    [Fact]
    public void Save_OciArchive_HoldsTheLayoutWithEveryMemberOnce()
    {
        var (fs, root, _, _, _) = Shared();
        new ImageArchiver(root).Save(["app:1", "tool:1"], "/out/oci.tar", new ArchiveOptions { Format = ArchiveFormat.Oci }, cancellationToken: Token);
        var members = Members(fs.File.ReadAllBytes("/out/oci.tar"));
        Assert.Equal("{\"imageLayoutVersion\":\"1.0.0\"}", Encoding.UTF8.GetString(members["oci-layout"]));
        Assert.Contains("index.json", members.Keys);
        Assert.All(members.Where(m => m.Key.StartsWith("blobs/sha256/", StringComparison.Ordinal) && m.Key.Length > 13), m => Assert.Equal(m.Key[13..], Sha(m.Value)[7..]));
        Assert.Equal(2, JsonDocument.Parse(members["index.json"]).RootElement.GetProperty("manifests").GetArrayLength());
    }

    [Fact]
    public void Save_CancelledMidway_LeavesNothingAndKeepsAnExistingFile()
    {
        var (fs, root) = Sample();
        fs.File.WriteAllText("/out/images.tar", "previous");
        foreach (var format in new[] { ArchiveFormat.DockerArchive, ArchiveFormat.Oci, ArchiveFormat.OciDirectory })
        {
            using var cancel = new CancellationTokenSource();
            var progress = new Progress(p =>
            {
                if (p.LayerNumber == 5)
                {
                    cancel.Cancel();
                }
            });
            var output = format == ArchiveFormat.OciDirectory ? "/out/dir" : "/out/images.tar";
            Assert.ThrowsAny<OperationCanceledException>(() => new ImageArchiver(root).Save(["redis"], output, new ArchiveOptions { Format = format }, progress, cancel.Token));
        }

        Assert.Equal(["/out/images.tar"], fs.Directory.EnumerateFileSystemEntries("/out"));
        Assert.Equal("previous", fs.File.ReadAllText("/out/images.tar"));
    }

    [Fact]
    public void Save_FailingMidway_LeavesNothing()
    {
        var (fs, root) = Sample();
        // The sample's layers have no tar-split data: with TarSplitOnly the first layer fails after the archive was started.
        Assert.Throws<LayerReassemblyException>(() => new ImageArchiver(root).Save(["redis"], "/out/x.tar", new ArchiveOptions { Source = LayerSource.TarSplit }, cancellationToken: Token));
        Assert.Throws<LayerReassemblyException>(() => new ImageArchiver(root).Save(["redis"], "/out/x", new ArchiveOptions { Format = ArchiveFormat.OciDirectory, Source = LayerSource.TarSplit }, cancellationToken: Token));
        Assert.Empty(fs.Directory.EnumerateFileSystemEntries("/out"));
    }

    [Fact]
    public void Save_ReportsProgressLayerByLayerUpToTheTotal()
    {
        var (_, root) = Sample();
        var reports = new List<ArchiveProgress>();
        var result = new ImageArchiver(root).Save(["redis"], "/out/r.tar", progress: new Progress(reports.Add), cancellationToken: Token);
        Assert.Equal(Enumerable.Range(1, 16), reports.Select(r => r.LayerNumber).Distinct());
        Assert.All(reports, r => Assert.Equal(16, r.LayerCount));
        Assert.Equal(reports.Select(r => r.BytesDone).Order(), reports.Select(r => r.BytesDone));
        Assert.Equal(result.Images[0].Layers.Sum(l => l.Size), reports[^1].BytesDone);
        Assert.Equal(1594, reports[0].BytesEstimated);
    }

    [Fact]
    public void Save_OutputToAnotherFileSystem_ReadsTheMockWritesTheDisk()
    {
        using var temp = new TempDirectory();
        var (fs, root) = Sample();
        new ImageArchiver(root).Save(["busybox"], temp.Combine("b.tar"), new ArchiveOptions { OutputFileSystem = new FileSystem() }, cancellationToken: Token);
        Assert.True(File.Exists(temp.Combine("b.tar")));
        Assert.False(fs.File.Exists(temp.Combine("b.tar")));
    }

    [Fact]
    public void Save_NothingOrAnUnknownImage_IsRefusedBeforeWriting()
    {
        var (fs, root) = Sample();
        Assert.Throws<ArgumentException>(() => new ImageArchiver(root).Save([], "/out/x.tar", cancellationToken: Token));
        Assert.Throws<ImageNotFoundException>(() => new ImageArchiver(root).Save(["nope"], "/out/x.tar", cancellationToken: Token));
        Assert.Throws<IOException>(() => new ImageArchiver(root).Save(["busybox"], "/out", cancellationToken: Token));
        Assert.Empty(fs.Directory.EnumerateFileSystemEntries("/out"));
    }

    private sealed class Progress(Action<ArchiveProgress> report) : IProgress<ArchiveProgress>
    {
        public void Report(ArchiveProgress value) => report(value);
    }
}

using System.Formats.Tar;
using System.Globalization;
using System.IO.Abstractions;
using System.Text;
using Docker.Aufs.Testing;

namespace Docker.Aufs.Benchmarks;

/// <summary>What <see cref="CasLayerImage.Generate"/> wrote.</summary>
public sealed record CasLayerImageInfo(string Path, string ImageId, long TarBytes, int Files, int Directories, int Symlinks, int Hardlinks)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"1.10+ root of one image with one layer: {TarBytes / 1048576.0:F0} MiB tar, {Files} files, {Directories} directories, {Symlinks} symbolic links, {Hardlinks} hardlinks");
}

/// <summary>
/// A 1.10+ root (Docker 1.10–23.x, AUFS) of one image whose one layer is big enough for timing a byte-exact save: a ustar
/// tar (what Go's archive/tar writes when names fit) of mixed files — many small text files, medium and a few large binary
/// ones, symbolic links and hardlinks — imported with <see cref="LayerBuilder.FromTar"/>, so the layer record has the
/// tar-split data of that tar and the DiffID is its SHA-256. Tagged <see cref="Reference"/>. Deterministic (seed 20151103).
/// </summary>
public static class CasLayerImage
{
    /// <summary>The tag of the image.</summary>
    public const string Reference = "bench:latest";

    private const int Seed = 20151103;

    /// <summary>Writes the root into <paramref name="path"/> (empty or missing), with a layer of about <paramref name="megabytes"/> MiB.</summary>
    public static CasLayerImageInfo Generate(string path, int megabytes)
    {
        var tarPath = path.TrimEnd('/') + ".layer.tar";
        var (files, directories, symlinks, hardlinks) = WriteTar(tarPath, megabytes);
        try
        {
            var builder = new DockerRootBuilder(new FileSystem(), ImageStoreKind.ContentAddressed, path);
            var id = builder.AddLayer(l => l.CreatedBy("#(nop) ADD file:bench in / ").FromTar(() => File.OpenRead(tarPath), sourceName: "the generated layer tar"));
            builder.Tag(Reference, id);
            builder.Build();
            return new CasLayerImageInfo(path, id, new FileInfo(tarPath).Length, files, directories, symlinks, hardlinks);
        }
        finally
        {
            File.Delete(tarPath);
        }
    }

    private static (int Files, int Directories, int Symlinks, int Hardlinks) WriteTar(string tarPath, int megabytes)
    {
        var random = new Random(Seed);
        var scale = megabytes / 300.0;
        var small = (int)(9000 * scale);
        var medium = (int)(900 * scale);
        var large = Math.Max(1, (int)(8 * scale));
        var time = new DateTimeOffset(2017, 7, 3, 12, 0, 0, TimeSpan.Zero);
        var buffer = new byte[32 << 20];
        var text = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 4096).Select(i => $"line {i}: the quick brown fox jumps over the lazy dog\n")));
        var paths = new List<string>();
        var directories = new HashSet<string>(StringComparer.Ordinal);

        using var stream = File.Create(tarPath);
        using var writer = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: false);

        void AddDirectory(string name)
        {
            if (directories.Add(name))
            {
                writer.WriteEntry(new UstarTarEntry(TarEntryType.Directory, name + "/") { Mode = (UnixFileMode)Convert.ToInt32("755", 8), ModificationTime = time });
            }
        }

        void AddFile(string name, int size, bool binary, string mode)
        {
            Span<byte> data = buffer.AsSpan(0, size);
            if (binary)
            {
                random.NextBytes(data);
            }
            else
            {
                var start = random.Next(text.Length - 1);
                for (var offset = 0; offset < size; offset += text.Length - start, start = 0)
                {
                    text.AsSpan(start, Math.Min(text.Length - start, size - offset)).CopyTo(data[offset..]);
                }
            }

            var entry = new UstarTarEntry(TarEntryType.RegularFile, name)
            {
                Mode = (UnixFileMode)Convert.ToInt32(mode, 8),
                ModificationTime = time,
                DataStream = new MemoryStream(buffer, 0, size, writable: false),
            };
            writer.WriteEntry(entry);
            paths.Add(name);
        }

        string Place(int index, string top)
        {
            // 20 files to a directory, two levels deep under a few top-level trees.
            var directory = string.Create(CultureInfo.InvariantCulture, $"{top}/pkg-{index / 400:D3}/mod-{index / 20 % 20:D2}");
            var parts = directory.Split('/');
            for (var i = 1; i <= parts.Length; i++)
            {
                AddDirectory(string.Join('/', parts[..i]));
            }

            return directory;
        }

        for (var i = 0; i < small; i++)
        {
            AddFile(string.Create(CultureInfo.InvariantCulture, $"{Place(i, "usr/lib/node_modules")}/file-{i:D5}.js"), random.Next(256, 16 << 10), binary: false, "644");
        }

        for (var i = 0; i < medium; i++)
        {
            AddFile(string.Create(CultureInfo.InvariantCulture, $"{Place(i, "usr/lib/python3/site-packages")}/ext-{i:D4}.so"), random.Next(16 << 10, 256 << 10), binary: true, "755");
        }

        for (var i = 0; i < large; i++)
        {
            AddFile(string.Create(CultureInfo.InvariantCulture, $"{Place(i, "opt/app")}/blob-{i}.bin"), random.Next(2 << 20, 26 << 20), binary: true, "644");
        }

        var symlinks = Math.Max(1, small / 50);
        AddDirectory("usr/bin");
        for (var i = 0; i < symlinks; i++)
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, string.Create(CultureInfo.InvariantCulture, $"usr/bin/tool-{i:D4}"))
            {
                LinkName = "../" + paths[random.Next(small)]["usr/".Length..],
                Mode = (UnixFileMode)Convert.ToInt32("777", 8),
                ModificationTime = time,
            });
        }

        var hardlinks = Math.Max(1, small / 200);
        AddDirectory("usr/share");
        AddDirectory("usr/share/doc");
        for (var i = 0; i < hardlinks; i++)
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.HardLink, string.Create(CultureInfo.InvariantCulture, $"usr/share/doc/copy-{i:D4}.js"))
            {
                LinkName = paths[random.Next(small)],
                Mode = (UnixFileMode)Convert.ToInt32("644", 8),
                ModificationTime = time,
            });
        }

        return (small + medium + large, directories.Count, symlinks, hardlinks);
    }
}

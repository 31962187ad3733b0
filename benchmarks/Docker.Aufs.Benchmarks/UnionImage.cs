using System.Globalization;
using System.IO.Abstractions;
using Docker.Aufs.Testing;
using Docker.Aufs.IO;

namespace Docker.Aufs.Benchmarks;

/// <summary>Facts about a generated 30-layer image that the union benchmarks need.</summary>
public sealed record UnionImageInfo
{
    /// <summary>Gets the Docker root holding the image.</summary>
    public required string Path { get; init; }

    /// <summary>Gets the image's AUFS branches, <c>aufs/diff/&lt;id&gt;</c>, top first.</summary>
    public required IReadOnlyList<string> DiffDirectories { get; init; }

    /// <summary>Gets the number of layers whose diff directory is empty (<c>ENV</c>, <c>CMD</c> and the like).</summary>
    public required int EmptyLayers { get; init; }

    /// <summary>Gets the number of entries in all diff directories (whiteouts and opaque markers included).</summary>
    public required int DiffEntries { get; init; }

    /// <summary>Gets the number of whiteouts (<c>.wh.&lt;name&gt;</c>) in all diff directories.</summary>
    public required int Whiteouts { get; init; }

    /// <summary>Gets the number of opaque markers (<c>.wh..wh..opq</c>) in all diff directories.</summary>
    public required int OpaqueMarkers { get; init; }

    /// <summary>Gets the number of entries of the merged tree (the image root excluded).</summary>
    public required int MergedEntries { get; init; }

    /// <summary>Gets the merged entries by type.</summary>
    public required IReadOnlyDictionary<UnixFileType, int> MergedByType { get; init; }

    /// <summary>Gets the number of merged regular files that share their inode with another name.</summary>
    public required int MergedHardlinked { get; init; }

    /// <summary>Gets the bytes of the regular files in all diff directories (hardlinks counted per name).</summary>
    public required long DiffBytes { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{DiffDirectories.Count} layers ({EmptyLayers} empty), {DiffEntries:N0} entries in the diff directories ({Whiteouts:N0} whiteouts, {OpaqueMarkers} opaque markers, {DiffBytes / 1048576.0:F0} MiB), " +
        $"{MergedEntries:N0} merged entries: {string.Join(", ", MergedByType.OrderBy(p => p.Key).Select(p => $"{p.Value:N0} {p.Key}"))}; {MergedHardlinked:N0} hardlinked files");
}

/// <summary>
/// Generates a realistic 30-layer image on the real disk with <see cref="DockerRootBuilder"/>, shaped like a Node.js
/// application image built from a Debian base: a base root file system, <c>apt-get install</c> layers, build
/// dependencies that a later layer purges (whiteouts of files and whole directories), <c>apt</c> lists removed by a
/// later layer, a directory replaced wholesale (opaque), <c>npm</c> and <c>pip</c> trees, a <c>COPY</c> of the
/// application, a <c>chown -R</c> that copies a subtree up into a new layer, a directory replaced by a symbolic link,
/// and <c>ENV</c>/<c>CMD</c>-style layers with empty diff directories. Symbolic links (library sonames, alternatives,
/// <c>rc.d</c>, certificates, <c>node_modules/.bin</c>) and hardlinks (zoneinfo, perl, git) occur where they do in such
/// images. Deterministic: everything random comes from <see cref="Seed"/>.
/// </summary>
public static class UnionImage
{
    /// <summary>The tag of the generated image.</summary>
    public const string Reference = "bench/union:30-layers";

    /// <summary>The seed of every random choice.</summary>
    public const int Seed = 20151103;

    /// <summary>The number of layers of the image.</summary>
    public const int LayerCount = 30;

    /// <summary>
    /// A 1 MiB file of the base layer, the bottom of the stack: looking it up checks every branch that holds one of the
    /// directories on its path for a whiteout of the next component (all 30 branches for <c>usr</c>).
    /// </summary>
    public const string MediumFile = "usr/lib/x86_64-linux-gnu/libcrypto.so.1.0.0";

    /// <summary>The size of <see cref="MediumFile"/>.</summary>
    public const int MediumSize = 1 << 20;

    /// <summary>A 64 MiB file of the application's <c>COPY</c> layer, 13th from the top.</summary>
    public const string LargeFile = "opt/app/data/assets.pack";

    /// <summary>The size of <see cref="LargeFile"/>.</summary>
    public const int LargeSize = 64 << 20;

    /// <summary>Writes the root into the empty or missing directory <paramref name="path"/> and describes the image.</summary>
    public static UnionImageInfo Generate(string path) => Generate(path, "aufs");

    /// <summary>
    /// Writes the same image with another driver: <c>aufs</c> in a graph-era root (what <see cref="Generate(string)"/>
    /// writes), <c>overlay2</c> in a 1.10+ root (the same files; whiteouts as 0/0 character devices, the opaque directory
    /// marked by its extended attribute, when run as root).
    /// </summary>
    public static UnionImageInfo Generate(string path, string driver)
    {
        var builder = driver == "aufs"
            ? new DockerRootBuilder(new FileSystem(), path)
            : new DockerRootBuilder(new FileSystem(), ImageStoreKind.ContentAddressed, driver, path, SpecialFileMode.Auto);
        new Generator(builder).Run();
        return Describe(builder.Build().Path);
    }

    /// <summary>Describes the image of a root written by <see cref="Generate(string)"/>.</summary>
    public static UnionImageInfo Describe(string path)
    {
        var view = DockerRoot.Open(new FileSystem(), path).OpenImage(Reference);
        var diffs = view.Branches.Select(b => b.Path).ToArray();
        if (diffs.Length != LayerCount)
        {
            throw new InvalidOperationException($"The image has {diffs.Length} layers, not {LayerCount}.");
        }

        int diffEntries = 0, whiteouts = 0, opaque = 0;
        long bytes = 0;
        foreach (var diff in diffs)
        {
            foreach (var entry in new DirectoryInfo(diff).EnumerateFileSystemInfos("*", SearchOption.AllDirectories))
            {
                diffEntries++;
                if (entry.Name == ".wh..wh..opq")
                {
                    opaque++;
                }
                else if (entry.Name.StartsWith(".wh.", StringComparison.Ordinal))
                {
                    whiteouts++;
                }

                if (entry is FileInfo { LinkTarget: null } file)
                {
                    bytes += file.Length;
                }
            }
        }

        var byType = new Dictionary<UnixFileType, int>();
        var merged = 0;
        var hardlinked = 0;
        foreach (var entry in view.EnumerateRecursive())
        {
            merged++;
            byType[entry.Type] = byType.GetValueOrDefault(entry.Type) + 1;
            if (entry.Type == UnixFileType.RegularFile && entry.LinkCount > 1)
            {
                hardlinked++;
            }
        }

        return new UnionImageInfo
        {
            Path = path,
            DiffDirectories = diffs,
            EmptyLayers = diffs.Count(d => !Directory.EnumerateFileSystemEntries(d).Any()),
            DiffEntries = diffEntries,
            Whiteouts = whiteouts,
            OpaqueMarkers = opaque,
            DiffBytes = bytes,
            MergedEntries = merged,
            MergedByType = byType,
            MergedHardlinked = hardlinked,
        };
    }

    private sealed class Generator(DockerRootBuilder builder)
    {
        private static readonly string[] Syllables =
        [
            "ac", "al", "an", "ar", "as", "at", "ba", "be", "bi", "bo", "ca", "ce", "ci", "co", "cu", "da", "de", "di", "do", "el",
            "em", "en", "er", "es", "fa", "fe", "fi", "fo", "ga", "ge", "go", "ha", "he", "hi", "ho", "id", "il", "im", "in", "io",
            "is", "it", "ja", "jo", "ka", "ke", "ki", "la", "le", "li", "lo", "lu", "ma", "me", "mi", "mo", "mu", "na", "ne", "ni",
            "no", "nu", "ob", "of", "ol", "on", "op", "or", "os", "pa", "pe", "pi", "po", "pu", "qu", "ra", "re", "ri", "ro", "ru",
            "sa", "se", "si", "so", "su", "ta", "te", "ti", "to", "tu", "ul", "um", "un", "ur", "us", "va", "ve", "vi", "vo", "xy",
            "yo", "za", "ze", "zi", "zo",
        ];

        private static readonly string[] Regions = ["Africa", "America", "Antarctica", "Asia", "Atlantic", "Australia", "Europe", "Indian", "Pacific", "Arctic", "Brazil", "Canada"];

        private readonly Random _random = new(Seed);
        private readonly byte[] _noise = CreateNoise();
        private readonly HashSet<string> _packages = new(StringComparer.Ordinal);
        private readonly List<string> _nodePackages = [];
        private DateTimeOffset _time = new(2015, 11, 3, 12, 0, 0, TimeSpan.Zero);
        private string? _parent;

        public void Run()
        {
            var buildDependencies = new List<string>();
            var aptLists = new List<string>();
            var appTree = new List<(string Path, bool IsDirectory, int Size)>();

            Layer("ADD file:rootfs.tar.xz in /", Base);
            Layer("#(nop) MAINTAINER ops@example.com", null);
            Layer("apt-get update && apt-get install -y ca-certificates curl wget && rm -rf /var/lib/apt/lists/*", l => Packages(l, 6, 40, 220));
            Layer("#(nop) ENV LANG=C.UTF-8", null);
            Layer("apt-get update", l =>
            {
                foreach (var list in new[] { "main", "contrib", "non-free" }.SelectMany(c => new[] { "jessie", "jessie-updates", "jessie-backports" }.Select(s => $"httpredir.debian.org_debian_dists_{s}_{c}_binary-amd64_Packages")))
                {
                    aptLists.Add("var/lib/apt/lists/" + list);
                    l.FileBytes("var/lib/apt/lists/" + list, Content(_random.Next(20_000, 120_000)));
                }

                l.FileBytes("var/lib/apt/lists/lock", []).Directory("var/lib/apt/lists/partial", "0700");
                l.FileBytes("var/cache/apt/pkgcache.bin", Content(90_000)).FileBytes("var/cache/apt/srcpkgcache.bin", Content(90_000));
            });
            Layer("apt-get install -y build-essential python-dev libssl-dev git", l =>
            {
                buildDependencies.AddRange(Packages(l, 22, 60, 300));
                Tree(l, "usr/include", 2_600, [".h"], 4);
                Tree(l, "usr/lib/gcc/x86_64-linux-gnu/4.9", 1_200, [".o", ".a", ".so", ".h"], 3);
                foreach (var tool in new[] { "gcc-4.9", "g++-4.9", "cpp-4.9", "x86_64-linux-gnu-gcc-4.9", "as", "ld.bfd", "ar", "objdump", "make" })
                {
                    l.FileBytes("usr/bin/" + tool, Content(SmallSize() * 8), "0755");
                }

                // git's commands are hardlinks of one binary.
                l.FileBytes("usr/lib/git-core/git", Content(200_000), "0755");
                foreach (var command in Words(60))
                {
                    l.Hardlink("usr/lib/git-core/git-" + command, "usr/lib/git-core/git");
                }

                l.FileBytes("var/lib/dpkg/status", Content(400_000));
            });
            Layer("rm -rf /var/lib/apt/lists/* && apt-get clean", l =>
            {
                foreach (var list in aptLists)
                {
                    l.Whiteout(list);
                }

                l.Whiteout("var/lib/apt/lists/lock").Whiteout("var/lib/apt/lists/partial");
                l.Whiteout("var/cache/apt/pkgcache.bin").Whiteout("var/cache/apt/srcpkgcache.bin");
            });
            Layer("#(nop) ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", null);
            Layer("rm -rf /usr/share/locale && mkdir -p /usr/share/locale/en/LC_MESSAGES && cp /tmp/*.mo /usr/share/locale/en/LC_MESSAGES", l =>
            {
                l.OpaqueDirectory("usr/share/locale");
                foreach (var domain in Words(24))
                {
                    l.FileBytes($"usr/share/locale/en/LC_MESSAGES/{domain}.mo", Content(SmallSize()));
                }
            });
            Layer("groupadd -r app && useradd -r -g app -d /home/app app", l =>
            {
                foreach (var file in new[] { "passwd", "group", "shadow", "gshadow" })
                {
                    l.FileBytes("etc/" + file, Content(1200), file.Contains("shadow", StringComparison.Ordinal) ? "0640" : "0644");
                    l.FileBytes("etc/" + file + "-", Content(1150), file.Contains("shadow", StringComparison.Ordinal) ? "0600" : "0644");
                }

                l.Directory("home/app", "0755", 999, 999);
                l.FileBytes("home/app/.bashrc", Content(3_500), uid: 999, gid: 999).FileBytes("home/app/.profile", Content(700), uid: 999, gid: 999);
                l.FileBytes("var/log/faillog", Content(32_000)).FileBytes("var/log/lastlog", Content(290_000));
            });
            Layer("#(nop) ENV NODE_VERSION=4.2.2", null);
            Layer("curl -SLO https://nodejs.org/dist/v4.2.2/node-v4.2.2-linux-x64.tar.gz && tar -xzf node-v4.2.2-linux-x64.tar.gz -C /usr/local --strip-components=1", l =>
            {
                l.FileBytes("usr/local/bin/node", Content(300_000), "0755");
                l.Symlink("usr/local/bin/npm", "../lib/node_modules/npm/bin/npm-cli.js");
                NodeModules(l, "usr/local/lib/node_modules", 5_200, 0);
                Tree(l, "usr/local/include/node", 420, [".h"], 3);
                Tree(l, "root/.npm", 260, [".json", ".tgz"], 3);
            });
            Layer("#(nop) ENV PYTHON_PIP_VERSION=7.1.2", null);
            Layer("pip install --no-cache-dir -r /tmp/requirements.txt", l =>
            {
                var sitePackages = "usr/local/lib/python2.7/dist-packages";
                var remaining = 13_500;
                while (remaining > 0)
                {
                    var package = UniquePackage();
                    var size = Math.Min(remaining, _random.Next(10, 600));
                    remaining -= PythonPackage(l, sitePackages + "/" + package, size);
                    var info = $"{sitePackages}/{package}-{_random.Next(0, 4)}.{_random.Next(0, 20)}.dist-info";
                    foreach (var file in new[] { "METADATA", "RECORD", "WHEEL", "top_level.txt", "DESCRIPTION.rst" })
                    {
                        l.FileBytes(info + "/" + file, Content(SmallSize()));
                    }

                    remaining -= 6;
                    if (_random.Next(4) == 0)
                    {
                        l.FileBytes("usr/local/bin/" + package, Content(300), "0755");
                        remaining--;
                    }
                }
            });
            Layer("#(nop) WORKDIR /opt/app", l => l.Directory("opt/app"));
            Layer("#(nop) COPY file:package.json in /opt/app/", l => l.FileBytes("opt/app/package.json", Content(1_800)));
            Layer("npm install --production", l =>
            {
                _nodePackages.Clear();
                NodeModules(l, "opt/app/node_modules", 70_000, 0);
                Tree(l, "root/.npm", 900, [".json", ".tgz"], 3);
            });
            Layer("#(nop) COPY dir:app in /opt/app", l =>
            {
                appTree.AddRange(Tree(l, "opt/app/src", 3_000, [".js", ".json", ".html", ".css", ".md"], 5));
                l.FileBytes(LargeFile, Content(LargeSize));
                l.FileBytes("opt/app/README.md", Content(4_000)).FileBytes("opt/app/.dockerignore", Content(60));
            });
            Layer("npm run build && npm prune --production", l =>
            {
                // Pruning removes whole packages that the install layer holds: whiteouts of directories.
                foreach (var package in _nodePackages.Where((_, i) => i % 5 == 2))
                {
                    l.Whiteout("opt/app/node_modules/" + package);
                }

                appTree.AddRange(Tree(l, "opt/app/dist", 2_000, [".js", ".map", ".css"], 4));
                Tree(l, "root/.npm", 3_000, [".json", ".tgz"], 4);
                Tree(l, "tmp/npm-1187-4a1b2c3d", 200, [".tgz", ".json"], 2);
            });
            Layer("rm -rf /root/.npm /tmp/npm-*", l => l.Whiteout("root/.npm").Whiteout("tmp/npm-1187-4a1b2c3d"));
            Layer("chown -R app:app /opt/app/src /opt/app/dist", l =>
            {
                // AUFS copies every file up into the new layer to change its owner.
                foreach (var (path, isDirectory, size) in appTree)
                {
                    if (isDirectory)
                    {
                        l.Directory(path, "0755", 999, 999);
                    }
                    else
                    {
                        l.FileBytes(path, Content(size), "0644", 999, 999);
                    }
                }
            });
            Layer("#(nop) EXPOSE 8080/tcp", null);
            Layer("apt-get update && apt-get install -y nginx-light && rm -rf /var/lib/apt/lists/*", l =>
            {
                Packages(l, 5, 20, 120);
                foreach (var conf in Words(8))
                {
                    l.FileBytes($"etc/nginx/conf.d/{conf}.conf", Content(SmallSize()));
                }

                l.FileBytes("etc/nginx/nginx.conf", Content(1_600)).Directory("var/log/nginx", "0750").Directory("var/lib/nginx");
                l.FileBytes("usr/sbin/nginx", Content(900_000), "0755");
                l.FileBytes("var/lib/dpkg/status", Content(410_000));
            });
            Layer("ln -sf /dev/stdout /var/log/nginx/access.log && ln -sf /dev/stderr /var/log/nginx/error.log && rm -rf /var/run && ln -s /run /var/run", l =>
            {
                l.Symlink("var/log/nginx/access.log", "/dev/stdout").Symlink("var/log/nginx/error.log", "/dev/stderr");
                l.Symlink("var/run", "/run"); // hides the base layer's directory: a non-directory on top hides everything below
            });
            Layer("#(nop) VOLUME [/opt/app/data]", null);
            Layer("apt-get purge -y --auto-remove build-essential python-dev libssl-dev", l =>
            {
                foreach (var package in buildDependencies)
                {
                    l.Whiteout("usr/share/doc/" + package);
                    l.Whiteout($"var/lib/dpkg/info/{package}.list").Whiteout($"var/lib/dpkg/info/{package}.md5sums");
                }

                l.Whiteout("usr/lib/gcc");
                foreach (var tool in new[] { "gcc-4.9", "g++-4.9", "cpp-4.9", "x86_64-linux-gnu-gcc-4.9" })
                {
                    l.Whiteout("usr/bin/" + tool);
                }

                l.FileBytes("var/lib/dpkg/status", Content(380_000)).FileBytes("var/log/dpkg.log", Content(60_000));
            });
            Layer("#(nop) USER app", null);
            Layer("#(nop) ENTRYPOINT [\"docker-entrypoint.sh\"]", null);
            Layer("#(nop) COPY file:docker-entrypoint.sh in /usr/local/bin/ and dir:conf.d in /etc/nginx/conf.d", l =>
            {
                l.FileBytes("usr/local/bin/docker-entrypoint.sh", Content(1_400), "0755");
                l.OpaqueDirectory("etc/nginx/conf.d");
                l.FileBytes("etc/nginx/conf.d/app.conf", Content(900));
            });
            Layer("#(nop) CMD [\"node\" \"dist/server.js\"]", null);

            builder.Tag(Reference, _parent!);
        }

        private void Layer(string command, Action<LayerBuilder>? content)
        {
            _time = _time.AddMinutes(_random.Next(1, 30));
            var parent = _parent;
            var created = _time;
            _parent = builder.AddLayer(l =>
            {
                var id = Hex(64); // drawn in every store, so that the files are the same
                if (builder.Store == ImageStoreKind.Graph)
                {
                    l.Id(id);
                }

                l.Parent(parent).Created(created).CreatedBy(command);
                content?.Invoke(l);
            });
        }

        private void Base(LayerBuilder l)
        {
            foreach (var directory in new[] { "bin", "boot", "dev", "etc", "home", "lib", "lib64", "media", "mnt", "opt", "proc", "root", "run", "sbin", "srv", "sys", "usr/local/bin", "usr/local/lib", "usr/local/share", "var/cache", "var/lib", "var/log", "var/mail", "var/spool", "var/tmp" })
            {
                l.Directory(directory);
            }

            l.Directory("tmp", "1777").Directory("root", "0700");
            l.Symlink("lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-2.19.so");
            Commands(l, "bin", 90);
            l.Symlink("bin/sh", "dash");
            Commands(l, "sbin", 70);
            var alternatives = Commands(l, "usr/bin", 520);
            Commands(l, "usr/sbin", 90);
            l.FileBytes("usr/bin/passwd", Content(54_000), "4755").FileBytes("usr/bin/chage", Content(62_000), "2755");
            l.FileBytes("usr/bin/perl5.20.2", Content(180_000), "0755").Hardlink("usr/bin/perl", "usr/bin/perl5.20.2");

            foreach (var command in alternatives.Take(60))
            {
                l.Symlink("etc/alternatives/" + command + "-alt", "/usr/bin/" + command);
                l.Symlink("usr/bin/" + command + "-alt", "/etc/alternatives/" + command + "-alt");
                l.Symlink("var/lib/dpkg/alternatives/" + command + "-alt", "/usr/bin/" + command);
            }

            Libraries(l, "lib/x86_64-linux-gnu", 160);
            Libraries(l, "usr/lib/x86_64-linux-gnu", 520);
            l.FileBytes(MediumFile, Content(MediumSize), "0644").Symlink("usr/lib/x86_64-linux-gnu/libcrypto.so", "libcrypto.so.1.0.0");
            foreach (var module in Words(250))
            {
                l.FileBytes($"usr/lib/x86_64-linux-gnu/gconv/{module.ToUpperInvariant()}.so", Content(SmallSize() * 4));
            }

            var packages = Enumerable.Range(0, 180).Select(_ => UniquePackage()).ToList();
            foreach (var package in packages)
            {
                Documentation(l, package);
                DpkgInfo(l, package);
            }

            foreach (var section in new[] { "1", "5", "7", "8" })
            {
                var pages = Words(section == "1" ? 520 : 130);
                foreach (var page in pages)
                {
                    l.FileBytes($"usr/share/man/man{section}/{page}.{section}.gz", Content(SmallSize()));
                }

                foreach (var page in pages.Take(25))
                {
                    l.Symlink($"usr/share/man/man{section}/{page}-alias.{section}.gz", $"{page}.{section}.gz");
                }
            }

            foreach (var language in Words(60))
            {
                foreach (var domain in new[] { "coreutils", "dpkg", "tar", "sed" })
                {
                    l.FileBytes($"usr/share/locale/{language}/LC_MESSAGES/{domain}.mo", Content(SmallSize() * 3));
                }
            }

            // Debian's zoneinfo: posix/ holds hardlinks of the zones, right/ its own files.
            foreach (var region in Regions)
            {
                foreach (var city in Words(35))
                {
                    var zone = $"usr/share/zoneinfo/{region}/{Capitalize(city)}";
                    l.FileBytes(zone, Content(_random.Next(1_000, 3_000)));
                    l.Hardlink("usr/share/zoneinfo/posix/" + zone["usr/share/zoneinfo/".Length..], zone);
                    l.FileBytes("usr/share/zoneinfo/right/" + zone["usr/share/zoneinfo/".Length..], Content(_random.Next(1_500, 3_500)));
                }
            }

            Tree(l, "usr/share/perl/5.20.2", 1_500, [".pm", ".pl", ".pod"], 4);
            PythonPackage(l, "usr/lib/python2.7", 2_500);
            Tree(l, "usr/share/i18n/charmaps", 200, [".gz"], 0);
            Tree(l, "usr/share/i18n/locales", 300, [string.Empty], 0);
            foreach (var letter in "abcdefghijklmnopqrstuvwxyz0123456789ABCD")
            {
                foreach (var terminal in Words(10))
                {
                    l.FileBytes($"usr/share/terminfo/{letter}/{letter}{terminal}", Content(SmallSize()));
                }
            }

            Tree(l, "etc", 150, [string.Empty, ".conf", ".list"], 1);
            var services = Words(30);
            foreach (var service in services)
            {
                l.FileBytes("etc/init.d/" + service, Content(SmallSize()), "0755");
            }

            foreach (var level in new[] { "0", "1", "2", "3", "4", "5", "6", "S" })
            {
                foreach (var service in services.Take(12))
                {
                    l.Symlink($"etc/rc{level}.d/S01{service}", "../init.d/" + service);
                }
            }

            foreach (var certificate in Words(160))
            {
                l.Symlink($"usr/share/ca-certificates/mozilla/{certificate}.crt", $"/etc/ssl/certs/{certificate}.pem");
                l.FileBytes($"etc/ssl/certs/{certificate}.pem", Content(_random.Next(1_200, 2_400)));
                l.Symlink($"etc/ssl/certs/{Hex(8)}.0", certificate + ".pem");
            }

            l.FileBytes("var/lib/dpkg/status", Content(300_000)).FileBytes("var/lib/dpkg/available", Content(200_000));
            l.FileBytes("var/log/dpkg.log", Content(40_000)).FileBytes("var/log/alternatives.log", Content(8_000));
            foreach (var database in new[] { "config.dat", "templates.dat", "passwords.dat" })
            {
                l.FileBytes("var/cache/debconf/" + database, Content(SmallSize() * 10));
            }

            l.FileBytes("var/run/utmp", Content(384)).Directory("var/run/lock", "1777");
        }

        /// <summary>Adds <paramref name="count"/> packages the way dpkg installs them; returns their names.</summary>
        private List<string> Packages(LayerBuilder l, int count, int minimumTree, int maximumTree)
        {
            var names = new List<string>();
            for (var i = 0; i < count; i++)
            {
                var package = UniquePackage();
                names.Add(package);
                Documentation(l, package);
                DpkgInfo(l, package);
                foreach (var command in Words(_random.Next(0, 4)))
                {
                    var name = package + "-" + command;
                    l.FileBytes("usr/bin/" + name, Content(SmallSize() * 8), "0755");
                    l.FileBytes($"usr/share/man/man1/{name}.1.gz", Content(SmallSize()));
                }

                if (_random.Next(2) == 0)
                {
                    var version = $"{_random.Next(0, 3)}.{_random.Next(0, 20)}.{_random.Next(0, 9)}";
                    l.FileBytes($"usr/lib/x86_64-linux-gnu/lib{package}.so.{version}", Content(SmallSize() * 20));
                    l.Symlink($"usr/lib/x86_64-linux-gnu/lib{package}.so.{version[0]}", $"lib{package}.so.{version}");
                }

                Tree(l, "usr/share/" + package, _random.Next(minimumTree, maximumTree), [string.Empty, ".txt", ".xml", ".png"], 3);
            }

            return names;
        }

        private void Documentation(LayerBuilder l, string package)
        {
            l.FileBytes($"usr/share/doc/{package}/copyright", Content(SmallSize()));
            l.FileBytes($"usr/share/doc/{package}/changelog.Debian.gz", Content(SmallSize()));
            if (_random.Next(3) == 0)
            {
                l.FileBytes($"usr/share/doc/{package}/NEWS.Debian.gz", Content(SmallSize()));
            }
        }

        private void DpkgInfo(LayerBuilder l, string package)
        {
            l.FileBytes($"var/lib/dpkg/info/{package}.list", Content(SmallSize()));
            l.FileBytes($"var/lib/dpkg/info/{package}.md5sums", Content(SmallSize()));
            if (_random.Next(3) == 0)
            {
                l.FileBytes($"var/lib/dpkg/info/{package}.postinst", Content(SmallSize()), "0755");
            }
        }

        private List<string> Commands(LayerBuilder l, string directory, int count)
        {
            var names = Words(count);
            foreach (var name in names)
            {
                l.FileBytes(directory + "/" + name, Content(SmallSize() * 10), "0755");
            }

            return names;
        }

        private void Libraries(LayerBuilder l, string directory, int count)
        {
            foreach (var name in Words(count))
            {
                var version = $"{_random.Next(0, 7)}.{_random.Next(0, 20)}.{_random.Next(0, 9)}";
                l.FileBytes($"{directory}/lib{name}.so.{version}", Content(SmallSize() * 20));
                l.Symlink($"{directory}/lib{name}.so.{version[0]}", $"lib{name}.so.{version}");
            }
        }

        /// <summary>An npm tree: packages with manifests and sources, nested <c>node_modules</c>, <c>.bin</c> links. Returns the entries made.</summary>
        private int NodeModules(LayerBuilder l, string directory, int budget, int depth)
        {
            var made = 1;
            l.Directory(directory);
            var names = new HashSet<string>(StringComparer.Ordinal);
            var hasBin = false;
            while (made < budget)
            {
                var package = Word(1, 3);
                if (!names.Add(package))
                {
                    continue;
                }

                if (depth == 0)
                {
                    _nodePackages.Add(package);
                }

                var root = directory + "/" + package;
                var size = Math.Min(budget - made, _random.Next(6, 160));
                foreach (var file in new[] { "package.json", "README.md", "LICENSE", "index.js" })
                {
                    l.FileBytes(root + "/" + file, Content(SmallSize()));
                }

                made += 5;
                if (_random.Next(5) == 0)
                {
                    l.FileBytes(root + "/bin/" + package + ".js", Content(SmallSize()), "0755");
                    l.Symlink(directory + "/.bin/" + package, "../" + package + "/bin/" + package + ".js");
                    made += hasBin ? 3 : 4;
                    hasBin = true;
                }

                if (size > 10)
                {
                    made += Tree(l, root + "/lib", size - 10, [".js", ".json", ".d.ts"], 3).Count;
                }

                if (depth < 2 && budget - made > 20 && _random.Next(6) == 0)
                {
                    made += NodeModules(l, root + "/node_modules", Math.Min(budget - made, _random.Next(20, 400)), depth + 1);
                }
            }

            return made;
        }

        /// <summary>A Python package: modules with their compiled <c>.pyc</c>, in nested packages. Returns the entries made.</summary>
        private int PythonPackage(LayerBuilder l, string directory, int budget)
        {
            var made = 0;
            foreach (var (path, isDirectory, _) in Tree(l, directory, Math.Max(1, budget / 2), [".py"], 3))
            {
                made++;
                if (!isDirectory)
                {
                    l.FileBytes(path + "c", Content(SmallSize()));
                    made++;
                }
            }

            return made;
        }

        /// <summary>A directory tree of about <paramref name="budget"/> entries (the directory itself included). Returns what it made.</summary>
        private List<(string Path, bool IsDirectory, int Size)> Tree(LayerBuilder l, string directory, int budget, string[] extensions, int maxDepth)
        {
            var made = new List<(string, bool, int)>();
            AddTree(l, directory, Math.Max(1, budget), extensions, maxDepth, made);
            return made;
        }

        private void AddTree(LayerBuilder l, string directory, int budget, string[] extensions, int depthLeft, List<(string, bool, int)> made)
        {
            l.Directory(directory);
            made.Add((directory, true, 0));
            budget--;
            var names = new HashSet<string>(StringComparer.Ordinal);
            var files = depthLeft == 0 ? budget : Math.Min(budget, _random.Next(2, 24));
            for (var i = 0; i < files; i++)
            {
                var name = UniqueWord(names) + extensions[_random.Next(extensions.Length)];
                var size = SmallSize();
                l.FileBytes(directory + "/" + name, Content(size));
                made.Add((directory + "/" + name, false, size));
            }

            budget -= files;
            if (budget <= 0)
            {
                return;
            }

            var subdirectories = Math.Min(budget, _random.Next(1, 7));
            var weights = Enumerable.Range(0, subdirectories).Select(_ => _random.Next(1, 10)).ToArray();
            var total = weights.Sum();
            var given = 0;
            for (var i = 0; i < subdirectories; i++)
            {
                var share = i == subdirectories - 1 ? budget - given : Math.Max(1, budget * weights[i] / total);
                share = Math.Min(share, budget - given - (subdirectories - 1 - i));
                if (share <= 0)
                {
                    continue;
                }

                given += share;
                AddTree(l, directory + "/" + UniqueWord(names), share, extensions, depthLeft - 1, made);
            }
        }

        private string UniquePackage()
        {
            while (true)
            {
                var name = Word(2, 4);
                if (_packages.Add(name))
                {
                    return name;
                }
            }
        }

        private string UniqueWord(HashSet<string> names)
        {
            while (true)
            {
                var name = Word(1, 4);
                if (names.Add(name))
                {
                    return name;
                }
            }
        }

        private List<string> Words(int count)
        {
            var names = new HashSet<string>(StringComparer.Ordinal);
            var list = new List<string>(count);
            while (list.Count < count)
            {
                var name = Word(2, 4);
                if (names.Add(name))
                {
                    list.Add(name);
                }
            }

            return list;
        }

        private string Word(int minimum, int maximum)
        {
            var count = _random.Next(minimum, maximum + 1);
            return string.Concat(Enumerable.Range(0, count).Select(_ => Syllables[_random.Next(Syllables.Length)]));
        }

        private static string Capitalize(string word) => char.ToUpperInvariant(word[0]) + word[1..];

        /// <summary>Most files are small: 80 % under 1 KiB, 18 % 1–8 KiB, 2 % 8–64 KiB.</summary>
        private int SmallSize() => _random.Next(100) switch
        {
            < 80 => _random.Next(32, 1_024),
            < 98 => _random.Next(1_024, 8_192),
            _ => _random.Next(8_192, 65_536),
        };

        private byte[] Content(int size)
        {
            if (size <= _noise.Length - 4096)
            {
                return _noise.AsSpan(_random.Next(4096), size).ToArray();
            }

            var content = new byte[size];
            new Random(size).NextBytes(content);
            return content;
        }

        private string Hex(int length)
        {
            Span<byte> bytes = stackalloc byte[length / 2];
            _random.NextBytes(bytes);
            return Convert.ToHexStringLower(bytes);
        }

        private static byte[] CreateNoise()
        {
            var noise = new byte[1 << 20];
            new Random(Seed).NextBytes(noise);
            return noise;
        }
    }
}

/// <summary>
/// The generated 30-layer image on the real disk. BenchmarkDotNet runs every benchmark case in a process of its own, and
/// writing the image (about 700 MB on disk) and deleting it again takes minutes on a busy machine, so one image serves
/// every process of a run: <see cref="BeginRun"/> (in the host process) names a directory that the benchmark processes
/// inherit through <see cref="SharedDirectoryVariable"/>, the first of them generates the image there, and
/// <see cref="EndRun"/> deletes it. A benchmark process started without it generates its own image and deletes it.
/// </summary>
public sealed class UnionFixture : IDisposable
{
    /// <summary>The environment variable naming the directory of the image shared by the processes of one run.</summary>
    public const string SharedDirectoryVariable = "DOCKER_AUFS_BENCH_UNION_DIR";

    private const string CompleteMarker = "complete";

    private readonly bool _owned;

    private UnionFixture(string directory, UnionImageInfo info, bool owned)
    {
        Directory = directory;
        Info = info;
        _owned = owned;
    }

    /// <summary>Gets the directory holding the root.</summary>
    public string Directory { get; }

    /// <summary>Gets the description of the generated image.</summary>
    public UnionImageInfo Info { get; }

    /// <summary>Gets the Docker root.</summary>
    public string Path => Info.Path;

    /// <summary>Names a new temporary directory for the image of this run, inherited by the benchmark processes.</summary>
    public static void BeginRun() =>
        Environment.SetEnvironmentVariable(SharedDirectoryVariable, NewTemporaryDirectory());

    /// <summary>Deletes the image of this run, if a benchmark process generated it.</summary>
    public static void EndRun()
    {
        if (Environment.GetEnvironmentVariable(SharedDirectoryVariable) is { Length: > 0 } directory)
        {
            Delete(directory);
        }
    }

    /// <summary>
    /// Returns the image of this run, generating it first if no process of the run has; or, outside a run, generates
    /// one in a new temporary directory. A new image is flushed to disk (<c>sync</c>), so that the kernel's write-back
    /// does not run during the measurements; the page cache keeps the data.
    /// </summary>
    /// <returns>The fixture; dispose it.</returns>
    public static UnionFixture Create()
    {
        var shared = Environment.GetEnvironmentVariable(SharedDirectoryVariable);
        var directory = string.IsNullOrEmpty(shared) ? NewTemporaryDirectory() : shared;
        var root = System.IO.Path.Combine(directory, "docker");
        var marker = System.IO.Path.Combine(directory, CompleteMarker);
        UnionImageInfo info;
        if (File.Exists(marker))
        {
            info = UnionImage.Describe(root);
            Console.WriteLine($"// Reused {info}");
        }
        else
        {
            Delete(directory); // a generation interrupted earlier in this run
            info = UnionImage.Generate(root);
            Console.WriteLine($"// Generated {info}");
            Sync();
            File.WriteAllText(marker, string.Empty);
        }

        return new UnionFixture(directory, info, owned: string.IsNullOrEmpty(shared));
    }

    /// <summary>Deletes the image unless it is shared by the processes of a run.</summary>
    public void Dispose()
    {
        if (_owned)
        {
            Delete(Directory);
        }
    }

    private static string NewTemporaryDirectory() =>
        System.IO.Path.Combine(System.IO.Path.GetTempPath(), "docker-aufs-bench-" + Guid.NewGuid().ToString("N"));

    private static void Sync()
    {
        try
        {
            using var sync = System.Diagnostics.Process.Start("sync");
            sync.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No sync command: the measurements may then overlap the write-back.
        }
    }

    private static void Delete(string directory)
    {
        try
        {
            if (System.IO.Directory.Exists(directory))
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a benchmark run.
        }
    }
}

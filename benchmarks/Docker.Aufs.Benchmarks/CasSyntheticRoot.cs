using System.Globalization;
using System.IO.Abstractions;
using Docker.Aufs.Formats;
using Docker.Aufs.Testing;

namespace Docker.Aufs.Benchmarks;

/// <summary>What to generate for a 1.10+ (content-addressed) root: its size, and the seed that makes it reproducible.</summary>
/// <param name="Images">The number of images (configs under <c>image/aufs/imagedb/content/sha256/</c>, one per build step).</param>
/// <param name="Tags">The number of references in <c>image/aufs/repositories.json</c>.</param>
/// <param name="Seed">The seed of every random choice: the same seed gives the same root, byte for byte.</param>
/// <param name="MaxDepth">The most build steps of one image.</param>
public sealed record CasSyntheticRootSpec(int Images, int Tags, int Seed, int MaxDepth = 60)
{
    /// <summary>Gets the large root of target (a): 2,000 images, 400 references, images of 1–60 steps.</summary>
    public static CasSyntheticRootSpec Large { get; } = new(2_000, 400, 20151103);

    /// <summary>Gets the small root: only the 20-layer target image (its 20 steps), its tag and three more.</summary>
    public static CasSyntheticRootSpec Small { get; } = new(SyntheticRootSpec.TargetDepth, 4, 20151103, SyntheticRootSpec.TargetDepth);
}

/// <summary>Facts about a generated 1.10+ root that benchmarks need.</summary>
public sealed record CasSyntheticRootInfo
{
    public required string Path { get; init; }

    public required int Images { get; init; }

    public required int Layers { get; init; }

    public required int Tags { get; init; }

    /// <summary>Gets the image ID of <see cref="SyntheticRoot.TargetReference"/> (<c>sha256:…</c>).</summary>
    public required string TargetId { get; init; }

    public required long ConfigBytes { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"1.10+ root: {Images} images, {Layers} layers, {Tags} references, image config {ConfigBytes / Math.Max(1, Images)} bytes on average");
}

/// <summary>
/// Generates a Docker 1.10–23.x AUFS root with <see cref="DockerRootBuilder"/> (<see cref="ImageStoreKind.ContentAddressed"/>)
/// on the real disk, shaped as classic builds leave a host: every build step is an image (intermediate ones untagged), about
/// 40 % of the steps add no layer (<c>ENV</c>, <c>CMD</c>, <c>EXPOSE</c>), the others a layer of a few small files;
/// distribution bases shared by many images; tags on heads and some intermediate images. The tag
/// <see cref="SyntheticRoot.TargetReference"/> names an image of 20 layers (20 steps, none empty), generated first from
/// its own random source, so it is the same image in every root of the same seed.
/// </summary>
public static class CasSyntheticRoot
{
    /// <summary>Writes the root of <paramref name="spec"/> into the empty or missing directory <paramref name="path"/>.</summary>
    public static CasSyntheticRootInfo Generate(string path, CasSyntheticRootSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Images < SyntheticRootSpec.TargetDepth || spec.MaxDepth < SyntheticRootSpec.TargetDepth || spec.Tags < 1)
        {
            throw new ArgumentException("A synthetic root holds at least the 20-step target image and its tag.", nameof(spec));
        }

        return new Generator(path, spec).Run();
    }

    private sealed record Node(string Id, int Depth, string Family);

    private sealed class Generator(string path, CasSyntheticRootSpec spec)
    {
        private static readonly string[] Distros = ["debian", "ubuntu", "centos", "alpine", "busybox", "fedora", "opensuse", "buildpack-deps"];

        private static readonly string[] Apps =
        [
            "nginx", "redis", "postgres", "mysql", "node", "python", "ruby", "golang", "java", "php", "httpd", "mongo", "rabbitmq",
            "elasticsearch", "memcached", "jenkins", "haproxy", "consul", "registry", "wordpress", "tomcat", "cassandra", "kibana",
        ];

        private static readonly string[] Namespaces = ["", "", "", "acme/", "mycompany/", "jdoe/", "ops/", "localhost:5000/", "registry.example.com:5000/team/", "quay.io/coreos/"];

        private readonly DockerRootBuilder _builder = new(new FileSystem(), ImageStoreKind.ContentAddressed, path);
        private readonly Random _random = new(spec.Seed);
        private readonly List<Node> _nodes = [];
        private readonly List<Node> _heads = [];
        private readonly HashSet<Node> _parents = [];
        private readonly HashSet<string> _usedTags = new(StringComparer.Ordinal);
        private readonly DateTimeOffset _epoch = new(2017, 7, 3, 12, 0, 0, TimeSpan.Zero);
        private int _layers;
        private int _tags;

        public CasSyntheticRootInfo Run()
        {
            var target = AddChain(null, SyntheticRootSpec.TargetDepth, "resolve-target", new Random(spec.Seed ^ 0x5EED), allowEmpty: false);
            Tag(SyntheticRoot.TargetReference, target);

            var bases = new List<Node>();
            var baseCount = Math.Max(0, Math.Min(spec.Images / 100, (spec.Images - _nodes.Count) / 5));
            for (var i = 0; i < baseCount; i++)
            {
                var distro = Distros[i % Distros.Length];
                var node = AddChain(null, _random.Next(1, 4), distro, _random, allowEmpty: true);
                bases.Add(node);
                TagHead(node, distro, "base-" + i.ToString(CultureInfo.InvariantCulture));
            }

            while (_nodes.Count < spec.Images)
            {
                var parent = bases.Count == 0
                    ? _nodes[_random.Next(_nodes.Count)]
                    : _random.Next(10) switch
                    {
                        < 4 => bases[_random.Next(bases.Count)],
                        < 8 => _heads[_random.Next(_heads.Count)],
                        _ => _nodes[_random.Next(_nodes.Count)],
                    };
                var room = spec.MaxDepth - parent.Depth;
                if (room <= 0)
                {
                    continue;
                }

                var count = Math.Min(spec.Images - _nodes.Count, Math.Min(room, _random.Next(1, 16)));
                var family = Apps[_random.Next(Apps.Length)];
                TagHead(AddChain(parent, count, family, _random, allowEmpty: true), family, null);
            }

            var guard = 0;
            while (_tags < spec.Tags && guard++ < spec.Tags * 20)
            {
                var node = _random.Next(4) == 0 ? _nodes[_random.Next(_nodes.Count)] : _heads[_random.Next(_heads.Count)];
                TagHead(node, node.Family, null);
            }

            var root = _builder.Build();
            var content = System.IO.Path.Combine(root.Path, "image", "aufs", "imagedb", "content", "sha256");
            return new CasSyntheticRootInfo
            {
                Path = root.Path,
                Images = root.ImageIds.Count,
                Layers = _layers,
                Tags = _tags,
                TargetId = target.Id,
                ConfigBytes = Directory.EnumerateFiles(content).Sum(f => new FileInfo(f).Length),
            };
        }

        private void TagHead(Node node, string family, string? tag)
        {
            if (_tags >= spec.Tags)
            {
                return;
            }

            var repository = Namespaces[_random.Next(Namespaces.Length)] + family;
            tag ??= _random.Next(4) switch
            {
                0 => "latest",
                1 => string.Create(CultureInfo.InvariantCulture, $"{_random.Next(1, 10)}.{_random.Next(0, 20)}"),
                2 => string.Create(CultureInfo.InvariantCulture, $"v{_random.Next(1, 400)}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"build-{_random.Next(1000, 99999)}"),
            };
            Tag(repository + ":" + tag, node);
        }

        private void Tag(string reference, Node node)
        {
            if (_usedTags.Add(reference))
            {
                _builder.Tag(reference, node.Id);
                _tags++;
            }
        }

        private Node AddChain(Node? parent, int count, string family, Random random, bool allowEmpty)
        {
            if (parent is not null && _parents.Add(parent))
            {
                _heads.Remove(parent);
            }

            var current = parent;
            for (var i = 0; i < count; i++)
            {
                current = AddStep(current, family, random, allowEmpty && current is not null && random.Next(10) < 4);
            }

            _heads.Add(current!);
            return current!;
        }

        private Node AddStep(Node? parent, string family, Random random, bool empty)
        {
            var upper = family.ToUpperInvariant().Replace('-', '_');
            var created = _epoch.AddSeconds(_nodes.Count * 97L + random.Next(60)).AddTicks(random.Next(10_000_000));
            var env = new List<string>
            {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                string.Create(CultureInfo.InvariantCulture, $"{upper}_VERSION={random.Next(1, 10)}.{random.Next(0, 20)}.{random.Next(0, 30)}"),
            };
            if (parent is not null)
            {
                env.Add("GOSU_VERSION=1." + random.Next(4, 11).ToString(CultureInfo.InvariantCulture));
                env.Add(upper + "_DOWNLOAD_SHA256=" + Convert.ToHexStringLower(RandomBytes(random, 32)));
            }

            var command = parent is null
                ? $"#(nop) ADD file:{Convert.ToHexStringLower(RandomBytes(random, 32))} in / "
                : empty
                    ? random.Next(3) switch
                    {
                        0 => $"#(nop)  ENV {env[^1]}",
                        1 => $"#(nop)  CMD [\"{family}-server\"]",
                        _ => $"#(nop)  EXPOSE {random.Next(1000, 9999)}/tcp",
                    }
                    : $"apt-get update && apt-get install -y --no-install-recommends {family}-tools && rm -rf /var/lib/apt/lists/*";
            var runConfig = new ContainerConfig
            {
                Hostname = string.Empty,
                Domainname = string.Empty,
                User = string.Empty,
                ExposedPorts = random.Next(3) == 0 ? [random.Next(1000, 9999).ToString(CultureInfo.InvariantCulture) + "/tcp"] : null,
                Env = env,
                Cmd = [family + "-server"],
                Volumes = random.Next(4) == 0 ? ["/var/lib/" + family] : null,
                WorkingDir = random.Next(2) == 0 ? "/srv/" + family : string.Empty,
                Entrypoint = random.Next(3) == 0 ? ["docker-entrypoint.sh"] : null,
                OnBuild = [],
                Labels = new Dictionary<string, string>(StringComparer.Ordinal),
            };

            var files = empty ? 0 : parent is null ? 4 : random.Next(1, 4);
            var contentSeed = random.Next();
            var id = _builder.AddLayer(l =>
            {
                l.Parent(parent?.Id).Created(created).CreatedBy(command).Config(runConfig)
                    .Image(image => image with { ContainerConfig = runConfig with { Cmd = ["/bin/sh", "-c", command] } });
                if (empty)
                {
                    l.EmptyLayer();
                    return;
                }

                var contentRandom = new Random(contentSeed);
                for (var f = 0; f < files; f++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"usr/local/{family}/lib-{_nodes.Count}-{f}.so");
                    l.File(name, new string('x', contentRandom.Next(16, 2048)), mode: "0755");
                }

                if (parent is null)
                {
                    l.Directory("tmp", mode: "1777").Symlink("bin/sh", "/bin/busybox");
                }
            });

            if (!empty)
            {
                _layers++;
            }

            var node = new Node(id, (parent?.Depth ?? 0) + 1, family);
            _nodes.Add(node);
            return node;
        }

        private static byte[] RandomBytes(Random random, int length)
        {
            var bytes = new byte[length];
            random.NextBytes(bytes);
            return bytes;
        }
    }
}

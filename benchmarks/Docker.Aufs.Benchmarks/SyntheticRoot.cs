using System.Globalization;
using System.IO.Abstractions;
using Docker.Aufs.Testing;
using Docker.Aufs.Formats;
using Docker.Aufs.Stores.Graph;

namespace Docker.Aufs.Benchmarks;

/// <summary>What to generate: the size of the root, and the seed that makes it reproducible.</summary>
/// <param name="Layers">The number of image layers (directories under <c>graph/</c>).</param>
/// <param name="Tags">The number of tag store entries (tags and digests).</param>
/// <param name="Seed">The seed of every random choice: the same seed gives the same root, byte for byte.</param>
/// <param name="MaxDepth">The depth of the deepest chain.</param>
public sealed record SyntheticRootSpec(int Layers, int Tags, int Seed, int MaxDepth = 60)
{
    /// <summary>The depth of the chain of <see cref="SyntheticRoot.TargetReference"/>, the same in every root.</summary>
    public const int TargetDepth = 20;

    /// <summary>Gets the large root of the targets: 10,000 layers, 2,000 tags, chains of depth 1–60.</summary>
    public static SyntheticRootSpec Large { get; } = new(10_000, 2_000, 20151103);

    /// <summary>Gets the small root of the comparison: only the 20-layer target chain, its tag and three more.</summary>
    public static SyntheticRootSpec Small { get; } = new(TargetDepth, 4, 20151103, TargetDepth);
}

/// <summary>Facts about a generated root that benchmarks need.</summary>
public sealed record SyntheticRootInfo
{
    public required string Path { get; init; }

    public required int Layers { get; init; }

    public required int Tags { get; init; }

    /// <summary>Gets the image ID of <see cref="SyntheticRoot.TargetReference"/>.</summary>
    public required string TargetId { get; init; }

    /// <summary>Gets a tag whose chain is <see cref="SyntheticRootSpec.MaxDepth"/> layers deep.</summary>
    public required string DeepReference { get; init; }

    public required int DeepestChain { get; init; }

    public required long JsonBytes { get; init; }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Layers} layers, {Tags} tag store entries, deepest chain {DeepestChain}, image JSON {JsonBytes / Math.Max(1, Layers)} bytes on average");
}

/// <summary>
/// Generates large, realistic legacy roots with <see cref="DockerRootBuilder"/> on the real disk: a forest of image
/// chains (base images shared by many images, as on a real host), image JSON shaped like Docker 1.8's, <c>layersize</c>,
/// <c>aufs/layers</c> files and small <c>aufs/diff</c> directories, and a tag store of many repositories with tags and
/// <c>sha256:</c> digests. Deterministic: everything random comes from the spec's seed.
/// </summary>
public static class SyntheticRoot
{
    /// <summary>The tag whose chain has <see cref="SyntheticRootSpec.TargetDepth"/> layers in every generated root.</summary>
    public const string TargetReference = "mycompany/resolve-target:depth-20";

    private const string BaseImageTime = "2015-06-01T00:00:00Z";

    private static readonly string[] Distros = ["debian", "ubuntu", "centos", "alpine", "busybox", "fedora", "opensuse", "buildpack-deps"];

    private static readonly string[] Apps =
    [
        "nginx", "redis", "postgres", "mysql", "node", "python", "ruby", "golang", "java", "php", "httpd", "mongo", "rabbitmq",
        "elasticsearch", "memcached", "jenkins", "haproxy", "consul", "registry", "wordpress", "tomcat", "cassandra", "kibana",
        "logstash", "influxdb", "grafana", "etcd", "zookeeper", "kafka", "sentry", "gitlab", "drupal", "ghost", "owncloud",
    ];

    private static readonly string[] Namespaces = ["", "", "", "acme/", "mycompany/", "jdoe/", "ops/", "localhost:5000/", "registry.example.com:5000/team/", "quay.io/coreos/"];

    private static readonly string[] Packages =
    [
        "ca-certificates", "curl", "wget", "git", "build-essential", "libssl-dev", "libffi-dev", "zlib1g-dev", "libxml2-dev",
        "libpq-dev", "netbase", "procps", "gosu", "tzdata", "locales", "xz-utils", "gnupg", "dirmngr", "openssh-client", "unzip",
    ];

    /// <summary>Writes the root of <paramref name="spec"/> into the empty or missing directory <paramref name="path"/>.</summary>
    public static SyntheticRootInfo Generate(string path, SyntheticRootSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Layers < SyntheticRootSpec.TargetDepth || spec.MaxDepth < SyntheticRootSpec.TargetDepth || spec.Tags < 1)
        {
            throw new ArgumentException("A synthetic root holds at least the 20-layer target chain and its tag.", nameof(spec));
        }

        return new Generator(path, spec).Run();
    }

    private sealed class Node(string id, int depth, string family)
    {
        public string Id { get; } = id;

        public int Depth { get; } = depth;

        public string Family { get; } = family;

        public bool HasChildren { get; set; }
    }

    private sealed class Generator
    {
        private readonly SyntheticRootSpec _spec;
        private readonly DockerRootBuilder _builder;
        private readonly Random _random;
        private readonly List<Node> _nodes = [];
        private readonly List<Node> _heads = [];
        private readonly HashSet<string> _usedTags = new(StringComparer.Ordinal);
        private readonly DateTimeOffset _epoch = DateTimeOffset.Parse(BaseImageTime, CultureInfo.InvariantCulture);
        private int _tags;

        public Generator(string path, SyntheticRootSpec spec)
        {
            _spec = spec;
            _builder = new DockerRootBuilder(new FileSystem(), path);
            _random = new Random(spec.Seed);
        }

        public SyntheticRootInfo Run()
        {
            // The target chain comes first and from its own random source, so it is identical in every root of the same seed.
            var targetRandom = new Random(_spec.Seed ^ 0x5EED);
            var target = AddChain(null, SyntheticRootSpec.TargetDepth, "resolve-target", targetRandom);
            Tag(TargetReference, target);

            var deep = target;
            if (_spec.MaxDepth > SyntheticRootSpec.TargetDepth && _spec.Layers >= _spec.MaxDepth + 10)
            {
                // One image at the maximum depth, built on the target chain's fifth layer (shared bases, as on real hosts).
                var fifth = _nodes[4];
                deep = AddChain(fifth, _spec.MaxDepth - fifth.Depth, "deep", _random);
                Tag("mycompany/deep-image:depth-" + _spec.MaxDepth.ToString(CultureInfo.InvariantCulture), deep);
            }

            // Distribution bases: 1–5 layers each, shared by most of the rest.
            var bases = new List<Node>();
            var baseCount = Math.Max(0, Math.Min(_spec.Layers / 250, (_spec.Layers - _nodes.Count) / 5));
            for (var i = 0; i < baseCount; i++)
            {
                var distro = Distros[i % Distros.Length];
                var node = AddChain(null, _random.Next(1, 6), distro, _random);
                bases.Add(node);
                TagHead(node, distro, "base-" + i.ToString(CultureInfo.InvariantCulture));
            }

            // Images on top of bases and of each other until the layer count is reached.
            while (_nodes.Count < _spec.Layers)
            {
                var remaining = _spec.Layers - _nodes.Count;
                var parent = PickParent(bases);
                var room = _spec.MaxDepth - (parent?.Depth ?? 0);
                if (room <= 0)
                {
                    continue;
                }

                var count = Math.Min(remaining, Math.Min(room, _random.Next(1, 16)));
                var family = Apps[_random.Next(Apps.Length)];
                var head = AddChain(parent, count, family, _random);
                TagHead(head, family, null);
            }

            // Tags up to the requested count: more tags on existing heads, some on intermediate layers (as `docker tag` of an
            // older build), and digests as pull-by-digest leaves them.
            var guard = 0;
            while (_tags < _spec.Tags && guard++ < _spec.Tags * 20)
            {
                var node = _random.Next(4) == 0 ? _nodes[_random.Next(_nodes.Count)] : _heads[_random.Next(_heads.Count)];
                TagHead(node, node.Family, null);
            }

            var root = _builder.Build();
            var jsonBytes = root.LayerIds.Sum(id => new FileInfo(System.IO.Path.Combine(root.Path, LegacyLayout.GraphDirectory, id, GraphFiles.Json)).Length);
            return new SyntheticRootInfo
            {
                Path = root.Path,
                Layers = root.LayerIds.Count,
                Tags = _tags,
                TargetId = target.Id,
                DeepReference = deep == target ? TargetReference : "mycompany/deep-image:depth-" + _spec.MaxDepth.ToString(CultureInfo.InvariantCulture),
                DeepestChain = _nodes.Max(n => n.Depth),
                JsonBytes = jsonBytes,
            };
        }

        private Node? PickParent(List<Node> bases)
        {
            if (bases.Count == 0)
            {
                return _nodes[_random.Next(_nodes.Count)];
            }

            return _random.Next(10) switch
            {
                < 4 => bases[_random.Next(bases.Count)],                  // FROM debian:jessie
                < 8 => _heads[_random.Next(_heads.Count)],                 // FROM another image of the host
                _ => _nodes[_random.Next(_nodes.Count)],                   // FROM an intermediate layer (a cached build step)
            };
        }

        private void TagHead(Node node, string family, string? tag)
        {
            if (_tags >= _spec.Tags)
            {
                return;
            }

            var repository = Namespaces[_random.Next(Namespaces.Length)] + family;
            if (_random.Next(10) == 0)
            {
                var digest = "sha256:" + RandomHex(_random, 64);
                Tag(repository + "@" + digest, node);
                return;
            }

            tag ??= _random.Next(6) switch
            {
                0 => "latest",
                1 => string.Create(CultureInfo.InvariantCulture, $"{_random.Next(1, 10)}.{_random.Next(0, 20)}"),
                2 => string.Create(CultureInfo.InvariantCulture, $"{_random.Next(1, 10)}.{_random.Next(0, 20)}.{_random.Next(0, 30)}"),
                3 => string.Create(CultureInfo.InvariantCulture, $"v{_random.Next(1, 400)}"),
                4 => string.Create(CultureInfo.InvariantCulture, $"build-{_random.Next(1000, 99999)}"),
                _ => string.Create(CultureInfo.InvariantCulture, $"{Distros[_random.Next(Distros.Length)]}-{_random.Next(1, 30)}"),
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

        private Node AddChain(Node? parent, int count, string family, Random random)
        {
            if (parent is not null && !parent.HasChildren)
            {
                parent.HasChildren = true;
                _heads.Remove(parent);
            }

            var current = parent;
            for (var i = 0; i < count; i++)
            {
                current = AddLayer(current, family, random);
            }

            _heads.Add(current!);
            return current!;
        }

        private Node AddLayer(Node? parent, string family, Random random)
        {
            var id = RandomHex(random, 64);
            var depth = (parent?.Depth ?? 0) + 1;
            var created = _epoch.AddSeconds(_nodes.Count * 97L + random.Next(60)).AddTicks(random.Next(10_000_000));
            var container = RandomHex(random, 64);
            var env = new List<string>
            {
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                string.Create(CultureInfo.InvariantCulture, $"{family.ToUpperInvariant().Replace('-', '_')}_VERSION={random.Next(1, 10)}.{random.Next(0, 20)}.{random.Next(0, 30)}"),
            };
            if (depth > 2)
            {
                env.Add("GOSU_VERSION=1." + random.Next(4, 11).ToString(CultureInfo.InvariantCulture));
                env.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{family.ToUpperInvariant().Replace('-', '_')}_DOWNLOAD_URL=https://downloads.example.org/{family}/{family}-{random.Next(1, 10)}.{random.Next(0, 20)}.tar.gz"));
                env.Add(family.ToUpperInvariant().Replace('-', '_') + "_DOWNLOAD_SHA256=" + RandomHex(random, 64));
            }

            var (command, files) = parent is null
                ? ($"#(nop) ADD file:{RandomHex(random, 64)} in / ", 4)
                : random.Next(5) switch
                {
                    0 => ($"#(nop) ENV {env[^1]}", 0),
                    1 => ($"#(nop) CMD [\"{family}-server\"]", 0),
                    2 => ($"#(nop) EXPOSE {random.Next(1000, 9999)}/tcp", 0),
                    _ => ($"apt-get update && apt-get install -y --no-install-recommends {string.Join(' ', Enumerable.Range(0, random.Next(2, 6)).Select(_ => Packages[random.Next(Packages.Length)]))} && rm -rf /var/lib/apt/lists/*", random.Next(1, 4)),
                };

            var runConfig = new ContainerConfig
            {
                Hostname = container[..12],
                Domainname = string.Empty,
                User = string.Empty,
                ExposedPorts = random.Next(3) == 0 ? [random.Next(1000, 9999).ToString(CultureInfo.InvariantCulture) + "/tcp"] : null,
                PublishService = string.Empty,
                Env = env,
                Cmd = [family + "-server"],
                Image = parent?.Id ?? string.Empty,
                Volumes = random.Next(4) == 0 ? ["/var/lib/" + family] : null,
                VolumeDriver = string.Empty,
                WorkingDir = random.Next(2) == 0 ? "/srv/" + family : string.Empty,
                Entrypoint = random.Next(3) == 0 ? ["docker-entrypoint.sh"] : null,
                MacAddress = string.Empty,
                OnBuild = [],
                Labels = new Dictionary<string, string>(StringComparer.Ordinal),
            };

            var contentSeed = random.Next();
            var checksum = random.Next(3) == 0 ? "sha256:" + RandomHex(random, 64) : null;
            var style = random.Next(2) == 0 ? ImageJsonStyle.Encoder : ImageJsonStyle.Marshal;
            var dockerVersion = random.Next(3) switch { 0 => "1.7.1", 1 => "1.8.3", _ => "1.9.1" };
            _builder.AddLayer(l =>
            {
                l.Id(id).Parent(parent?.Id).Created(created).CreatedBy(command).DockerVersion(dockerVersion).JsonStyle(style)
                    .Config(runConfig)
                    .Image(image => image with { ContainerConfig = runConfig with { Cmd = ["/bin/sh", "-c", command] } });
                if (checksum is not null)
                {
                    l.Checksum(checksum);
                }

                var contentRandom = new Random(contentSeed);
                for (var f = 0; f < files; f++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"usr/local/{family}/lib-{f}-{contentRandom.Next(1000)}.so");
                    l.File(name, new string('x', contentRandom.Next(16, 2048)), mode: "0755");
                }

                if (parent is null)
                {
                    l.Directory("tmp", mode: "1777").Symlink("bin/sh", "/bin/busybox");
                }
            });

            var node = new Node(id, depth, family);
            _nodes.Add(node);
            return node;
        }

        private static string RandomHex(Random random, int length)
        {
            Span<byte> bytes = stackalloc byte[length / 2];
            random.NextBytes(bytes);
            return Convert.ToHexStringLower(bytes);
        }
    }
}

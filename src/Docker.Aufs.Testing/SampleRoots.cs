using System.IO.Abstractions;
using System.Text;
using Docker.Aufs.IO;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Testing;

/// <summary>
/// The built-in sample root: a Docker 1.x AUFS host after <c>docker pull busybox</c> and <c>docker pull redis</c> in December
/// 2017, with the exact image IDs, parent chains, <c>aufs/layers</c> files and image JSON documents of that host (the
/// redis top and base JSON byte for byte, as Docker 1.4–1.8.2 wrote them: compact with a trailing newline). Layer
/// contents are small stand-ins: a few files per layer, with hardlinks, symbolic links, a whiteout and an opaque directory.
/// </summary>
/// <remarks>
/// The same images and container can be written as the content-addressed root of Docker 1.10+
/// (<see cref="Write(IFileSystem, ImageStoreKind, string, SpecialFileMode)"/>): the build steps that only change metadata
/// (<c>ENV</c>, <c>CMD</c>, <c>VOLUME</c>…) are empty layers there, and the IDs are those of
/// <see cref="ContentAddressedIds"/>.
/// </remarks>
/// <threadsafety static="true" instance="true"/>
public static class SampleRoots
{
    /// <summary>The image ID of <c>busybox:latest</c>.</summary>
    public const string BusyboxId = "789355058656ec2ca0a856283e2597852ccd444548c9ef4fcbf8c9c24a73e169";

    /// <summary>The image ID of <c>redis:latest</c>.</summary>
    public const string RedisId = "c7d952921cec16e2213a30b7e9251ae41d3388f8bb47a55115373eb8f5f86c0d";

    /// <summary>The ID of the sample's one container: <c>redis-cache</c>, a stopped container of <c>redis</c>.</summary>
    public const string RedisContainerId = "40777c4b779be08d556b5aebd6fca4a177c7589443bfe12ee6a16a7e0f024f7f";

    /// <summary>The name of the sample's container.</summary>
    public const string RedisContainerName = "redis-cache";

    /// <summary>
    /// The IDs of the sample written as a content-addressed root (<see cref="Write(IFileSystem, ImageStoreKind, string, SpecialFileMode)"/>
    /// with <see cref="ImageStoreKind.ContentAddressed"/>): image IDs are the SHA-256 of the configs the builder writes, so
    /// they differ from the graph era's.
    /// </summary>
    /// <threadsafety static="true" instance="true"/>
    public static class ContentAddressedIds
    {
        /// <summary>The image ID of <c>busybox:latest</c>.</summary>
        public const string BusyboxId = "sha256:b34e82d046b0a247d633f5aae5db992e7d9ba1700b9431b0e9e00c40a80fc153";

        /// <summary>The image ID of <c>redis:latest</c>.</summary>
        public const string RedisId = "sha256:59bc11bfb35ddf89509cfdc33fad3522ab335a817a6a8f7884635b5261b1bd65";

        /// <summary>The ID of the sample's one container, <c>redis-cache</c> (the same as in the graph-era sample).</summary>
        public const string RedisContainerId = SampleRoots.RedisContainerId;

        /// <summary>The mount ID of the container: its layers are <c>aufs/diff/&lt;mount-id&gt;</c> and <c>aufs/diff/&lt;mount-id&gt;-init</c>.</summary>
        public const string RedisMountId = "30228c7eddc6ce65569dd521504d52861ac57c0d7bcbfa65d3bf159b1d8a4b98";
    }

    private const string BusyboxBase = "97d69bba9a9d8406055d0fdc38a7f00162823ee5ca3751fc71531cb210204ff9";

    private const string RedisTopJson = "{\"id\":\"c7d952921cec16e2213a30b7e9251ae41d3388f8bb47a55115373eb8f5f86c0d\",\"parent\":\"cdae54488c335c13449ff5144e0314e70a800e123d8040d75cb232a9ac9d15f3\",\"created\":\"2017-12-12T07:15:58.901779813Z\",\"container\":\"cf72799c32e80417751c6657f680d42cef1f5a03befe10074860e9fdfa8d9709\",\"container_config\":{\"Hostname\":\"cf72799c32e8\",\"Domainname\":\"\",\"User\":\"\",\"Memory\":0,\"MemorySwap\":0,\"CpuShares\":0,\"Cpuset\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"PortSpecs\":null,\"ExposedPorts\":{\"6379/tcp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"GOSU_VERSION=1.10\",\"REDIS_VERSION=4.0.6\",\"REDIS_DOWNLOAD_URL=http://download.redis.io/releases/redis-4.0.6.tar.gz\",\"REDIS_DOWNLOAD_SHA=769b5d69ec237c3e0481a262ff5306ce30db9b5c8ceb14d1023491ca7be5f6fa\"],\"Cmd\":[\"/bin/sh\",\"-c\",\"#(nop) \",\"CMD [\\\"redis-server\\\"]\"],\"Image\":\"sha256:03e433d6dc5431c878f412f8a65064556876c6dbad3393bd2d9cfff6ee66b794\",\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/data\",\"Entrypoint\":[\"docker-entrypoint.sh\"],\"NetworkDisabled\":false,\"MacAddress\":\"\",\"OnBuild\":[],\"Labels\":{}},\"docker_version\":\"17.06.2-ce\",\"config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"Memory\":0,\"MemorySwap\":0,\"CpuShares\":0,\"Cpuset\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"PortSpecs\":null,\"ExposedPorts\":{\"6379/tcp\":{}},\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\"GOSU_VERSION=1.10\",\"REDIS_VERSION=4.0.6\",\"REDIS_DOWNLOAD_URL=http://download.redis.io/releases/redis-4.0.6.tar.gz\",\"REDIS_DOWNLOAD_SHA=769b5d69ec237c3e0481a262ff5306ce30db9b5c8ceb14d1023491ca7be5f6fa\"],\"Cmd\":[\"redis-server\"],\"Image\":\"sha256:03e433d6dc5431c878f412f8a65064556876c6dbad3393bd2d9cfff6ee66b794\",\"Volumes\":{\"/data\":{}},\"WorkingDir\":\"/data\",\"Entrypoint\":[\"docker-entrypoint.sh\"],\"NetworkDisabled\":false,\"MacAddress\":\"\",\"OnBuild\":[],\"Labels\":null},\"architecture\":\"amd64\",\"os\":\"linux\",\"Size\":0}\n";

    private const string RedisBaseJson = "{\"id\":\"2e4125888032d525ea7911decb974240d77d5946a00262bbabf6a765b28351c4\",\"created\":\"2017-12-12T01:41:34.77099551Z\",\"container_config\":{\"Hostname\":\"\",\"Domainname\":\"\",\"User\":\"\",\"Memory\":0,\"MemorySwap\":0,\"CpuShares\":0,\"Cpuset\":\"\",\"AttachStdin\":false,\"AttachStdout\":false,\"AttachStderr\":false,\"PortSpecs\":null,\"ExposedPorts\":null,\"Tty\":false,\"OpenStdin\":false,\"StdinOnce\":false,\"Env\":null,\"Cmd\":[\"/bin/sh -c #(nop) ADD file:e7ac45803c3ab9b7023933b75f5a88eda1f3edca97c7e462401860777cf312f7 in / \"],\"Image\":\"\",\"Volumes\":null,\"WorkingDir\":\"\",\"Entrypoint\":null,\"NetworkDisabled\":false,\"MacAddress\":\"\",\"OnBuild\":null,\"Labels\":null},\"Size\":79146752}\n";

    private static readonly string[] RedisChain =
    [
        RedisId,
        "cdae54488c335c13449ff5144e0314e70a800e123d8040d75cb232a9ac9d15f3",
        "b24a601bcb9d4e260f17cb62896fdac69879b9c9d1c20edf89148009bb7eabdd",
        "b7619ad72c9ec5b3c9c46d8d97889980814a97429133efa4c9029d0a2377a053",
        "893c56607b58ceaf230a05b23bf0d623e25cdcdb3f294851c51aaadddd2ffa4a",
        "41f541aa23f61e71734713a96b4e9051b1c069e0c7ce9f90ec5af9225782d87d",
        "a2c7b01316337e88a14f8a0b7c3be69a3d97b2a53a2cea086c9df1e903687101",
        "f450a2878ab6a2d234f3a5107205e5599dd3c75565d8fc360f5b7f889c0e78ed",
        "3729e0036a740d3154b22675958accc7182a43a3a1885a1af3ea2fe3d01edc34",
        "c0f8939f779a9f6bcf63aa97be01909f3f12015b60d9aef29ff77d8c0c0bd517",
        "148cfbb17c8f4695253afa1a26d91c01f04d062d95d7e955c6093c9a744c1e07",
        "adcb27129429d01e1b72617a732163644ee7be9b031398c97c2e21987f78a608",
        "e4b18f28200c126f9d4e95cd987204b68dbc4dcc2b7729a43ae10fe5ecd6700e",
        "e5bcc9ce9b776659b5d8a8dc4d1b4bccb0d3f5a9c3ec750f5e1aa5f58c3e5a4e",
        "77fe44e7dc795ca45a75317956361c79a69e03f2e231eecabab43fb4828c1e02",
        "2e4125888032d525ea7911decb974240d77d5946a00262bbabf6a765b28351c4",
    ];

    private static readonly string[] RedisEnv =
    [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "GOSU_VERSION=1.10",
        "REDIS_VERSION=4.0.6",
        "REDIS_DOWNLOAD_URL=http://download.redis.io/releases/redis-4.0.6.tar.gz",
        "REDIS_DOWNLOAD_SHA=769b5d69ec237c3e0481a262ff5306ce30db9b5c8ceb14d1023491ca7be5f6fa",
    ];

    /// <summary>Gets the layer IDs of <c>busybox:latest</c>, top first.</summary>
    public static IReadOnlyList<string> BusyboxLayers { get; } = [BusyboxId, BusyboxBase];

    /// <summary>Gets the layer IDs of <c>redis:latest</c>, top first (16 layers).</summary>
    public static IReadOnlyList<string> RedisLayers { get; } = RedisChain;

    private const string DockerVersion = "17.06.2-ce";

    private const string RedisBaseCommand = "#(nop) ADD file:e7ac45803c3ab9b7023933b75f5a88eda1f3edca97c7e462401860777cf312f7 in / ";

    /// <summary>The steps of the redis image above its base, each with its <c>ENV</c> count and, when it adds files, its content.</summary>
    private static readonly (string Command, int EnvCount, Action<LayerBuilder>? Content)[] RedisSteps =
    [
        ("#(nop)  CMD [\"bash\"]", 1, null),
        ("groupadd -r redis && useradd -r -g redis redis", 1, RedisUserFiles),
        ("#(nop)  ENV GOSU_VERSION=1.10", 2, null),
        ("set -ex; fetchDeps='ca-certificates wget'; apt-get update; apt-get install -y --no-install-recommends $fetchDeps; rm -rf /var/lib/apt/lists/*; " +
         "dpkgArch=\"$(dpkg --print-architecture | awk -F- '{ print $NF }')\"; wget -O /usr/local/bin/gosu \"https://github.com/tianon/gosu/releases/download/$GOSU_VERSION/gosu-$dpkgArch\"; " +
         "chmod +x /usr/local/bin/gosu; gosu nobody true; apt-get purge -y --auto-remove $fetchDeps", 2, GosuFiles),
        ("#(nop)  ENV REDIS_VERSION=4.0.6", 3, null),
        ("#(nop)  ENV REDIS_DOWNLOAD_URL=http://download.redis.io/releases/redis-4.0.6.tar.gz", 4, null),
        ("#(nop)  ENV REDIS_DOWNLOAD_SHA=769b5d69ec237c3e0481a262ff5306ce30db9b5c8ceb14d1023491ca7be5f6fa", 5, null),
        ("set -ex; buildDeps='wget gcc libc6-dev make'; apt-get update; apt-get install -y $buildDeps --no-install-recommends; rm -rf /var/lib/apt/lists/*; " +
         "wget -O redis.tar.gz \"$REDIS_DOWNLOAD_URL\"; echo \"$REDIS_DOWNLOAD_SHA *redis.tar.gz\" | sha256sum -c -; mkdir -p /usr/src/redis; " +
         "tar -xzf redis.tar.gz -C /usr/src/redis --strip-components=1; rm redis.tar.gz; make -C /usr/src/redis -j \"$(nproc)\"; make -C /usr/src/redis install; " +
         "rm -r /usr/src/redis; apt-get purge -y --auto-remove $buildDeps", 5, RedisFiles),
        ("mkdir /data && chown redis:redis /data", 5, l => l.Directory("data", uid: 999, gid: 999)),
        ("#(nop)  VOLUME [/data]", 5, null),
        ("#(nop) WORKDIR /data", 5, null),
        ("#(nop) COPY file:b63bb2d2b8d09598f1d4ba7d94f1e6c6e6e9ff0b4f25ad3b32dcbd2b0d6d4d1f in /usr/local/bin/ ", 5, EntrypointFiles),
        ("#(nop)  ENTRYPOINT [\"docker-entrypoint.sh\"]", 5, null),
        ("#(nop)  EXPOSE 6379/tcp", 5, null),
    ];

    /// <summary>Writes the sample root onto a new in-memory file system (<c>MockFileSystem</c>), special files recorded.</summary>
    /// <param name="path">The root's path; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <returns>The written root; <see cref="BuiltRoot.Open"/> reads it.</returns>
    public static BuiltRoot WriteInMemory(string? path = null) => Write(new System.IO.Abstractions.TestingHelpers.MockFileSystem(), path, SpecialFileMode.Recorded);

    /// <summary>Writes the sample root.</summary>
    /// <param name="fileSystem">Where to write it (a <c>MockFileSystem</c>, or the real file system).</param>
    /// <param name="path">The root's path; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="specialFiles">How to write symbolic links and hardlinks.</param>
    /// <returns>The written root.</returns>
    public static BuiltRoot Write(IFileSystem fileSystem, string? path = null, SpecialFileMode specialFiles = SpecialFileMode.Auto) =>
        Write(new DockerRootBuilder(fileSystem, path, specialFiles));

    /// <summary>Writes the sample root with the chosen image store onto a new in-memory file system (<c>MockFileSystem</c>), special files recorded.</summary>
    /// <param name="store">The image store: the graph era's (as <see cref="WriteInMemory(string)"/>) or Docker 1.10+'s.</param>
    /// <param name="path">The root's path; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <returns>The written root; <see cref="BuiltRoot.Open"/> reads it.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="store"/> is not a store kind.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The shipped overload keeps its meaning (graph era); this one has a required ImageStoreKind, so no call can mean both.")]
    public static BuiltRoot WriteInMemory(ImageStoreKind store, string? path = null) =>
        Write(new System.IO.Abstractions.TestingHelpers.MockFileSystem(), store, path, SpecialFileMode.Recorded);

    /// <summary>
    /// Writes the sample root with the chosen image store. As a content-addressed root (Docker 1.10+ on AUFS) it holds the
    /// same busybox and redis images, built step by step (the metadata-only steps as empty layers: busybox has one layer,
    /// redis six), tagged <c>busybox:latest</c> and <c>redis:latest</c>, and the same stopped redis container; its IDs are
    /// those of <see cref="ContentAddressedIds"/>.
    /// </summary>
    /// <param name="fileSystem">Where to write it (a <c>MockFileSystem</c>, or the real file system).</param>
    /// <param name="store">The image store: the graph era's (as <see cref="Write(IFileSystem, string, SpecialFileMode)"/>) or Docker 1.10+'s.</param>
    /// <param name="path">The root's path; <see langword="null"/> for <c>/var/lib/docker</c>.</param>
    /// <param name="specialFiles">How to write symbolic links and hardlinks.</param>
    /// <returns>The written root.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="store"/> is not a store kind.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters",
        Justification = "The shipped overload keeps its meaning (graph era); this one has a required ImageStoreKind, so no call can mean both.")]
    public static BuiltRoot Write(IFileSystem fileSystem, ImageStoreKind store, string? path = null, SpecialFileMode specialFiles = SpecialFileMode.Auto) =>
        Write(new DockerRootBuilder(fileSystem, store, path, specialFiles));

    /// <summary>
    /// Writes the sample root with a builder of any store and driver, for instance a content-addressed root on overlay2
    /// (<c>new DockerRootBuilder(fileSystem, ImageStoreKind.ContentAddressed, "overlay2")</c>): the same images, tags and
    /// container as <see cref="Write(IFileSystem, ImageStoreKind, string, SpecialFileMode)"/> writes for the builder's
    /// store. Image IDs do not depend on the driver (layer tars are the same), so the IDs are those of that store.
    /// </summary>
    /// <param name="builder">A new builder, with nothing added yet.</param>
    /// <returns>The written root.</returns>
    /// <exception cref="InvalidOperationException">Something was already added to <paramref name="builder"/>.</exception>
    public static BuiltRoot Write(DockerRootBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.IsEmpty)
        {
            throw new InvalidOperationException("The sample root is written with a new builder: this one already has layers, images, tags or containers.");
        }

        if (builder.Store == ImageStoreKind.Graph)
        {
            AddBusybox(builder);
            AddRedis(builder);
            builder.Tag("busybox:latest", BusyboxId);
            builder.Tag("redis:latest", RedisId);
            AddRedisContainer(builder, RedisId);
            return builder.Build();
        }

        var busybox = AddBusyboxSteps(builder);
        var redis = AddRedisSteps(builder);
        builder.Tag("busybox:latest", busybox);
        builder.Tag("redis:latest", redis);
        AddRedisContainer(builder, redis);
        return builder.Build();
    }

    private static readonly DateTimeOffset BusyboxCreated = new DateTimeOffset(2017, 11, 3, 22, 39, 17, TimeSpan.Zero).AddTicks(1_251_325);

    private static readonly ContainerConfig BusyboxShell = new() { Env = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd = ["sh"] };

    private const string BusyboxAddCommand = "#(nop) ADD file:6cd9e761a7e0a9a2b6c8b2b4c0f8f4f4ee1d6cbbc6a2ae9b9fa4b77f0bd5b5f8 in / ";

    private const string BusyboxCmdCommand = "#(nop)  CMD [\"sh\"]";

    private static void AddBusybox(DockerRootBuilder builder)
    {
        builder.AddLayer(l => BusyboxFiles(l.Id(BusyboxBase).Created(BusyboxCreated).DockerVersion(DockerVersion).JsonStyle(ImageJsonStyle.Encoder)
            .CreatedBy(BusyboxAddCommand)
            .Config(BusyboxShell with { Cmd = null })));
        builder.AddLayer(l => l.Id(BusyboxId).Parent(BusyboxBase).Created(BusyboxCreated.AddSeconds(1)).DockerVersion(DockerVersion).JsonStyle(ImageJsonStyle.Encoder)
            .CreatedBy(BusyboxCmdCommand).Config(BusyboxShell));
    }

    /// <summary>busybox as a Docker 1.10+ build: the <c>ADD</c> step's layer, then <c>CMD</c> as an empty layer.</summary>
    /// <returns>The image ID.</returns>
    private static string AddBusyboxSteps(DockerRootBuilder builder)
    {
        var root = builder.AddLayer(l => BusyboxFiles(l.Created(BusyboxCreated).DockerVersion(DockerVersion).CreatedBy(BusyboxAddCommand).Config(BusyboxShell with { Cmd = null })));
        return builder.AddLayer(l => l.Parent(root).Created(BusyboxCreated.AddSeconds(1)).DockerVersion(DockerVersion).CreatedBy(BusyboxCmdCommand).Config(BusyboxShell).EmptyLayer());
    }

    private static LayerBuilder BusyboxFiles(LayerBuilder l) => l
        .Directory("bin").FileBytes("bin/busybox", Encoding.ASCII.GetBytes("\u007fELF BusyBox v1.27.2 (2017-10-02 19:51:26 UTC) multi-call binary.\n"), mode: "0755")
        .Hardlink("bin/sh", "bin/busybox").Hardlink("bin/ls", "bin/busybox").Hardlink("bin/cat", "bin/busybox").Hardlink("bin/echo", "bin/busybox")
        .Directory("dev").Directory("home")
        .File("etc/group", "root:x:0:\ndaemon:x:1:\nnogroup:x:65534:\n")
        .File("etc/passwd", "root:x:0:0:root:/root:/bin/sh\ndaemon:x:1:1:daemon:/usr/sbin:/bin/false\nnobody:x:65534:65534:nobody:/home:/bin/false\n")
        .Directory("root", mode: "0700").Directory("tmp", mode: "1777")
        .Directory("usr/sbin").Directory("var/spool/mail").Directory("var/www");

    /// <summary>
    /// <c>docker run -d --name redis-cache -p 6379:6379 redis</c>, used with <c>redis-cli</c>, then stopped: it saved
    /// <c>/data/dump.rdb</c>, left a <c>redis-cli</c> history in <c>/root</c> and deleted <c>redis-benchmark</c> (a whiteout
    /// hardlinked to <c>.wh..wh.aufs</c>, as AUFS writes it). <c>/usr</c> and <c>/usr/local</c> were copied up unchanged.
    /// </summary>
    private static void AddRedisContainer(DockerRootBuilder builder, string imageId)
    {
        var created = new DateTimeOffset(2017, 12, 12, 8, 0, 0, TimeSpan.Zero).AddTicks(1_234_567);
        var entrypointLayer = new DateTimeOffset(2017, 12, 12, 7, 10, 2, TimeSpan.Zero).AddSeconds(17 * 12).AddTicks(4_231_000 + 12);
        var used = new DateTimeOffset(2017, 12, 14, 10, 29, 41, TimeSpan.Zero);
        builder.AddContainer(c => c
            .Id(RedisContainerId)
            .Name(RedisContainerName)
            .Image(imageId, "redis")
            .Created(created)
            .Command("docker-entrypoint.sh", "redis-server")
            .Config(new ContainerConfig
            {
                ExposedPorts = ["6379/tcp"],
                Env = RedisEnv,
                Cmd = ["redis-server"],
                Volumes = ["/data"],
                WorkingDir = "/data",
                Entrypoint = ["docker-entrypoint.sh"],
            })
            .HostConfig(new HostConfigJson
            {
                NetworkMode = "default",
                PortBindings = new Dictionary<string, IReadOnlyList<PortBindingJson>?>
                {
                    ["6379/tcp"] = [new PortBindingJson { HostIp = string.Empty, HostPort = "6379" }],
                },
                RestartPolicy = new RestartPolicyJson { Name = "no" },
                LogConfig = new LogConfigJson { Type = "json-file", Config = new Dictionary<string, string>() },
            })
            .Exited(0, created.AddSeconds(1).AddTicks(2_345_678), new DateTimeOffset(2017, 12, 14, 10, 30, 2, TimeSpan.Zero).AddTicks(8_765_432))
            .Changes(l => l
                .Directory("data", uid: 999, gid: 999, modified: used)
                .FileBytes("data/dump.rdb", Encoding.Latin1.GetBytes("REDIS0008\u00fa\tredis-ver\u00054.0.6\u00fe\u0000\u0000\u0008greeting\u0005hello\u00ff"), uid: 999, gid: 999, modified: used)
                .Directory("root", mode: "0700", modified: used)
                .File("root/.rediscli_history", "SET greeting hello\nGET greeting\nSAVE\n", mode: "0600", modified: used)
                .Directory("usr", modified: entrypointLayer)
                .Directory("usr/local", modified: entrypointLayer)
                .Directory("usr/local/bin", modified: used))
            .Delete("usr/local/bin/redis-benchmark"));
    }

    private static DateTimeOffset RedisBaseCreated => new DateTimeOffset(2017, 12, 12, 1, 41, 34, TimeSpan.Zero).AddTicks(7_709_955);

    private static DateTimeOffset RedisTopCreated => new DateTimeOffset(2017, 12, 12, 7, 15, 58, TimeSpan.Zero).AddTicks(9_017_798);

    /// <summary>When step <paramref name="index"/> (1–14) of the redis image was built.</summary>
    private static DateTimeOffset RedisStepCreated(int index) => index == 1
        ? new DateTimeOffset(2017, 12, 12, 1, 41, 35, TimeSpan.Zero).AddTicks(2_093_487)
        : new DateTimeOffset(2017, 12, 12, 7, 10, 2, TimeSpan.Zero).AddSeconds(17 * index).AddTicks(4_231_000 + index);

    private static void AddRedis(DockerRootBuilder builder)
    {
        var chain = RedisChain.Reverse().ToArray();
        builder.AddLayer(l => RedisBaseFiles(l.Id(chain[0]).RawJson(RedisBaseJson).Created(RedisBaseCreated)));
        for (var i = 0; i < RedisSteps.Length; i++)
        {
            var index = i + 1;
            var (command, envCount, content) = RedisSteps[i];
            builder.AddLayer(l =>
            {
                l.Id(chain[index]).Parent(chain[index - 1]).DockerVersion(DockerVersion).JsonStyle(ImageJsonStyle.Encoder)
                    .Created(RedisStepCreated(index))
                    .CreatedBy(command)
                    .Config(new ContainerConfig { Env = RedisEnv[..envCount], Cmd = ["bash"] });
                content?.Invoke(l);
            });
        }

        builder.AddLayer(l => l.Id(RedisId).Parent(chain[14]).RawJson(RedisTopJson).Created(RedisTopCreated));
    }

    /// <summary>redis as a Docker 1.10+ build: the base's <c>ADD</c>, the 14 steps above it (empty layers where they add no files), then <c>CMD</c>.</summary>
    /// <returns>The image ID.</returns>
    private static string AddRedisSteps(DockerRootBuilder builder)
    {
        var image = builder.AddLayer(l => RedisBaseFiles(l.Created(RedisBaseCreated).DockerVersion(DockerVersion).CreatedBy(RedisBaseCommand)));
        for (var i = 0; i < RedisSteps.Length; i++)
        {
            var index = i + 1;
            var (command, envCount, content) = RedisSteps[i];
            var parent = image;
            image = builder.AddLayer(l =>
            {
                l.Parent(parent).DockerVersion(DockerVersion).Created(RedisStepCreated(index)).CreatedBy(command)
                    .Config(new ContainerConfig { Env = RedisEnv[..envCount], Cmd = ["bash"] });
                if (content is null)
                {
                    l.EmptyLayer();
                }
                else
                {
                    content(l);
                }
            });
        }

        var top = image;
        return builder.AddLayer(l => l.Parent(top).DockerVersion(DockerVersion).Created(RedisTopCreated).CreatedBy("#(nop)  CMD [\"redis-server\"]")
            .Config(new ContainerConfig
            {
                ExposedPorts = ["6379/tcp"],
                Env = RedisEnv,
                Cmd = ["redis-server"],
                Volumes = ["/data"],
                WorkingDir = "/data",
                Entrypoint = ["docker-entrypoint.sh"],
            })
            .EmptyLayer());
    }

    private static LayerBuilder RedisBaseFiles(LayerBuilder l) => l
        .FileBytes("bin/bash", Encoding.ASCII.GetBytes("\u007fELF GNU bash, version 4.4.12(1)-release (x86_64-pc-linux-gnu)\n"), mode: "0755")
        .FileBytes("bin/dash", Encoding.ASCII.GetBytes("\u007fELF dash 0.5.8\n"), mode: "0755")
        .Symlink("bin/sh", "dash")
        .Directory("dev").Directory("proc").Directory("sys").Directory("root", mode: "0700").Directory("tmp", mode: "1777")
        .File("etc/debian_version", "9.3\n")
        .File("etc/os-release", "PRETTY_NAME=\"Debian GNU/Linux 9 (stretch)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"9\"\nID=debian\n")
        .File("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        .File("etc/group", "root:x:0:\nshadow:x:42:\nnogroup:x:65534:\n")
        .File("etc/shadow", "root:*:17507:0:99999:7:::\nnobody:*:17507:0:99999:7:::\n", mode: "0640", gid: 42)
        .FileBytes("lib/x86_64-linux-gnu/libc-2.24.so", Encoding.ASCII.GetBytes("\u007fELF GNU C Library (Debian GLIBC 2.24-11+deb9u1)\n"), mode: "0755")
        .Symlink("lib/x86_64-linux-gnu/libc.so.6", "libc-2.24.so")
        .Symlink("lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-2.24.so")
        .File("usr/bin/env", "\u007fELF env (GNU coreutils) 8.26\n", mode: "0755")
        .File("var/cache/debconf/templates.dat", "Name: debconf/frontend\nTemplate: debconf/frontend\n")
        .File("var/cache/debconf/templates.dat-old", "Name: debconf/frontend\n")
        .File("var/lib/apt/lists/deb.debian.org_debian_dists_stretch_InRelease", "Origin: Debian\nSuite: stable\n")
        .File("var/lib/dpkg/status", "Package: base-files\nStatus: install ok installed\n");

    private static void RedisUserFiles(LayerBuilder l) => l
        .File("etc/passwd", "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\nredis:x:999:999::/home/redis:\n")
        .File("etc/passwd-", "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        .File("etc/group", "root:x:0:\nshadow:x:42:\nnogroup:x:65534:\nredis:x:999:\n")
        .File("etc/shadow", "root:*:17507:0:99999:7:::\nnobody:*:17507:0:99999:7:::\nredis:!:17512::::::\n", mode: "0640", gid: 42);

    private static void GosuFiles(LayerBuilder l) => l
        .FileBytes("usr/local/bin/gosu", Encoding.ASCII.GetBytes("\u007fELF gosu 1.10 (go1.7.1 on linux/amd64; gc)\n"), mode: "0755")
        .File("var/lib/dpkg/status", "Package: base-files\nStatus: install ok installed\n\nPackage: ca-certificates\nStatus: deinstall ok config-files\n")
        .Whiteout("var/cache/debconf/templates.dat-old")
        .OpaqueDirectory("var/lib/apt/lists");

    private static void RedisFiles(LayerBuilder l) => l
        .FileBytes("usr/local/bin/redis-server", Encoding.ASCII.GetBytes("\u007fELF Redis server v=4.0.6 sha=00000000:0 malloc=jemalloc-4.0.3 bits=64\n"), mode: "0755")
        .FileBytes("usr/local/bin/redis-cli", Encoding.ASCII.GetBytes("\u007fELF redis-cli 4.0.6\n"), mode: "0755")
        .FileBytes("usr/local/bin/redis-benchmark", Encoding.ASCII.GetBytes("\u007fELF redis-benchmark 4.0.6\n"), mode: "0755")
        .Symlink("usr/local/bin/redis-check-aof", "redis-server")
        .Symlink("usr/local/bin/redis-check-rdb", "redis-server")
        .Symlink("usr/local/bin/redis-sentinel", "redis-server")
        .Whiteout("var/lib/apt/lists/deb.debian.org_debian_dists_stretch_InRelease");

    private static void EntrypointFiles(LayerBuilder l) => l
        .File("usr/local/bin/docker-entrypoint.sh",
            "#!/bin/sh\nset -e\n\n# first arg is `-f` or `--some-option`\nif [ \"${1#-}\" != \"$1\" ] || [ \"${1%.conf}\" != \"$1\" ]; then\n\tset -- redis-server \"$@\"\nfi\n\n" +
            "# allow the container to be started with `--user`\nif [ \"$1\" = 'redis-server' -a \"$(id -u)\" = '0' ]; then\n\tchown -R redis .\n\texec gosu redis \"$0\" \"$@\"\nfi\n\nexec \"$@\"\n",
            mode: "0775");
}

using System.IO.Abstractions;
using System.Reflection;
using System.Text.Json;
using BenchmarkDotNet.Attributes;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// Issue 11, goal (a): <c>images</c> on a 1.10+ (content-addressed) root of 2,000 images costs at most 1.5× reading the
/// image configs in process: listing <c>image/aufs/imagedb/content/sha256/</c>, reading each file's bytes and parsing them
/// with <see cref="JsonDocument"/>. Beside <see cref="IDockerRoot.GetImages"/>, the CLI's whole <c>images</c> command run in
/// process (argument parsing, the listing, the table written to a null writer). Every operation opens a fresh
/// <see cref="IDockerRoot"/>. The root is on the real disk, in a temporary directory.
/// </summary>
[Config(typeof(BenchmarkConfig))]
public class CasImagesBenchmarks
{
    private readonly FileSystem _fileSystem = new();
    private CasRootFixture _root = null!;
    private string _content = null!;
    private MethodInfo _cliMain = null!;
    private string[] _cliArguments = null!;

    [GlobalSetup]
    public void Setup()
    {
        _root = CasRootFixture.Create(CasSyntheticRootSpec.Large);
        _content = Path.Combine(_root.Path, "image", "aufs", "imagedb", "content", "sha256");
        _cliMain = Assembly.Load(new AssemblyName("docker-aufs")).EntryPoint ?? throw new InvalidOperationException("The CLI has no entry point.");
        _cliArguments = ["--root", _root.Path, "images"];
        if (CliImages() != 0)
        {
            throw new InvalidOperationException("docker-aufs images failed on the generated root.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _root.Dispose();

    [Benchmark(Baseline = true, Description = "Read and parse every imagedb config (JsonDocument)")]
    public long ReadAndParseEveryConfig()
    {
        long total = 0;
        foreach (var file in Directory.EnumerateFiles(_content))
        {
            var bytes = File.ReadAllBytes(file);
            using var document = JsonDocument.Parse(bytes);
            total += document.RootElement.GetPropertyCount();
        }

        return total;
    }

    [Benchmark(Description = "GetImages, 1.10+ root of 2,000 images")]
    public IReadOnlyList<ImageSummary> GetImages() => DockerRoot.Open(_fileSystem, _root.Path).GetImages();

    [Benchmark(Description = "CLI images in process (output to a null writer)")]
    public int CliImages()
    {
        var output = Console.Out;
        Console.SetOut(TextWriter.Null);
        try
        {
            return (int)_cliMain.Invoke(null, [_cliArguments])!;
        }
        finally
        {
            Console.SetOut(output);
        }
    }
}

using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Benchmarks;

/// <summary>
/// Throughput of <see cref="Crc64Iso.Update"/>, the CRC-64/GO-ISO that tar-split reassembly runs over every file byte,
/// on a 64 KiB and a 1 MiB buffer (random bytes, in the cache or not far from it): the carry-less-multiplication folding
/// it takes on processors with PCLMULQDQ against its table-driven slicing-by-8 loop (all it had before, still its path
/// for short data), as the baseline. <c>System.IO.Hashing.Crc64</c> (a different polynomial, ECMA-182) is not compared:
/// the projects do not reference that package.
/// </summary>
[Config(typeof(BenchmarkConfig))]
[MegabytesPerSecondColumn]
public class Crc64Benchmarks
{
    private byte[] _data = null!;

    [Params(64 * 1024, 1024 * 1024)]
    public int Size { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _data = new byte[Size];
        new Random(3309).NextBytes(_data);
        if (Crc64Iso.ComputeWithTables(_data) != Crc64Iso.Compute(_data))
        {
            throw new InvalidOperationException("The baseline and Crc64Iso disagree.");
        }
    }

    [Benchmark(Baseline = true, Description = "Slicing by 8 (old, table only)")]
    public ulong SlicingBy8Baseline() => Crc64Iso.ComputeWithTables(_data);

    [Benchmark(Description = "Crc64Iso.Update (PCLMULQDQ folding)")]
    public ulong Crc64IsoUpdate() => Crc64Iso.Update(0, _data);
}

/// <summary>Adds a column with the throughput, the benchmark's <c>Size</c> parameter in bytes over its mean time, in MB/s (10^6 bytes).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class MegabytesPerSecondColumnAttribute : Attribute, IConfigSource
{
    public IConfig Config { get; } = ManualConfig.CreateEmpty().AddColumn(new MegabytesPerSecondColumn());

    private sealed class MegabytesPerSecondColumn : IColumn
    {
        public string Id => nameof(MegabytesPerSecondColumn);

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Throughput: Size bytes over the mean time, in 10^6 bytes per second";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var size = benchmarkCase.Parameters.Items.FirstOrDefault(p => p.Name == "Size")?.Value;
            var statistics = summary[benchmarkCase]?.ResultStatistics;
            if (size is not int bytes || statistics is null || statistics.Mean <= 0)
            {
                return "-";
            }

            // Mean is in nanoseconds: bytes per nanosecond * 1000 = MB/s.
            return (bytes / statistics.Mean * 1000).ToString("N0", CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }
}

using System.Buffers.Binary;
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
/// it takes on processors with PCLMULQDQ against the table-driven slicing-by-8 loop it used before, kept here as the
/// baseline. <c>System.IO.Hashing.Crc64</c> (a different polynomial, ECMA-182) is not compared: the projects do not
/// reference that package.
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
        if (TableOnlySlicingBy8.Compute(_data) != Crc64Iso.Compute(_data))
        {
            throw new InvalidOperationException("The baseline and Crc64Iso disagree.");
        }
    }

    [Benchmark(Baseline = true, Description = "Slicing by 8 (old, table only)")]
    public ulong SlicingBy8Baseline() => TableOnlySlicingBy8.Compute(_data);

    [Benchmark(Description = "Crc64Iso.Update (PCLMULQDQ folding)")]
    public ulong Crc64IsoUpdate() => Crc64Iso.Update(0, _data);

    /// <summary>A copy of <see cref="Crc64Iso"/>'s table-only algorithm before the folding path was added.</summary>
    private static class TableOnlySlicingBy8
    {
        private const ulong ReflectedPolynomial = 0xD800000000000000UL;

        private static readonly ulong[][] Tables = BuildTables();

        public static ulong Compute(ReadOnlySpan<byte> data)
        {
            var t0 = Tables[0];
            var t1 = Tables[1];
            var t2 = Tables[2];
            var t3 = Tables[3];
            var t4 = Tables[4];
            var t5 = Tables[5];
            var t6 = Tables[6];
            var t7 = Tables[7];
            var crc = ulong.MaxValue;
            while (data.Length >= 8)
            {
                crc ^= BinaryPrimitives.ReadUInt64LittleEndian(data);
                crc = t7[crc & 0xFF] ^
                      t6[(crc >> 8) & 0xFF] ^
                      t5[(crc >> 16) & 0xFF] ^
                      t4[(crc >> 24) & 0xFF] ^
                      t3[(crc >> 32) & 0xFF] ^
                      t2[(crc >> 40) & 0xFF] ^
                      t1[(crc >> 48) & 0xFF] ^
                      t0[crc >> 56];
                data = data[8..];
            }

            foreach (var b in data)
            {
                crc = t0[(byte)crc ^ b] ^ (crc >> 8);
            }

            return ~crc;
        }

        private static ulong[][] BuildTables()
        {
            var tables = new ulong[8][];
            tables[0] = new ulong[256];
            for (var i = 0; i < 256; i++)
            {
                var crc = (ulong)i;
                for (var bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 1) == 1 ? (crc >> 1) ^ ReflectedPolynomial : crc >> 1;
                }

                tables[0][i] = crc;
            }

            for (var k = 1; k < 8; k++)
            {
                tables[k] = new ulong[256];
                for (var i = 0; i < 256; i++)
                {
                    var previous = tables[k - 1][i];
                    tables[k][i] = tables[0][previous & 0xFF] ^ (previous >> 8);
                }
            }

            return tables;
        }
    }
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

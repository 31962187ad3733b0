using System.Text;
using Docker.Aufs.Formats;

namespace Docker.Aufs.Tests.Formats;

public sealed class Crc64IsoTests
{
    [Fact]
    public void Compute_CheckString_IsTheGoIsoCheckValue() =>
        Assert.Equal(0xB90956C775A41001UL, Crc64Iso.Compute("123456789"u8));

    [Fact]
    public void Compute_Empty_IsZero() => Assert.Equal(0UL, Crc64Iso.Compute([]));

    [Fact]
    public void Compute_IsNotTheEcmaVariant()
    {
        // CRC-64/XZ (ECMA-182 reflected, what System.IO.Hashing.Crc64 is not either) gives 0x995DC9BBDF1939FA for the check string;
        // CRC-64/ECMA-182 gives 0x6C40DF5F0B497347. The ISO value must differ from both.
        var crc = Crc64Iso.Compute("123456789"u8);
        Assert.NotEqual(0x995DC9BBDF1939FAUL, crc);
        Assert.NotEqual(0x6C40DF5F0B497347UL, crc);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(63)]
    [InlineData(1000)]
    [InlineData(65537)]
    public void Update_InPieces_EqualsOneShotAndBitwiseReference(int length)
    {
        var data = new byte[length];
        new Random(length).NextBytes(data);
        var oneShot = Crc64Iso.Compute(data);
        var pieces = 0UL;
        for (var i = 0; i < length; i += 13)
        {
            pieces = Crc64Iso.Update(pieces, data.AsSpan(i, Math.Min(13, length - i)));
        }

        Assert.Equal(oneShot, pieces);
        Assert.Equal(BitwiseReference(data), oneShot);
    }

    [Fact]
    public void Compute_LongInputsInPieces_GiveTheValuesOfTheDefinition()
    {
        // Pinned values of CRC-64/GO-ISO (reflected polynomial 0xD800000000000000, init and xorout all ones), worked out
        // outside this code base; the tables and the slicing of the implementation must reproduce them in one call and in pieces.
        byte[] pattern = [.. Enumerable.Repeat(Enumerable.Range(0, 256).Select(i => (byte)i), 256).SelectMany(b => b), (byte)'x'];
        Assert.Equal(0xF364CB3D352D2118UL, Crc64Iso.Compute(pattern));
        Assert.Equal(0x3FDF09CF356ACF35UL, Crc64Iso.Compute(new byte[1000]));
        var pieces = 0UL;
        for (var i = 0; i < pattern.Length; i += 4093)
        {
            pieces = Crc64Iso.Update(pieces, pattern.AsSpan(i, Math.Min(4093, pattern.Length - i)));
        }

        Assert.Equal(0xF364CB3D352D2118UL, pieces);
    }

    [Fact]
    public void ToBytes_IsBigEndianAsGoSumWrites() =>
        Assert.Equal([0xB9, 0x09, 0x56, 0xC7, 0x75, 0xA4, 0x10, 0x01], Crc64Iso.ToBytes(0xB90956C775A41001UL));

    [Fact]
    public void Compute_MatchesThePayloadTarSplitStores()
    {
        // `tar-split disasm` (vbatts/tar-split, Go hash/crc64 ISO) of a tar holding "foo" = "foo\n" stores payload "YUw8MDAAAAA=".
        var crc = Crc64Iso.Compute(Encoding.ASCII.GetBytes("foo\n"));
        Assert.Equal(Convert.FromBase64String("YUw8MDAAAAA="), Crc64Iso.ToBytes(crc));
    }

    [Fact]
    public void Compute_EveryLengthUpTo2048AtSeveralMisalignedOffsets_EqualsTheBitwiseReference()
    {
        // Lengths below Crc64Iso.FoldingThreshold take the table loop; the others fold with PCLMULQDQ where the processor
        // has it (every x64 machine of the last decade), through each arrangement of 128-byte steps, 16-byte blocks and
        // a 0..15-byte tail. The reference is run once per offset and its value read after every prefix.
        const int MaxLength = 2048;
        var buffer = new byte[MaxLength + 64];
        new Random(3309).NextBytes(buffer);
        foreach (var offset in (int[])[0, 1, 3, 8, 13, 31])
        {
            var expected = BitwisePrefixReferences(buffer.AsSpan(offset, MaxLength));
            for (var length = 0; length <= MaxLength; length++)
            {
                var actual = Crc64Iso.Compute(buffer.AsSpan(offset, length));
                if (actual != expected[length])
                {
                    Assert.Fail($"Offset {offset}, length {length}: 0x{actual:X16}, expected 0x{expected[length]:X16}.");
                }
            }
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Update_ChainedOverPiecesSplitAtRandomPoints_EqualsTheBitwiseReference(int seed)
    {
        // Pieces of 0..600 bytes cross the folding threshold and every block boundary, so a CRC folded in one call is
        // continued by the table loop in the next and the other way round.
        var random = new Random(seed);
        var data = new byte[40_000 + random.Next(256)];
        random.NextBytes(data);
        var expected = BitwiseReference(data);
        for (var round = 0; round < 8; round++)
        {
            var crc = 0UL;
            var position = 0;
            while (position < data.Length)
            {
                var length = Math.Min(data.Length - position, random.Next(round % 2 == 0 ? 601 : 97));
                crc = Crc64Iso.Update(crc, data.AsSpan(position, length));
                position += length;
            }

            Assert.Equal(expected, crc);
        }
    }

    [Fact]
    public void Update_ContinuingAFoldedPrefix_EqualsTheBitwiseReferenceOfTheWhole()
    {
        // Two long pieces: the second fold starts from a non-trivial register, XORed into its first 16 bytes.
        var data = new byte[5000];
        new Random(64).NextBytes(data);
        for (var split = 0; split <= data.Length; split += 97)
        {
            var crc = Crc64Iso.Update(Crc64Iso.Update(0, data.AsSpan(0, split)), data.AsSpan(split));
            Assert.Equal(BitwiseReference(data), crc);
        }
    }

    [Theory]
    [InlineData(16)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(4096)]
    public void Compute_AllZeroAndAllOnesBuffers_EqualTheBitwiseReference(int length)
    {
        // Degenerate inputs for the folding: every accumulator all ones or all zeros.
        Assert.Equal(BitwiseReference(new byte[length]), Crc64Iso.Compute(new byte[length]));
        var ones = Enumerable.Repeat((byte)0xFF, length).ToArray();
        Assert.Equal(BitwiseReference(ones), Crc64Iso.Compute(ones));
    }

    // The CRC of every prefix of data, data[..0] to data[..data.Length], by the bitwise reference.
    private static ulong[] BitwisePrefixReferences(ReadOnlySpan<byte> data)
    {
        var result = new ulong[data.Length + 1];
        var crc = 0UL;
        result[0] = crc;
        for (var i = 0; i < data.Length; i++)
        {
            crc = BitwiseReference(crc, data.Slice(i, 1));
            result[i + 1] = crc;
        }

        return result;
    }

    [Fact]
    public void ComputeWithTables_ByTheTableLoopAlone_IsTheDefinitionAtEveryLength()
    {
        var data = new byte[4096 + 7];
        new Random(11).NextBytes(data);

        foreach (var length in new[] { 0, 1, 7, 8, 15, 16, 127, 128, 255, 256, 1023, 4096 + 7 })
        {
            Assert.Equal(BitwiseReference(data.AsSpan(0, length)), Crc64Iso.ComputeWithTables(data.AsSpan(0, length)));
        }
    }

    private static ulong BitwiseReference(ReadOnlySpan<byte> data) => BitwiseReference(0, data);

    // The textbook bit-at-a-time reflected CRC: an independent implementation of the same definition. Continues crc,
    // the CRC of the data before, as Update does.
    private static ulong BitwiseReference(ulong crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        foreach (var b in data)
        {
            crc ^= b;
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xD800000000000000UL : crc >> 1;
            }
        }

        return ~crc;
    }
}

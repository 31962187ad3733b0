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

    // The textbook bit-at-a-time reflected CRC: an independent implementation of the same definition.
    private static ulong BitwiseReference(ReadOnlySpan<byte> data)
    {
        var crc = ulong.MaxValue;
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

using System.Buffers.Binary;

namespace Docker.Aufs.Formats;

/// <summary>
/// CRC-64 with the ISO 3309 polynomial as Go's <c>hash/crc64</c> computes it with <c>crc64.MakeTable(crc64.ISO)</c>
/// (CRC-64/GO-ISO: reflected polynomial <c>0xD800000000000000</c>, initial value and final XOR all ones; the check value
/// of <c>"123456789"</c> is <c>0xB90956C775A41001</c>). tar-split stores it, big-endian, as the payload of every file
/// entry. .NET's <c>System.IO.Hashing.Crc64</c> is the ECMA-182 variant and gives different values.
/// </summary>
/// <remarks>Table-driven, eight bytes per step ("slicing by 8").</remarks>
internal static class Crc64Iso
{
    private const ulong ReflectedPolynomial = 0xD800000000000000UL;

    // Tables[k][b]: the CRC contribution of byte b followed by k zero bytes.
    private static readonly ulong[][] Tables = BuildTables();

    /// <summary>Continues a CRC over <paramref name="data"/>, like Go's <c>crc64.Update</c>.</summary>
    /// <param name="crc">The CRC of the data before (0 for none).</param>
    /// <param name="data">The next bytes.</param>
    /// <returns>The CRC of all bytes so far.</returns>
    public static ulong Update(ulong crc, ReadOnlySpan<byte> data)
    {
        var t0 = Tables[0];
        var t1 = Tables[1];
        var t2 = Tables[2];
        var t3 = Tables[3];
        var t4 = Tables[4];
        var t5 = Tables[5];
        var t6 = Tables[6];
        var t7 = Tables[7];
        crc = ~crc;
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

    /// <summary>Returns the CRC of <paramref name="data"/>.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The CRC.</returns>
    public static ulong Compute(ReadOnlySpan<byte> data) => Update(0, data);

    /// <summary>Returns the 8-byte big-endian form Go's <c>hash.Sum(nil)</c> gives, as tar-split stores it.</summary>
    /// <param name="crc">A CRC.</param>
    /// <returns>Its bytes, most significant first.</returns>
    public static byte[] ToBytes(ulong crc)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, crc);
        return bytes;
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

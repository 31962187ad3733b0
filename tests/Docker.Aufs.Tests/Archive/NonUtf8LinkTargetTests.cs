using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Archive;

/// <summary>
/// Link targets that are not UTF-8 (issue 15, class 12, first part): Linux keeps a target as bytes, and Docker's Go code
/// writes those bytes into the tar as they are (a Go string is bytes), so a regenerated layer tar and an export must hold
/// exactly them — not U+FFFD, which would change the DiffID. Checked on the raw bytes (Go's writer puts a target
/// that is not ASCII in a PAX <c>linkpath</c> record), not through a tar reader that would decode them.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class NonUtf8LinkTargetTests
{
    // "f", an invalid byte, an invalid two-byte sequence (0xc3 then '('), "/x".
    private static readonly byte[] Target = [0x66, 0xFF, 0xC3, 0x28, 0x2F, 0x78];

    [Theory]
    [InlineData("layer-tar")]
    [InlineData("export")]
    public void ALinkWhoseTargetIsNotUtf8_IsWrittenWithTheTargetsBytes(string command)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "names as bytes on a Linux file system");
        using var temp = new TempDirectory();
        var root = temp.Combine("root");
        var (exit, _, error) = CliRunner.Run("sample", root);
        Assert.True(exit == 0, error);
        // busybox's layer that holds /etc/passwd (its top layer is empty).
        var passwd = DockerRoot.Open(new System.IO.Abstractions.FileSystem(), root).OpenImage("busybox").GetEntry("/etc/passwd").SourcePath;
        var layer = Path.GetDirectoryName(Path.GetDirectoryName(passwd))!;
        MakeLink(Target, Path.Combine(layer, "etc", "odd-link"));

        var output = temp.Combine("out.tar");
        string[] args = command == "layer-tar"
            ? ["--root", root, "layer-tar", Path.GetFileName(layer), "--layer-source", "regenerate", "-o", output]
            : ["--root", root, "export", "busybox", "-o", output];
        (exit, _, error) = CliRunner.Run(args);
        Assert.True(exit == 0, error);

        var (type, linkname) = Member(File.ReadAllBytes(output), "etc/odd-link");
        Assert.Equal((byte)'2', type);
        Assert.Equal(Target, linkname);
    }

    /// <summary>
    /// The typeflag and the link target of the member named <paramref name="name"/>, walking the headers by their sizes:
    /// the PAX <c>linkpath</c> record before it when there is one (Go writes a target that is not ASCII there), else the
    /// header's linkname field.
    /// </summary>
    private static (byte Type, byte[] Linkname) Member(byte[] tar, string name)
    {
        byte[]? linkpath = null;
        for (var offset = 0; offset + 512 <= tar.Length;)
        {
            var header = tar.AsSpan(offset, 512);
            if (header.IndexOfAnyExcept((byte)0) < 0)
            {
                break;
            }

            var memberName = Encoding.Latin1.GetString(TarExtraction.CString(header[..100]));
            var size = Convert.ToInt64(Encoding.ASCII.GetString(TarExtraction.CString(header.Slice(124, 12))).Trim(), 8);
            var data = tar.AsSpan(offset + 512, (int)size);
            if (header[156] == (byte)'x')
            {
                linkpath = TarExtraction.PaxValue(data, "linkpath");
            }
            else if (memberName == name)
            {
                return (header[156], linkpath ?? TarExtraction.CString(header.Slice(157, 100)));
            }
            else
            {
                linkpath = null;
            }

            offset += 512 + (int)((size + 511) / 512 * 512);
        }

        Assert.Fail($"no member {name} in the tar");
        return default;
    }

    private static void MakeLink(byte[] target, string path)
    {
        if (Symlink([.. target, 0], [.. Encoding.UTF8.GetBytes(path), 0]) != 0)
        {
            throw new IOException($"symlink {path} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", EntryPoint = "symlink", SetLastError = true)]
    private static extern int Symlink(byte[] target, byte[] path);
}

using System.IO.Abstractions;
using System.Text;
using Docker.Aufs.IO;

namespace Docker.Aufs.Cli;

/// <summary>
/// Command-line arguments as the shell passed them. .NET decodes <c>argv</c> as UTF-8, turning a byte that is not UTF-8
/// into U+FFFD, so <c>cat IMAGE $'/f\xffo'</c> would name <c>/f</c>, U+FFFD, <c>o</c>, which no file is. Linux keeps the bytes in
/// <c>/proc/self/cmdline</c>: an argument holding U+FFFD is read again from there and decoded as names are
/// (<see cref="NativeName"/>: the byte <c>FF</c> becomes U+DCFF), so it names the file <c>ls</c> showed as <c>$'/f\xffo'</c>.
/// </summary>
internal static class NativeArguments
{
    private const string CommandLine = "/proc/self/cmdline";

    /// <summary>
    /// Returns <paramref name="args"/> with each argument that holds U+FFFD replaced by its bytes from
    /// <c>/proc/self/cmdline</c> decoded as a name — only when those bytes decode to exactly that argument as .NET decoded
    /// it, so a literal U+FFFD typed by the user, or a command line that cannot be read, leaves the arguments as they are.
    /// </summary>
    public static string[] Recover(string[] args, IFileSystem fileSystem)
    {
        if (!OperatingSystem.IsLinux() || !args.Any(a => a.Contains('\uFFFD', StringComparison.Ordinal)))
        {
            return args;
        }

        byte[] raw;
        try
        {
            raw = fileSystem.File.ReadAllBytes(CommandLine);
        }
        catch (IOException)
        {
            return args;
        }
        catch (UnauthorizedAccessException)
        {
            return args;
        }

        // NUL-terminated arguments; the program's own (the host, the assembly) come first, the user's last.
        var parts = new List<byte[]>();
        var start = 0;
        for (var i = 0; i < raw.Length; i++)
        {
            if (raw[i] == 0)
            {
                parts.Add(raw[start..i]);
                start = i + 1;
            }
        }

        if (parts.Count < args.Length)
        {
            return args;
        }

        var recovered = (string[])args.Clone();
        var offset = parts.Count - args.Length;
        for (var i = 0; i < args.Length; i++)
        {
            var bytes = parts[offset + i];
            if (Encoding.UTF8.GetString(bytes) != args[i])
            {
                return args; // not the command line .NET decoded: keep what it gave
            }

            if (args[i].Contains('\uFFFD', StringComparison.Ordinal))
            {
                recovered[i] = NativeName.Decode(bytes);
            }
        }

        return recovered;
    }
}

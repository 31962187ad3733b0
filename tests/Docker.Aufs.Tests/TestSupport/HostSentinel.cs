using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;

namespace Docker.Aufs.Tests.TestSupport;

/// <summary>
/// Host files outside any Docker root that hostile links point at, watched with inotify: every open or read of them, or
/// listing of their directories, through any path (links included), is an event. A test links parts of a root here, runs
/// the library, and asserts that nothing was opened. The files hold <see cref="Secret"/> and are shaped like what the
/// library would look for (an image directory, a container directory, a layer directory), so a followed link would find
/// something to read.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class HostSentinel : IDisposable
{
    public const string Secret = "HOSTILE-SENTINEL-SECRET-3c1f0e";

    private const uint InAccess = 0x1;
    private const uint InOpen = 0x20;
    private const uint InIsDirectory = 0x40000000;
    private const int InNonBlock = 0x800;
    private const int InCloseOnExec = 0x80000;

    private readonly TempDirectory _directory = new();
    private readonly Dictionary<int, string> _watches = [];
    private readonly int _fd;

    public HostSentinel()
    {
        var secretJson = $"{{\"id\":\"{Secret}\",\"comment\":\"{Secret}\"}}";
        Write("secret", Secret + "\n");
        Write("json", secretJson);
        Write("layersize", "42");
        Write("parent", Secret);
        Write("config.json", secretJson);
        Write("hostconfig.json", secretJson);
        Write("repositories-aufs", $"{{\"Repositories\":{{\"{Secret.ToLowerInvariant()}\":{{\"latest\":\"{new string('a', 64)}\"}}}}}}");
        Write("etc/passwd", Secret + ":x:0:0::/:/bin/sh\n");
        Write("etc/shadow", Secret + "\n");
        Write("layer/etc/passwd", Secret + "\n");

        _fd = InotifyInit1(InNonBlock | InCloseOnExec);
        if (_fd < 0)
        {
            throw new IOException($"inotify_init1 failed: errno {Marshal.GetLastPInvokeError()}");
        }

        foreach (var path in System.IO.Directory.EnumerateFileSystemEntries(_directory.Path, "*", SearchOption.AllDirectories).Append(_directory.Path))
        {
            var wd = InotifyAddWatch(_fd, path, InOpen | InAccess);
            if (wd < 0)
            {
                throw new IOException($"inotify_add_watch {path} failed: errno {Marshal.GetLastPInvokeError()}");
            }

            _watches[wd] = path;
        }

        Drain(); // nothing of the setup counts
    }

    /// <summary>Gets the directory holding the host files (a link to it is a link "to /etc").</summary>
    public string Directory => _directory.Path;

    /// <summary>Gets the file holding only <see cref="Secret"/> (a link to it is a link "to /etc/shadow").</summary>
    public string SecretFile => _directory.Combine("secret");

    public string Combine(params string[] parts) => _directory.Combine(parts);

    /// <summary>Returns the accesses since the last call: "OPEN path", "ACCESS path", "OPEN(dir) path".</summary>
    public List<string> Drain()
    {
        var events = new List<string>();
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var length = (int)Read(_fd, buffer, buffer.Length);
            if (length <= 0)
            {
                return events; // EAGAIN: nothing more
            }

            for (var offset = 0; offset + 16 <= length;)
            {
                var wd = BitConverter.ToInt32(buffer, offset);
                var mask = BitConverter.ToUInt32(buffer, offset + 4);
                var nameLength = BitConverter.ToInt32(buffer, offset + 12);
                var name = nameLength > 0 ? Encoding.UTF8.GetString(buffer, offset + 16, nameLength).TrimEnd('\0') : string.Empty;
                var what = (mask & InOpen) != 0 ? "OPEN" : (mask & InAccess) != 0 ? "ACCESS" : $"0x{mask:x}";
                var path = _watches.GetValueOrDefault(wd, "?") + (name.Length > 0 ? "/" + name : string.Empty);
                events.Add($"{what}{((mask & InIsDirectory) != 0 ? "(dir)" : string.Empty)} {path}");
                offset += 16 + nameLength;
            }
        }
    }

    /// <summary>Fails when anything opened or read a host file since the last drain.</summary>
    public void AssertUntouched(string operation)
    {
        var events = Drain();
        Assert.True(events.Count == 0, $"{operation} touched host files outside the root:\n{string.Join('\n', events.Distinct())}");
    }

    public void Dispose()
    {
        _ = Close(_fd);
        _directory.Dispose();
    }

    private void Write(string relative, string content)
    {
        var path = _directory.Combine(relative);
        System.IO.Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }

    [DllImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    private static extern int InotifyInit1(int flags);

    [DllImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true)]
    private static extern int InotifyAddWatch(int fd, string path, uint mask);

    [DllImport("libc", EntryPoint = "read", SetLastError = true)]
    private static extern nint Read(int fd, byte[] buffer, nint count);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}

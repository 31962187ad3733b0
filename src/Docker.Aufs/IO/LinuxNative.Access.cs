using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace Docker.Aufs.IO;

/// <summary>
/// What the operating system lets this process do with a path (<c>faccessat</c> with <c>AT_EACCESS</c>: the effective
/// user and groups, as an open would be judged) and the name of a user ID, for the one line that says why a part of a
/// root could not be read (<see cref="AccessProblems"/>).
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class LinuxNative
{
    public const int AccessRead = 4;
    public const int AccessSearch = 1;
    public const int ErrnoAccess = 13;
    private const int AtEffectiveAccess = 0x200;
    private const int AccessWorkingDirectory = -100;

    private static readonly Lock PasswordLock = new();

    /// <summary>Whether the process may access <paramref name="path"/> as <paramref name="mode"/> asks; otherwise the errno (13 when refused).</summary>
    public static int AccessError(string path, int mode) =>
        FAccessAt(AccessWorkingDirectory, path, mode, AtEffectiveAccess) == 0 ? 0 : Marshal.GetLastPInvokeError();

    /// <summary>The user name of <paramref name="uid"/> from the password database, or <see langword="null"/> when it has none.</summary>
    public static string? UserName(int uid)
    {
        lock (PasswordLock) // getpwuid returns a static buffer
        {
            var entry = GetPwUid((uint)uid);
            return entry == 0 ? null : Marshal.PtrToStringUTF8(Marshal.ReadIntPtr(entry));
        }
    }

    [LibraryImport("libc", EntryPoint = "faccessat", SetLastError = true, StringMarshalling = StringMarshalling.Custom, StringMarshallingCustomType = typeof(NativeName.Marshaller))]
    private static partial int FAccessAt(int directory, string path, int mode, int flags);

    [LibraryImport("libc", EntryPoint = "getpwuid")]
    private static partial nint GetPwUid(uint uid);
}

// The suite runs on Linux: real-disk tests use statx, symlinks, fifos and the interop tools.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

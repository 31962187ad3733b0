using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.InteropServices.Marshalling;
using System.Text;

namespace Docker.Aufs.IO;

/// <summary>
/// Names and paths as Linux holds them — bytes — carried in .NET strings without loss: valid UTF-8 is decoded as usual,
/// and each byte that is not part of a valid UTF-8 sequence becomes the lone surrogate U+DC80–U+DCFF (U+DC00 plus the
/// byte; Python's <c>surrogateescape</c>). No valid UTF-8 decodes to a lone surrogate, so the form is unambiguous, and
/// <see cref="GetBytes(string)"/> gives back exactly the bytes <see cref="Decode"/> read. Every path passed to the
/// kernel (<see cref="Marshaller"/>) and every name written into a tar header goes through <see cref="GetBytes(string)"/>.
/// </summary>
/// <threadsafety static="true" instance="true"/>
internal static class NativeName
{
    /// <summary>The first of the 128 surrogates that stand for one byte 0x80–0xFF.</summary>
    private const char FirstEscape = '\uDC80';

    /// <summary>The last of them (0xFF).</summary>
    private const char LastEscape = '\uDCFF';

    /// <summary>Whether <paramref name="c"/> stands for one byte that was not UTF-8.</summary>
    public static bool IsEscapedByte(char c) => c is >= FirstEscape and <= LastEscape;

    /// <summary>The byte an escaped character (<see cref="IsEscapedByte"/>) stands for.</summary>
    public static byte EscapedByte(char c) => (byte)(c - 0xDC00);

    /// <summary>Whether <paramref name="text"/> holds a byte that was not UTF-8.</summary>
    public static bool HasEscapedBytes(string text) => text.AsSpan().IndexOfAnyInRange(FirstEscape, LastEscape) >= 0;

    /// <summary>Decodes a name read from the kernel; never fails, never loses a byte.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (System.Text.Unicode.Utf8.IsValid(bytes))
        {
            return Encoding.UTF8.GetString(bytes);
        }

        var builder = new StringBuilder(bytes.Length);
        while (!bytes.IsEmpty)
        {
            if (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == OperationStatus.Done)
            {
                _ = builder.Append(rune.ToString());
            }
            else
            {
                // The maximal invalid prefix (one or more bytes), each byte kept as its own escape.
                foreach (var b in bytes[..consumed])
                {
                    _ = builder.Append((char)(0xDC00 + b));
                }
            }

            bytes = bytes[consumed..];
        }

        return builder.ToString();
    }

    /// <summary>The number of bytes <paramref name="text"/> stands for (without a terminating NUL).</summary>
    public static int GetByteCount(ReadOnlySpan<char> text)
    {
        var count = 0;
        while (!text.IsEmpty)
        {
            var escape = text.IndexOfAnyInRange(FirstEscape, LastEscape);
            var run = escape < 0 ? text : text[..escape];
            count += Encoding.UTF8.GetByteCount(run);
            if (escape < 0)
            {
                break;
            }

            count++;
            text = text[(escape + 1)..];
        }

        return count;
    }

    /// <summary>
    /// The bytes <paramref name="text"/> stands for: UTF-8, with each escaped byte written as itself. A surrogate outside
    /// U+DC80–U+DCFF left unpaired (which no name read from the kernel holds) is written as U+FFFD, as UTF-8 does.
    /// </summary>
    public static byte[] GetBytes(string text)
    {
        var bytes = new byte[GetByteCount(text)];
        _ = GetBytes(text, bytes);
        return bytes;
    }

    /// <summary>Writes the bytes <paramref name="text"/> stands for into <paramref name="destination"/> (at least <see cref="GetByteCount"/> long).</summary>
    /// <returns>The number of bytes written.</returns>
    public static int GetBytes(ReadOnlySpan<char> text, Span<byte> destination)
    {
        var written = 0;
        while (!text.IsEmpty)
        {
            var escape = text.IndexOfAnyInRange(FirstEscape, LastEscape);
            var run = escape < 0 ? text : text[..escape];
            written += Encoding.UTF8.GetBytes(run, destination[written..]);
            if (escape < 0)
            {
                break;
            }

            destination[written++] = EscapedByte(text[escape]);
            text = text[(escape + 1)..];
        }

        return written;
    }

    /// <summary>
    /// Marshals a path or name to the kernel as the NUL-terminated bytes it stands for (<see cref="GetBytes(string)"/>):
    /// the <c>StringMarshallingCustomType</c> of every <c>LibraryImport</c> that takes a path.
    /// </summary>
    [CustomMarshaller(typeof(string), MarshalMode.ManagedToUnmanagedIn, typeof(ManagedToUnmanagedIn))]
    [CustomMarshaller(typeof(string), MarshalMode.Default, typeof(Marshaller))]
    public static unsafe class Marshaller
    {
        /// <summary>Converts a string to a NUL-terminated byte array in native memory.</summary>
        public static byte* ConvertToUnmanaged(string? managed)
        {
            if (managed is null)
            {
                return null;
            }

            var length = GetByteCount(managed);
            var native = (byte*)NativeMemory.Alloc((nuint)length + 1);
            var span = new Span<byte>(native, length + 1);
            _ = GetBytes(managed, span);
            span[length] = 0;
            return native;
        }

        /// <summary>Converts NUL-terminated bytes from native memory to a string (escaping what is not UTF-8).</summary>
        public static string? ConvertToManaged(byte* unmanaged) =>
            unmanaged is null ? null : Decode(MemoryMarshal.CreateReadOnlySpanFromNullTerminated(unmanaged));

        /// <summary>Frees what <see cref="ConvertToUnmanaged"/> allocated.</summary>
        public static void Free(byte* unmanaged) => NativeMemory.Free(unmanaged);

        /// <summary>Marshals a path passed in, in a caller-allocated buffer when it fits.</summary>
        public ref struct ManagedToUnmanagedIn
        {
            private byte* _native;
            private bool _allocated;

            /// <summary>Gets the size of the buffer the caller allocates (a path of up to 255 bytes needs no allocation).</summary>
            public static int BufferSize => 0x100;

            /// <summary>Takes the string to pass.</summary>
            public void FromManaged(string? managed, Span<byte> buffer)
            {
                _allocated = false;
                if (managed is null)
                {
                    _native = null;
                    return;
                }

                var length = GetByteCount(managed);
                if (length + 1 > buffer.Length)
                {
                    _native = (byte*)NativeMemory.Alloc((nuint)length + 1);
                    _allocated = true;
                    buffer = new Span<byte>(_native, length + 1);
                }
                else
                {
                    _native = (byte*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref MemoryMarshal.GetReference(buffer));
                }

                _ = GetBytes(managed, buffer);
                buffer[length] = 0;
            }

            /// <summary>Gives the pointer to pass.</summary>
            public readonly byte* ToUnmanaged() => _native;

            /// <summary>Frees the native copy when it did not fit the caller's buffer.</summary>
            public readonly void Free()
            {
                if (_allocated)
                {
                    NativeMemory.Free(_native);
                }
            }
        }
    }
}

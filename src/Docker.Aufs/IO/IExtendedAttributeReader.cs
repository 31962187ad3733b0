namespace Docker.Aufs.IO;

/// <summary>What a provider can tell about one extended attribute of an entry.</summary>
internal enum AttributeAnswer
{
    /// <summary>The entry has the attribute; its value is given.</summary>
    Present,

    /// <summary>The entry does not have the attribute.</summary>
    Absent,

    /// <summary>
    /// The provider cannot tell: the file system keeps no attributes it can read, or the attribute's namespace is hidden
    /// from this process (<c>trusted.*</c> needs <c>CAP_SYS_ADMIN</c>: without it the kernel answers "no such attribute").
    /// </summary>
    Unknown,
}

/// <summary>
/// An optional companion of <see cref="IUnixMetadataProvider"/>: reads one extended attribute of an entry without
/// following a final symbolic link (<c>lgetxattr(2)</c>). The overlay drivers need it for opaque directories
/// (<c>trusted.overlay.opaque</c>); a provider that does not implement it answers <see cref="AttributeAnswer.Unknown"/>.
/// </summary>
internal interface IExtendedAttributeReader
{
    /// <summary>Reads attribute <paramref name="name"/> of the entry at <paramref name="path"/>.</summary>
    /// <param name="path">A full path.</param>
    /// <param name="name">The attribute's full name (<c>trusted.overlay.opaque</c>).</param>
    /// <param name="value">The value, when <see cref="AttributeAnswer.Present"/>.</param>
    /// <returns>Whether the entry has the attribute, or that this provider cannot tell.</returns>
    /// <exception cref="IOException">The attribute cannot be read for another reason.</exception>
    AttributeAnswer TryGetAttribute(string path, string name, out byte[]? value);
}

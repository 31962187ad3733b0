using Docker.Aufs.Drivers;
using Docker.Aufs.Drivers.Overlay;
using Docker.Aufs.IO;

namespace Docker.Aufs.Testing;

/// <summary>
/// Writes overlay (v1) layers as Docker does (moby v17.03.0-ce <c>daemon/graphdriver/overlay/overlay.go</c>, docs/format/drivers.md §2):
/// an image layer's <c>ApplyDiff</c> copies the parent's <c>root/</c> with hard links, applies the layer's tar there and
/// removes <c>upper/</c>, <c>work/</c>, <c>merged/</c> and <c>lower-id</c>; a container's read-write layer, created on its
/// init layer, starts with a copy of the init layer's <c>upper/</c> (real copies, whiteouts and opaque marks included).
/// </summary>
internal static class OverlayRootForm
{
    /// <summary>Makes <c>&lt;id&gt;/root</c> from the parent's <c>root/</c> and the changes in <paramref name="staging"/> (AUFS form), which is removed.</summary>
    public static void Commit(EntryWriter writer, OverlayDriver driver, string id, string? parentId, string staging)
    {
        var fs = writer.FileSystem;
        var root = driver.GetRootPath(id);
        fs.Directory.CreateDirectory(root);
        if (!writer.Native && parentId is not null && writer.Metadata.TryGetStatus(driver.GetRootPath(parentId), out var parentRoot))
        {
            writer.Metadata.Record(root, parentRoot); // copyDir gives the new root/ the parent's mode, owner and times; in memory what is recorded is all there is
        }

        VfsForm.Apply(writer, staging, root, parentId is null ? null : driver.GetRootPath(parentId), linkParent: true);
        if (parentId is null)
        {
            return;
        }

        var directory = driver.GetLayerDirectory(id);
        foreach (var name in (ReadOnlySpan<string>)[OverlayDriver.UpperName, "work", "merged"])
        {
            var path = directory + "/" + name;
            if (fs.Directory.Exists(path))
            {
                fs.Directory.Delete(path, recursive: true);
                writer.Metadata.Forget(path);
            }
        }

        fs.File.Delete(driver.GetLowerIdPath(id));
    }

    /// <summary>Copies a parent's <c>upper/</c> into a new layer's (Docker's <c>copyDir</c> without hard links), with the opaque marks of its directories.</summary>
    public static void CopyUpper(EntryWriter writer, string parentUpper, string upper)
    {
        VfsForm.CopyTree(writer, parentUpper, upper);
        var reader = (IExtendedAttributeReader)writer.Metadata;
        var pending = new Stack<string>();
        pending.Push(string.Empty);
        while (pending.TryPop(out var relative))
        {
            var source = relative.Length == 0 ? parentUpper : parentUpper + "/" + relative;
            if (IsOpaque(reader, source))
            {
                OverlayForm.MarkOpaque(writer, relative.Length == 0 ? upper : upper + "/" + relative);
            }

            foreach (var entry in DirectoryListing.Read(writer.FileSystem, writer.Metadata, source))
            {
                var child = relative.Length == 0 ? entry.Name : relative + "/" + entry.Name;
                if (writer.Metadata.TryGetStatus(parentUpper + "/" + child, out var status) && status.Type == UnixFileType.Directory)
                {
                    pending.Push(child);
                }
            }
        }
    }

    private static bool IsOpaque(IExtendedAttributeReader reader, string directory)
    {
        foreach (var name in (ReadOnlySpan<string>)[OverlayBranches.OpaqueAttribute, OverlayBranches.UserOpaqueAttribute])
        {
            if (reader.TryGetAttribute(directory, name, out var value) == AttributeAnswer.Present)
            {
                return value is [(byte)'y'];
            }
        }

        return false;
    }
}

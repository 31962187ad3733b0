using System.Collections.Immutable;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using Docker.Aufs.Tests.TestSupport;

namespace Docker.Aufs.Tests.Conventions;

/// <summary>
/// The layering of docs/architecture.md, checked on the compiled library: every type reference the compiler emitted
/// (base types, interfaces, signatures of fields, methods and properties, and every type, method and field token in
/// method bodies) is mapped to the folder that declares the referenced type, and must point to a lower folder. A
/// specific driver or store folder is reached from outside only through its registry (and, for the write side, its
/// <c>*Writer</c> types).
/// </summary>
public sealed partial class ArchitectureTests
{
    // Folders of src/Docker.Aufs, lowest first: a folder may use only the folders before it (docs/architecture.md).
    private static readonly string[] Order = ["Errors", "Formats", "IO", "Logging", "Model", "Union", "Drivers", "Stores", "Root", "Volumes", "Logs", "Archive", "Check"];

    private static readonly Lazy<Analysis> Library = new(Analyze);

    [Fact]
    public void EveryLibraryFolder_HasAPlaceInTheOrder()
    {
        var folders = Directory.EnumerateDirectories(Repository.Combine("src", "Docker.Aufs")).Select(Path.GetFileName).Where(n => n is not ("bin" or "obj"));
        Assert.All(folders, f => Assert.True(Order.Contains(f), $"src/Docker.Aufs/{f} has no place in {nameof(Order)}"));
    }

    [Fact]
    public void EveryTypeOfTheLibrary_IsDeclaredInAKnownFolder()
    {
        Assert.Empty(Library.Value.Unmapped);
        Assert.True(Library.Value.References.Count > 500, "the analysis found too few references to be real");
    }

    [Fact]
    public void NoFolder_ReferencesAFolderAboveIt()
    {
        var upward = Library.Value.References
            .Where(r => Rank(r.FromFolder) < Rank(r.ToFolder))
            .Select(r => $"{r.FromType} ({r.FromFolder}) -> {r.ToType} ({r.ToFolder})")
            .Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(upward.Count == 0, "upward references:\n" + string.Join('\n', upward));
    }

    [Fact]
    public void FolderDependencies_HaveNoCycle()
    {
        var edges = Library.Value.References.Where(r => r.FromFolder != r.ToFolder).Select(r => (r.FromFolder, r.ToFolder)).Distinct().ToList();
        var cycle = FindCycle(edges);
        Assert.True(cycle is null, "folder cycle: " + string.Join(" -> ", cycle ?? []));
    }

    [Fact]
    public void ASpecificDriverOrStore_IsReachedOnlyThroughItsRegistryOrItsWriters()
    {
        var offending = Library.Value.References
            .Where(r => SpecificFolder(r.ToFolder) is { } target && !r.FromFolder.StartsWith(target, StringComparison.Ordinal))
            .Where(r => !r.FromFileName.EndsWith("Registry.cs", StringComparison.Ordinal) && !r.ToType.EndsWith("Writer", StringComparison.Ordinal))
            .Select(r => $"{r.FromType} ({r.FromFolder}) -> {r.ToType} ({r.ToFolder})")
            .Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.True(offending.Count == 0, "only the registries (and the write side's *Writer types) may name a specific driver or store:\n" + string.Join('\n', offending));
    }

    [Fact]
    public void TheAnalysis_SeesAReferenceItMustSee()
    {
        // A check of the checker: the facade does reach the store seam and a store reaches the driver seam.
        Assert.Contains(Library.Value.References, r => r.FromType == "Docker.Aufs.DockerRoot" && r.ToType == "Docker.Aufs.Stores.ImageStore");
        Assert.Contains(Library.Value.References, r => r.FromType == "Docker.Aufs.Stores.Graph.GraphStore" && r.ToType == "Docker.Aufs.Drivers.LayerDriver");
    }

    private static int Rank(string folder) => Array.IndexOf(Order, folder.Split('/')[0]);

    /// <summary>"Drivers/Aufs" or "Stores/Graph" for a folder inside one, else <see langword="null"/>.</summary>
    private static string? SpecificFolder(string folder)
    {
        var parts = folder.Split('/');
        return parts.Length >= 2 && parts[0] is "Drivers" or "Stores" ? parts[0] + "/" + parts[1] : null;
    }

    private static List<string>? FindCycle(List<(string From, string To)> edges)
    {
        var graph = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList());
        var state = new Dictionary<string, int>();
        var path = new List<string>();
        List<string>? Visit(string node)
        {
            state[node] = 1;
            path.Add(node);
            foreach (var next in graph.GetValueOrDefault(node) ?? [])
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    return [.. path[path.IndexOf(next)..], next];
                }

                if (state.GetValueOrDefault(next) == 0 && Visit(next) is { } found)
                {
                    return found;
                }
            }

            path.RemoveAt(path.Count - 1);
            state[node] = 2;
            return null;
        }

        foreach (var node in graph.Keys)
        {
            if (state.GetValueOrDefault(node) == 0 && Visit(node) is { } cycle)
            {
                return cycle;
            }
        }

        return null;
    }

    private static Analysis Analyze()
    {
        var declarations = Declarations();
        using var stream = File.OpenRead(typeof(DockerRoot).Assembly.Location);
        using var pe = new PEReader(stream);
        var md = pe.GetMetadataReader();
        var decoder = new TypeNames(md);

        string TopLevelName(TypeDefinitionHandle handle)
        {
            var type = md.GetTypeDefinition(handle);
            while (type.IsNested)
            {
                handle = type.GetDeclaringType();
                type = md.GetTypeDefinition(handle);
            }

            var ns = md.GetString(type.Namespace);
            var name = md.GetString(type.Name);
            var tick = name.IndexOf('`', StringComparison.Ordinal);
            return (ns.Length > 0 ? ns + "." : string.Empty) + (tick < 0 ? name : name[..tick]);
        }

        var references = new List<Reference>();
        var unmapped = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var handle in md.TypeDefinitions)
        {
            var from = TopLevelName(handle);
            if (!from.StartsWith("Docker.Aufs", StringComparison.Ordinal))
            {
                continue; // compiler- and generator-made support types (<PrivateImplementationDetails>, regex and logging helpers)
            }

            if (!declarations.TryGetValue(from, out var fromFile))
            {
                unmapped.Add(from);
                continue;
            }

            foreach (var target in ReferencedTypes(md, decoder, pe, handle))
            {
                if (target.StartsWith("Docker.Aufs", StringComparison.Ordinal) && target != from && declarations.TryGetValue(target, out var toFile))
                {
                    references.Add(new Reference(from, FolderOf(fromFile), Path.GetFileName(fromFile), target, FolderOf(toFile)));
                }
            }
        }

        return new Analysis(references, unmapped);

        IEnumerable<string> ReferencedTypes(MetadataReader reader, TypeNames names, PEReader image, TypeDefinitionHandle handle)
        {
            var type = reader.GetTypeDefinition(handle);
            var found = new HashSet<string>(StringComparer.Ordinal);
            void AddHandle(EntityHandle entity)
            {
                foreach (var name in names.Of(entity))
                {
                    found.Add(name);
                }
            }

            if (!type.BaseType.IsNil)
            {
                AddHandle(type.BaseType);
            }

            foreach (var implementation in type.GetInterfaceImplementations())
            {
                AddHandle(reader.GetInterfaceImplementation(implementation).Interface);
            }

            foreach (var fieldHandle in type.GetFields())
            {
                foreach (var name in names.OfSignature(reader.GetFieldDefinition(fieldHandle).Signature))
                {
                    found.Add(name);
                }
            }

            foreach (var propertyHandle in type.GetProperties())
            {
                foreach (var name in names.OfSignature(reader.GetPropertyDefinition(propertyHandle).Signature))
                {
                    found.Add(name);
                }
            }

            foreach (var methodHandle in type.GetMethods())
            {
                var method = reader.GetMethodDefinition(methodHandle);
                foreach (var name in names.OfSignature(method.Signature))
                {
                    found.Add(name);
                }

                if (method.RelativeVirtualAddress == 0)
                {
                    continue;
                }

                var body = image.GetMethodBody(method.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                {
                    foreach (var name in names.OfSignature(reader.GetStandaloneSignature(body.LocalSignature).Signature))
                    {
                        found.Add(name);
                    }
                }

                foreach (var token in Tokens(body.GetILBytes() ?? []))
                {
                    AddHandle(MetadataTokens.EntityHandle(token));
                }
            }

            foreach (var nested in type.GetNestedTypes())
            {
                foreach (var name in ReferencedTypes(reader, names, image, nested))
                {
                    found.Add(name);
                }
            }

            return found;
        }
    }

    /// <summary>The metadata tokens of an IL stream's operands (types, methods, fields; strings and signatures skipped).</summary>
    private static IEnumerable<int> Tokens(byte[] il)
    {
        var tokens = new List<int>();
        var i = 0;
        while (i < il.Length)
        {
            int opcode = il[i++];
            if (opcode == 0xFE)
            {
                opcode = 0xFE00 | il[i++];
            }

            var size = OperandSize(opcode, il, i);
            if (size == 4 && IsTokenOperand(opcode))
            {
                tokens.Add(BitConverter.ToInt32(il, i));
            }

            i += size;
        }

        return tokens;
    }

    private static bool IsTokenOperand(int opcode) => opcode is
        0x28 or 0x6F or 0x73 or 0x74 or 0x75 or 0x79 or 0x7B or 0x7C or 0x7D or 0x7E or 0x7F or 0x80 or 0x81 or 0x8C or 0x8D or 0x8F or 0xA3 or 0xA4
        or 0xA5 or 0xC2 or 0xC6 or 0xD0 or 0x70 or 0x71 or 0x27 or 0xFE06 or 0xFE07 or 0xFE15 or 0xFE16 or 0xFE1C;

    private static int OperandSize(int opcode, byte[] il, int at)
    {
        switch (opcode)
        {
            case 0x45: // switch: a count, then that many 4-byte targets
                return 4 + (4 * BitConverter.ToInt32(il, at));
            case >= 0x2B and <= 0x37: // short branches
            case 0x0E or 0x0F or 0x10 or 0x11 or 0x12 or 0x13 or 0x1F or 0xDE: // ldarg.s … stloc.s, ldc.i4.s, leave.s
                return 1;
            case 0x20 or 0x22 or 0x27 or 0x28 or 0x29 or (>= 0x38 and <= 0x44) or 0x6F or 0x70 or 0x71 or 0x72 or 0x73 or 0x74 or 0x75 or 0x79
                or (>= 0x7B and <= 0x81) or 0x8C or 0x8D or 0x8F or 0xA3 or 0xA4 or 0xA5 or 0xC2 or 0xC6 or 0xD0 or 0xDD
                or 0xFE06 or 0xFE07 or 0xFE15 or 0xFE16 or 0xFE1C:
                return 4;
            case 0x21 or 0x23: // ldc.i8, ldc.r8
                return 8;
            case 0xFE09 or 0xFE0A or 0xFE0B or 0xFE0C or 0xFE0D or 0xFE0E: // ldarg … stloc with a 2-byte index
                return 2;
            case 0xFE12 or 0xFE19: // unaligned., no.
                return 1;
            default:
                return 0;
        }
    }

    /// <summary>Which source file declares each type of the library, by full name (read from src/Docker.Aufs).</summary>
    private static Dictionary<string, string> Declarations()
    {
        var declarations = new Dictionary<string, string>(StringComparer.Ordinal);
        var source = Repository.Combine("src", "Docker.Aufs");
        foreach (var file in Directory.EnumerateFiles(source, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file).Replace('\\', '/');
            if (relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal))
            {
                continue;
            }

            var text = File.ReadAllText(file);
            var ns = FileNamespace().Match(text).Groups[1].Value;
            foreach (Match declaration in TopLevelDeclaration().Matches(text))
            {
                declarations.TryAdd(ns + "." + declaration.Groups[1].Value, relative);
            }
        }

        return declarations;
    }

    private static string FolderOf(string relativeFile) => relativeFile.Contains('/', StringComparison.Ordinal) ? relativeFile[..relativeFile.LastIndexOf('/')] : string.Empty;

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    // Declarations at the start of a line (file-scoped namespaces: top-level types are not indented).
    [GeneratedRegex(@"^(?:\[[^\n]*\]\s*)*(?:(?:public|internal|sealed|static|abstract|partial|readonly|unsafe|file)\s+)*(?:class|record\s+struct|record|struct|interface|enum)\s+(\w+)", RegexOptions.Multiline)]
    private static partial Regex TopLevelDeclaration();

    private sealed record Reference(string FromType, string FromFolder, string FromFileName, string ToType, string ToFolder);

    private sealed record Analysis(List<Reference> References, SortedSet<string> Unmapped);

    /// <summary>Names of the type definitions a handle or signature mentions (generic arguments included), as top-level full names.</summary>
    private sealed class TypeNames(MetadataReader reader) : ISignatureTypeProvider<ImmutableArray<string>, object?>
    {
        public IEnumerable<string> Of(EntityHandle handle)
        {
            switch (handle.Kind)
            {
                case HandleKind.TypeDefinition:
                    return [Name((TypeDefinitionHandle)handle)];
                case HandleKind.TypeReference:
                    return [Name((TypeReferenceHandle)handle)];
                case HandleKind.TypeSpecification:
                    return reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null);
                case HandleKind.MethodDefinition:
                    var method = reader.GetMethodDefinition((MethodDefinitionHandle)handle);
                    return [Name(method.GetDeclaringType()), .. OfSignature(method.Signature)];
                case HandleKind.FieldDefinition:
                    return [Name(reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType())];
                case HandleKind.MemberReference:
                    var member = reader.GetMemberReference((MemberReferenceHandle)handle);
                    return Of(member.Parent);
                case HandleKind.MethodSpecification:
                    var specification = reader.GetMethodSpecification((MethodSpecificationHandle)handle);
                    return [.. Of(specification.Method), .. specification.DecodeSignature(this, null).SelectMany(a => a)];
                default:
                    return [];
            }
        }

        public IEnumerable<string> OfSignature(BlobHandle signature)
        {
            var blob = reader.GetBlobReader(signature);
            var header = blob.ReadSignatureHeader();
            blob.Reset();
            var decoder = new SignatureDecoder<ImmutableArray<string>, object?>(this, reader, null);
            switch (header.Kind)
            {
                case SignatureKind.Field:
                    return decoder.DecodeFieldSignature(ref blob);
                case SignatureKind.Property:
                    var property = decoder.DecodeMethodSignature(ref blob);
                    return [.. property.ReturnType, .. property.ParameterTypes.SelectMany(p => p)];
                case SignatureKind.LocalVariables:
                    return decoder.DecodeLocalSignature(ref blob).SelectMany(l => l);
                case SignatureKind.Method:
                    var method = decoder.DecodeMethodSignature(ref blob);
                    return [.. method.ReturnType, .. method.ParameterTypes.SelectMany(p => p)];
                default:
                    return [];
            }
        }

        public ImmutableArray<string> GetArrayType(ImmutableArray<string> elementType, ArrayShape shape) => elementType;

        public ImmutableArray<string> GetByReferenceType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetFunctionPointerType(MethodSignature<ImmutableArray<string>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(p => p)];

        public ImmutableArray<string> GetGenericInstantiation(ImmutableArray<string> genericType, ImmutableArray<ImmutableArray<string>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(a => a)];

        public ImmutableArray<string> GetGenericMethodParameter(object? genericContext, int index) => [];

        public ImmutableArray<string> GetGenericTypeParameter(object? genericContext, int index) => [];

        public ImmutableArray<string> GetModifiedType(ImmutableArray<string> modifier, ImmutableArray<string> unmodifiedType, bool isRequired) => unmodifiedType;

        public ImmutableArray<string> GetPinnedType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetPointerType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];

        public ImmutableArray<string> GetSZArrayType(ImmutableArray<string> elementType) => elementType;

        public ImmutableArray<string> GetTypeFromDefinition(MetadataReader metadata, TypeDefinitionHandle handle, byte rawTypeKind) => [Name(handle)];

        public ImmutableArray<string> GetTypeFromReference(MetadataReader metadata, TypeReferenceHandle handle, byte rawTypeKind) => [Name(handle)];

        public ImmutableArray<string> GetTypeFromSpecification(MetadataReader metadata, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        private string Name(TypeDefinitionHandle handle)
        {
            var type = reader.GetTypeDefinition(handle);
            while (type.IsNested)
            {
                type = reader.GetTypeDefinition(type.GetDeclaringType());
            }

            return Full(reader.GetString(type.Namespace), reader.GetString(type.Name));
        }

        private string Name(TypeReferenceHandle handle)
        {
            var type = reader.GetTypeReference(handle);
            while (type.ResolutionScope.Kind == HandleKind.TypeReference)
            {
                type = reader.GetTypeReference((TypeReferenceHandle)type.ResolutionScope);
            }

            return Full(reader.GetString(type.Namespace), reader.GetString(type.Name));
        }

        private static string Full(string ns, string name)
        {
            var tick = name.IndexOf('`', StringComparison.Ordinal);
            return (ns.Length > 0 ? ns + "." : string.Empty) + (tick < 0 ? name : name[..tick]);
        }
    }
}

#!/usr/bin/env dotnet
// Makes packages reproducible byte for byte: rewrites each .nupkg/.snupkg of a folder with every entry in the same order,
// with the same content, attributes and compression, but one fixed modification time (NuGet before 7.9 stamps each entry
// with the time of packing, even in deterministic mode). eng/pack.sh runs it with the commit's time.
// Run from the repository:  dotnet run eng/normalize-packages.cs -- FOLDER UNIX-SECONDS
#:property PublishAot=false
#:property GenerateDocumentationFile=true
#:property NoWarn=$(NoWarn);CS1591

using System.Globalization;
using System.IO.Compression;

if (args.Length != 2 || !long.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
{
    Console.Error.WriteLine("usage: dotnet run eng/normalize-packages.cs -- FOLDER UNIX-SECONDS");
    return 2;
}

// Zip stores a DOS local time without a zone: the UTC clock reading is written as it is, whatever the machine's zone.
var earliest = new DateTime(1980, 1, 2, 0, 0, 0, DateTimeKind.Utc);
var utc = DateTimeOffset.FromUnixTimeSeconds(seconds).UtcDateTime;
var stamp = new DateTimeOffset(utc < earliest ? earliest : utc, TimeSpan.Zero);

var packages = Directory.EnumerateFiles(args[0]).Where(f => f.EndsWith(".nupkg", StringComparison.Ordinal) || f.EndsWith(".snupkg", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
foreach (var package in packages)
{
    var temporary = package + ".normalizing";
    using (var source = ZipFile.OpenRead(package))
    using (var target = ZipFile.Open(temporary, ZipArchiveMode.Create))
    {
        foreach (var entry in source.Entries)
        {
            var copy = target.CreateEntry(entry.FullName, entry.CompressedLength == entry.Length && entry.Length > 0 ? CompressionLevel.NoCompression : CompressionLevel.Optimal);
            copy.ExternalAttributes = entry.ExternalAttributes;
            copy.LastWriteTime = stamp;
            using var from = entry.Open();
            using var to = copy.Open();
            from.CopyTo(to);
        }
    }

    File.Move(temporary, package, overwrite: true);
    Console.WriteLine($"{Path.GetFileName(package)}: entries dated {stamp.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC");
}

return 0;

// Checks every package in a folder: readme, licence expression, repository metadata, XML docs and assemblies for
// both target frameworks (net10.0 only for the few listed below, with the reason), a symbols package.
// Run: dotnet run eng/CheckPackages.cs -- <folder> <id>...
using System.IO.Compression;
using System.Text;

var folder = args[0];
var failures = 0;

// Packages that cannot target net8.0, with the reason; every other one must carry both frameworks.
var net10Only = new Dictionary<string, string>(StringComparer.Ordinal)
{
    ["Scm.Scheduling.Quartz"] = "Quartz.NET 4 ships for net10.0 only",
};
foreach (var id in args.Skip(1))
{
    var nupkg = Directory.GetFiles(folder, id + ".*.nupkg").FirstOrDefault(f => !f.EndsWith(".snupkg", StringComparison.Ordinal)
        && char.IsDigit(Path.GetFileName(f)[(id.Length + 1)..][0]));
    if (nupkg is null)
    {
        Fail($"{id}: no package");
        continue;
    }

    using var zip = ZipFile.OpenRead(nupkg);
    var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
    var frameworks = net10Only.ContainsKey(id) ? new[] { "net10.0" } : ["net8.0", "net10.0"];
    foreach (var required in frameworks.SelectMany(f => new[] { $"lib/{f}/{id}.dll", $"lib/{f}/{id}.xml" }).Prepend("README.md"))
    {
        if (!names.Contains(required))
        {
            Fail($"{id}: missing {required}");
        }
    }

    var nuspec = Read(zip, $"{id}.nuspec");
    foreach (var tag in new[] { "<license type=\"expression\">MIT</license>", "<readme>README.md</readme>", "<repository type=\"git\"" })
    {
        if (!nuspec.Contains(tag, StringComparison.Ordinal))
        {
            Fail($"{id}: nuspec lacks {tag}");
        }
    }

    if (names.Contains("README.md") && Read(zip, "README.md").Length < 200)
    {
        Fail($"{id}: README.md is too short to help anyone");
    }

    if (net10Only.TryGetValue(id, out var reason) && names.Contains($"lib/net8.0/{id}.dll"))
    {
        Fail($"{id}: targets net8.0 now; remove it from the net10.0-only list ({reason})");
    }

    if (!File.Exists(Path.ChangeExtension(nupkg, ".snupkg")))
    {
        Fail($"{id}: no symbols package");
    }
}

Console.WriteLine(failures == 0 ? $"pack: {args.Length - 1} packages checked (readme, licence, repository, XML docs for net8.0 and net10.0, symbols)" : $"pack: {failures} problems");
return failures == 0 ? 0 : 1;

void Fail(string message)
{
    failures++;
    Console.WriteLine("pack: " + message);
}

static string Read(ZipArchive zip, string name)
{
    using var reader = new StreamReader(zip.GetEntry(name)!.Open(), Encoding.UTF8);
    return reader.ReadToEnd();
}

using System.Reflection;

namespace Scm.Conventions.Tests;

/// <summary>
/// Arrows point one way: Lifecycle -> Client, Lifecycle -> Storage.Abstractions, stores -> Storage.Abstractions; the Quartz
/// scheduling -> Lifecycle and the PostgreSQL store (whose database it shares).
/// </summary>
public sealed class DependencyDirectionTests
{
    private static readonly string[] s_ourAssemblies =
        ["Scm.Client", "Scm.Storage.Abstractions", "Scm.Storage.Sqlite", "Scm.Storage.PostgreSql", "Scm.Lifecycle", "Scm.Lifecycle.DataProtection", "Scm.Scheduling.Quartz", "Scm.Testing"];

    public static TheoryData<string, string[]> AllowedReferences => new()
    {
        { "Scm.Client", [] },
        { "Scm.Storage.Abstractions", [] },
        { "Scm.Storage.Sqlite", ["Scm.Storage.Abstractions"] },
        { "Scm.Lifecycle", ["Scm.Client", "Scm.Storage.Abstractions"] },
        { "Scm.Scheduling.Quartz", ["Scm.Lifecycle", "Scm.Storage.Abstractions", "Scm.Storage.PostgreSql"] },
        { "Scm.Testing", [] },

        // The Data Protection adapter plugs into the builder and the protector contract only: it never points at the engine.
        { "Scm.Lifecycle.DataProtection", ["Scm.Storage.Abstractions"] },
    };

    [Theory]
    [MemberData(nameof(AllowedReferences))]
    public void Assembly_ReferencesOnlyAllowedSdkAssemblies(string assemblyName, string[] allowed)
    {
        var assembly = Assembly.Load(assemblyName);
        var sdkReferences = assembly.GetReferencedAssemblies()
            .Select(r => r.Name!)
            .Where(n => s_ourAssemblies.Contains(n))
            .ToArray();

        var forbidden = sdkReferences.Except(allowed).ToArray();
        Assert.True(forbidden.Length == 0, $"{assemblyName} must not reference {string.Join(", ", forbidden)}");
    }
}

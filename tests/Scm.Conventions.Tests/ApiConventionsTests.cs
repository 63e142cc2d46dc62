using System.Reflection;
using System.Runtime.CompilerServices;

namespace Scm.Conventions.Tests;

/// <summary>House rules of style.md checked on the compiled assemblies.</summary>
public sealed class ApiConventionsTests
{
    public static TheoryData<string> Libraries => new() { "Scm.Client", "Scm.Storage.Abstractions", "Scm.Storage.Sqlite", "Scm.Lifecycle", "Scm.Scheduling.Quartz", "Scm.Testing" };

    private static IEnumerable<Type> PublicTypes(string assembly) =>
        Assembly.Load(assembly).GetExportedTypes().Where(t => !t.IsNested || t.IsNestedPublic);

    [Theory]
    [MemberData(nameof(Libraries))]
    public void NothingPublic_InInternalNamespaces(string assembly)
    {
        var leaks = PublicTypes(assembly).Where(t => t.Namespace?.Split('.').Contains("Internal") == true).Select(t => t.FullName).ToArray();
        Assert.True(leaks.Length == 0, $"Public types in *.Internal: {string.Join(", ", leaks)}");
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void AsyncMethods_TakeCancellationTokenLast(string assembly)
    {
        var offenders = new List<string>();
        foreach (var type in PublicTypes(assembly))
        {
            foreach (var method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var returns = method.ReturnType;
                var isAsync = typeof(Task).IsAssignableFrom(returns)
                    || (returns.IsGenericType && (returns.GetGenericTypeDefinition() == typeof(ValueTask<>) || returns.GetGenericTypeDefinition() == typeof(IAsyncEnumerable<>)))
                    || returns == typeof(ValueTask);
                if (!isAsync || method.IsSpecialName || method.Name is "DisposeAsync" or "StartAsync" or "StopAsync" or "ExecuteAsync")
                {
                    continue;
                }

                var parameters = method.GetParameters();
                if (parameters.Length == 0 || parameters[^1].ParameterType != typeof(CancellationToken))
                {
                    offenders.Add($"{type.Name}.{method.Name}");
                }
            }
        }

        Assert.True(offenders.Count == 0, "Async methods without a trailing CancellationToken: " + string.Join(", ", offenders));
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void ModelsAndResults_AreSealed(string assembly)
    {
        var unsealed = PublicTypes(assembly)
            .Where(t => t.IsClass && !t.IsAbstract && !t.IsSealed && !typeof(Exception).IsAssignableFrom(t) && !t.IsDefined(typeof(CompilerGeneratedAttribute)))
            .Where(t => t.Name.EndsWith("Result", StringComparison.Ordinal) || t.Name.EndsWith("Request", StringComparison.Ordinal)
                || t.Name.EndsWith("Details", StringComparison.Ordinal) || t.Name.EndsWith("Options", StringComparison.Ordinal)
                || t.GetMethod("<Clone>$") is not null)
            .Select(t => t.FullName)
            .ToArray();
        Assert.True(unsealed.Length == 0, "Unsealed models: " + string.Join(", ", unsealed));
    }

    [Theory]
    [MemberData(nameof(Libraries))]
    public void PublicSignatures_DoNotExposeDependencyTypes(string assembly)
    {
        string[] forbidden = ["Org.BouncyCastle", "Polly", "Microsoft.Data.Sqlite", "Npgsql", "Quartz"];
        var offenders = new List<string>();
        foreach (var type in PublicTypes(assembly))
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                IEnumerable<Type> types = member switch
                {
                    MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
                    PropertyInfo p => [p.PropertyType],
                    FieldInfo f => [f.FieldType],
                    ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
                    _ => [],
                };
                foreach (var t in types.SelectMany(Flatten))
                {
                    if (forbidden.Any(f => t.Namespace?.StartsWith(f, StringComparison.Ordinal) == true))
                    {
                        offenders.Add($"{type.Name}.{member.Name}: {t.FullName}");
                    }
                }
            }
        }

        Assert.True(offenders.Count == 0, "Dependency types in public signatures: " + string.Join("; ", offenders));
    }

    private static IEnumerable<Type> Flatten(Type t)
    {
        yield return t;
        if (t.HasElementType)
        {
            foreach (var e in Flatten(t.GetElementType()!))
            {
                yield return e;
            }
        }

        if (t.IsGenericType)
        {
            foreach (var a in t.GetGenericArguments().SelectMany(Flatten))
            {
                yield return a;
            }
        }
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Scm.Conventions.Tests;

/// <summary>The meter and activity source names are public contract (dashboards depend on them): pinned here.</summary>
public sealed class TelemetryNamesTests
{
    [Theory]
    [InlineData("Scm.Client", "Scm.Client.Internal.ScmTelemetry")]
    [InlineData("Scm.Lifecycle", "Scm.Lifecycle.Internal.LifecycleTelemetry")]
    public void Assembly_DeclaresMeterAndActivitySourceNamedAfterIt(string assembly, string telemetryType)
    {
        var type = System.Reflection.Assembly.Load(assembly).GetType(telemetryType, throwOnError: true)!;
        var sources = type.GetFields(System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
            .Where(f => f.FieldType == typeof(ActivitySource))
            .Select(f => ((ActivitySource)f.GetValue(null)!).Name)
            .ToArray();
        Assert.Contains(assembly, sources);

        var seen = new List<string>();
        using var listener = new MeterListener { InstrumentPublished = (i, _) => { lock (seen) { seen.Add(i.Meter.Name); } } };
        listener.Start();
        // The constructor taking the meter factory first (null: a meter of its own); other parameters at their defaults.
        var constructor = type.GetConstructors(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic)
            .First(c => c.GetParameters() is [{ ParameterType.Name: "IMeterFactory" }, ..]);
        var instance = constructor.Invoke([.. constructor.GetParameters().Select(p => p.HasDefaultValue ? p.DefaultValue : null)]);
        (instance as IDisposable)?.Dispose();
        Assert.Contains(assembly, seen);
    }
}

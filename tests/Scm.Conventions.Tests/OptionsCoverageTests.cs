using System.Reflection;
using Microsoft.Extensions.Configuration;
using Scm.Client;
using Scm.Lifecycle;

namespace Scm.Conventions.Tests;

/// <summary>The engine copies and binds every client option; a new option added to the client must not be silently dropped.</summary>
public sealed class OptionsCoverageTests
{
    private static readonly Type s_copy = typeof(SectigoCertificateManagementOptions).Assembly.GetType("Scm.Lifecycle.Internal.ScmClientOptionsCopy", true)!;
    private static readonly Type s_binding = typeof(SectigoCertificateManagementOptions).Assembly.GetType("Scm.Lifecycle.Internal.LifecycleOptionsBinding", true)!;

    [Fact]
    public void ScmClientOptionsCopy_CopiesEverySettableProperty()
    {
        var source = new ScmClientOptions();
        var changed = new List<string>();
        foreach (var p in typeof(ScmClientOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            object? value = p.PropertyType switch
            {
                var t when t == typeof(string) => "value-" + p.Name,
                var t when t == typeof(Uri) => new Uri("https://example.test/" + p.Name),
                var t when t == typeof(TimeSpan) => TimeSpan.FromSeconds(123),
                var t when t == typeof(int) => 77,
                var t when t == typeof(long) => 7777L,
                var t when t == typeof(double) => 0.375,
                var t when t == typeof(bool) => !(bool)p.GetValue(source)!,
                var t when t.IsEnum => Enum.GetValues(t).Cast<object>().Last(),
                var t when t == typeof(System.Security.Cryptography.X509Certificates.X509Certificate2Collection) => new System.Security.Cryptography.X509Certificates.X509Certificate2Collection(),
                _ => null,
            };
            if (value is not null)
            {
                p.SetValue(source, value);
                changed.Add(p.Name);
            }
        }

        var target = new ScmClientOptions();
        s_copy.GetMethod("CopyTo")!.Invoke(null, [source, target]);
        foreach (var name in changed)
        {
            var p = typeof(ScmClientOptions).GetProperty(name)!;
            Assert.True(Equals(p.GetValue(source), p.GetValue(target)), $"ScmClientOptions.{name} is not copied by the engine.");
        }
    }

    [Fact]
    public void LifecycleOptionsBinding_BindsEveryScalarClientOption()
    {
        var values = new Dictionary<string, string?>();
        var expected = new Dictionary<string, object>();
        foreach (var p in typeof(ScmClientOptions).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            (string? text, object? value) = p.PropertyType switch
            {
                var t when t == typeof(string) => ("v-" + p.Name, "v-" + p.Name),
                var t when t == typeof(Uri) => ("https://example.test/" + p.Name, (object)new Uri("https://example.test/" + p.Name)),
                var t when t == typeof(TimeSpan) => ("00:02:03", TimeSpan.FromSeconds(123)),
                var t when t == typeof(int) => ("77", 77),
                var t when t == typeof(long) => ("7777", 7777L),
                var t when t == typeof(double) => ("0.375", 0.375),
                var t when t == typeof(bool) => ("true", true),
                var t when t.IsEnum => (Enum.GetNames(t).Last(), Enum.GetValues(t).Cast<object>().Last()),
                _ => ((string?)null, (object?)null),
            };
            if (text is not null)
            {
                values["Sectigo:Client:" + p.Name] = text;
                expected[p.Name] = value!;
            }
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var options = new SectigoCertificateManagementOptions();
        s_binding.GetMethod("Bind", [typeof(IConfiguration), typeof(SectigoCertificateManagementOptions)])!.Invoke(null, [configuration.GetSection("Sectigo"), options]);
        foreach (var (name, value) in expected)
        {
            Assert.True(Equals(value, typeof(ScmClientOptions).GetProperty(name)!.GetValue(options.Client)), $"Sectigo:Client:{name} is not bound by the engine.");
        }
    }
}

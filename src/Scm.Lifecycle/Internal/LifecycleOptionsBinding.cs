using System.Globalization;
using Microsoft.Extensions.Configuration;
using Scm.Client;

namespace Scm.Lifecycle.Internal;

/// <summary>
/// Binds <see cref="SectigoCertificateManagementOptions"/> from configuration without reflection. The nested option
/// groups use the configuration-binding source generator; the SCM client's options are read key by key because they
/// also hold objects that configuration cannot express (a client certificate, trusted roots).
/// </summary>
internal static class LifecycleOptionsBinding
{
    public static void Bind(IConfiguration section, SectigoCertificateManagementOptions options)
    {
        if (section[nameof(options.AccountId)] is { } account)
        {
            options.AccountId = account;
        }

        if (section[nameof(options.InstanceName)] is { } instance)
        {
            options.InstanceName = instance;
        }

        section.GetSection(nameof(options.Ordering)).Bind(options.Ordering);
        section.GetSection(nameof(options.Polling)).Bind(options.Polling);
        section.GetSection(nameof(options.Reconcile)).Bind(options.Reconcile);
        section.GetSection(nameof(options.Inventory)).Bind(options.Inventory);
        section.GetSection(nameof(options.Import)).Bind(options.Import);
        section.GetSection(nameof(options.Scheduling)).Bind(options.Scheduling);
        section.GetSection(nameof(options.KeyProtection)).Bind(options.KeyProtection);
        section.GetSection(nameof(options.Leases)).Bind(options.Leases);
        BindClient(section.GetSection(nameof(options.Client)), options.Client);
    }

    /// <summary>Every settable scalar of <see cref="ScmClientOptions"/> (a conventions test keeps this list complete).</summary>
    public static void BindClient(IConfiguration c, ScmClientOptions o)
    {
        Uri(c, nameof(o.BaseAddress), v => o.BaseAddress = v);
        if (c[nameof(o.AuthenticationMode)] is { } mode)
        {
            o.AuthenticationMode = Enum.TryParse<ScmAuthenticationMode>(mode, ignoreCase: true, out var m)
                ? m
                : throw new InvalidOperationException($"Sectigo:Client:AuthenticationMode '{mode}' is not one of {string.Join(", ", Enum.GetNames<ScmAuthenticationMode>())}.");
        }

        Str(c, nameof(o.Login), v => o.Login = v);
        Str(c, nameof(o.Password), v => o.Password = v);
        Str(c, nameof(o.CustomerUri), v => o.CustomerUri = v);
        Str(c, nameof(o.ClientId), v => o.ClientId = v);
        Str(c, nameof(o.ClientSecret), v => o.ClientSecret = v);
        Uri(c, nameof(o.TokenEndpoint), v => o.TokenEndpoint = v);
        Str(c, nameof(o.ClientCertificatePath), v => o.ClientCertificatePath = v);
        Str(c, nameof(o.ClientCertificatePassword), v => o.ClientCertificatePassword = v);
        Time(c, nameof(o.AttemptTimeout), v => o.AttemptTimeout = v);
        Time(c, nameof(o.TotalRequestTimeout), v => o.TotalRequestTimeout = v);
        Time(c, nameof(o.PostTimeout), v => o.PostTimeout = v);
        Int(c, nameof(o.MaxRetryAttempts), v => o.MaxRetryAttempts = (int)v);
        Time(c, nameof(o.MaxRetryAfter), v => o.MaxRetryAfter = v);
        Int(c, nameof(o.MaxJsonResponseBytes), v => o.MaxJsonResponseBytes = v);
        Int(c, nameof(o.MaxCollectResponseBytes), v => o.MaxCollectResponseBytes = v);
        Int(c, nameof(o.PageSize), v => o.PageSize = (int)v);
        Str(c, nameof(o.SslApiVersion), v => o.SslApiVersion = v);
        if (c[nameof(o.UseLegacyCollectPath)] is { } legacy)
        {
            o.UseLegacyCollectPath = bool.TryParse(legacy, out var b)
                ? b
                : throw new InvalidOperationException($"Sectigo:Client:UseLegacyCollectPath must be true or false; got '{legacy}'.");
        }
    }

    private static void Str(IConfiguration c, string key, Action<string> set)
    {
        if (c[key] is { } value)
        {
            set(value);
        }
    }

    private static void Uri(IConfiguration c, string key, Action<Uri> set)
    {
        if (c[key] is { } value)
        {
            set(System.Uri.TryCreate(value, UriKind.Absolute, out var uri)
                ? uri
                : throw new InvalidOperationException($"Sectigo:Client:{key} must be an absolute URI."));
        }
    }

    private static void Time(IConfiguration c, string key, Action<TimeSpan> set)
    {
        if (c[key] is { } value)
        {
            set(TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span)
                ? span
                : throw new InvalidOperationException($"Sectigo:Client:{key} must be a time span such as 00:00:30; got '{value}'."));
        }
    }

    private static void Int(IConfiguration c, string key, Action<long> set)
    {
        if (c[key] is { } value)
        {
            set(long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw new InvalidOperationException($"Sectigo:Client:{key} must be a whole number; got '{value}'."));
        }
    }
}

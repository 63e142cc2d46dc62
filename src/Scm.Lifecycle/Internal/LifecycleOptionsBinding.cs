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
    public static void Bind(IConfiguration section, SectigoCertificateManagementOptions options) => Bind(section, options, accounts: true);

    /// <summary>Binds one section; with <paramref name="accounts"/>, also its <c>Accounts</c> children (each on top of this section).</summary>
    public static void Bind(IConfiguration section, SectigoCertificateManagementOptions options, bool accounts)
    {
        if (section[nameof(options.DefaultAccount)] is { } defaultAccount)
        {
            options.DefaultAccount = bool.TryParse(defaultAccount, out var value)
                ? value
                : throw new InvalidOperationException($"{PathOf(section, nameof(options.DefaultAccount))} must be true or false; got '{defaultAccount}'.");
        }

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
        section.GetSection(nameof(options.Credentials)).Bind(options.Credentials);
        section.GetSection(nameof(options.BulkWork)).Bind(options.BulkWork);
        section.GetSection(nameof(options.Dcv)).Bind(options.Dcv);
        BindAutoRenewal(section.GetSection(nameof(options.AutoRenewal)), options.AutoRenewal);
        BindClient(section.GetSection(nameof(options.Client)), options.Client);
        if (accounts)
        {
            options.Accounts.Clear();
            foreach (var child in section.GetSection(nameof(options.Accounts)).GetChildren())
            {
                options.Accounts[child.Key] = BindAccount(section, child);
            }
        }
    }

    /// <summary>
    /// One account: the host's section first, then the account's own keys on top; its name is its id. Key protection and
    /// the instance name are host-wide, so an account section that sets them is refused, naming the key.
    /// </summary>
    public static SectigoCertificateManagementOptions BindAccount(IConfiguration hostSection, IConfigurationSection accountSection)
    {
        foreach (var hostWide in new[] { nameof(SectigoCertificateManagementOptions.KeyProtection), nameof(SectigoCertificateManagementOptions.InstanceName), nameof(SectigoCertificateManagementOptions.Accounts) })
        {
            if (accountSection.GetSection(hostWide).Exists())
            {
                throw new InvalidOperationException($"{PathOf(accountSection, hostWide)}: {hostWide} is set for the whole host, not per account; set it in the host's section.");
            }
        }

        var options = new SectigoCertificateManagementOptions();
        Bind(hostSection, options, accounts: false);
        Bind(accountSection, options, accounts: false);
        options.AccountId = accountSection.Key;
        options.DefaultAccount = false;
        return options;
    }

    /// <summary>
    /// Every bindable member of <see cref="AutoRenewalOptions"/>, key by key: its <see cref="AutoRenewalOptions.Predicate"/>
    /// is code, which configuration cannot express (and the binding generator refuses). Lists given in configuration
    /// replace the defaults rather than add to them.
    /// </summary>
    public static void BindAutoRenewal(IConfiguration c, AutoRenewalOptions o)
    {
        Bool(c, nameof(o.Enabled), v => o.Enabled = v);
        Int(c, nameof(o.RenewBeforeDays), v => o.RenewBeforeDays = checked((int)v));
        Time(c, nameof(o.RenewBefore), v => o.RenewBefore = v);
        Double(c, nameof(o.MaxShareOfLifetime), v => o.MaxShareOfLifetime = v);
        if (c[nameof(o.Selection)] is { } selection)
        {
            o.Selection = Enum.TryParse<AutoRenewSelection>(selection, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw new InvalidOperationException($"{PathOf(c, nameof(o.Selection))} '{selection}' is not one of {string.Join(", ", Enum.GetNames<AutoRenewSelection>())}.");
        }

        var ids = c.GetSection(nameof(o.CertificateIds)).GetChildren().ToList();
        if (ids.Count > 0)
        {
            o.CertificateIds = ids.Select(child => Guid.TryParse(child.Value, out var id)
                ? id
                : throw new InvalidOperationException($"{child.Path} must be a certificate id (a GUID); got '{child.Value}'.")).ToList();
        }

        var tags = c.GetSection(nameof(o.Tags)).GetChildren().ToList();
        if (tags.Count > 0)
        {
            o.Tags = tags.Select(child => child.Value ?? string.Empty).ToList();
        }

        Time(c, nameof(o.MaxJitter), v => o.MaxJitter = v);
        Bool(c, nameof(o.IncludeObserveOnly), v => o.IncludeObserveOnly = v);
    }

    /// <summary>Every settable scalar of <see cref="ScmClientOptions"/> (a conventions test keeps this list complete).</summary>
    public static void BindClient(IConfiguration c, ScmClientOptions o)
    {
        Uri(c, nameof(o.BaseAddress), v => o.BaseAddress = v);
        if (c[nameof(o.AuthenticationMode)] is { } mode)
        {
            o.AuthenticationMode = Enum.TryParse<ScmAuthenticationMode>(mode, ignoreCase: true, out var m)
                ? m
                : throw new InvalidOperationException($"{PathOf(c, nameof(o.AuthenticationMode))} '{mode}' is not one of {string.Join(", ", Enum.GetNames<ScmAuthenticationMode>())}.");
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
        Bool(c, nameof(o.UseLegacyCollectPath), v => o.UseLegacyCollectPath = v);
        if (c[nameof(o.ApiVersion)] is { } apiVersion)
        {
            o.ApiVersion = Enum.TryParse<ScmApiVersion>(apiVersion, ignoreCase: true, out var version) && Enum.IsDefined(version)
                ? version
                : throw new InvalidOperationException($"{PathOf(c, nameof(o.ApiVersion))} '{apiVersion}' is not one of {string.Join(", ", Enum.GetNames<ScmApiVersion>())}.");
        }
        Int(c, nameof(o.MaxConcurrentRequests), v => o.MaxConcurrentRequests = checked((int)v));
        Int(c, nameof(o.MaxRequestsPerSecond), v => o.MaxRequestsPerSecond = checked((int)v));
        Time(c, nameof(o.CircuitBreakerBreakDuration), v => o.CircuitBreakerBreakDuration = v);
        Int(c, nameof(o.CircuitBreakerMinimumThroughput), v => o.CircuitBreakerMinimumThroughput = checked((int)v));
        Double(c, nameof(o.CircuitBreakerFailureRatio), v => o.CircuitBreakerFailureRatio = v);
        Time(c, nameof(o.CircuitBreakerSamplingDuration), v => o.CircuitBreakerSamplingDuration = v);
    }

    /// <summary>The configuration path of a key below <paramref name="c"/>, for error messages.</summary>
    private static string PathOf(IConfiguration c, string key) => c is IConfigurationSection section ? ConfigurationPath.Combine(section.Path, key) : key;

    private static void Bool(IConfiguration c, string key, Action<bool> set)
    {
        if (c[key] is { } value)
        {
            set(bool.TryParse(value, out var b)
                ? b
                : throw new InvalidOperationException($"{PathOf(c, key)} must be true or false; got '{value}'."));
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
                : throw new InvalidOperationException($"{PathOf(c, key)} must be an absolute URI."));
        }
    }

    private static void Time(IConfiguration c, string key, Action<TimeSpan> set)
    {
        if (c[key] is { } value)
        {
            set(TimeSpan.TryParse(value, CultureInfo.InvariantCulture, out var span)
                ? span
                : throw new InvalidOperationException($"{PathOf(c, key)} must be a time span such as 00:00:30; got '{value}'."));
        }
    }

    private static void Double(IConfiguration c, string key, Action<double> set)
    {
        if (c[key] is { } value)
        {
            set(double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw new InvalidOperationException($"{PathOf(c, key)} must be a number such as 0.5; got '{value}'."));
        }
    }

    private static void Int(IConfiguration c, string key, Action<long> set)
    {
        if (c[key] is { } value)
        {
            set(long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number)
                ? number
                : throw new InvalidOperationException($"{PathOf(c, key)} must be a whole number; got '{value}'."));
        }
    }
}

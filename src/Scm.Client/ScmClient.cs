using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Scm.Client.Internal;

namespace Scm.Client;

/// <summary>
/// The Sectigo Certificate Manager REST client, with operations grouped by area. Thread-safe; create one per account
/// and reuse it. Register it with <c>services.AddScmClient(...)</c> or construct it directly from options.
/// </summary>
public sealed class ScmClient : IDisposable
{
    private readonly ServiceProvider? _ownedServices;
    private readonly ScmCredentialStore _credentials;

    /// <summary>
    /// Creates a client without dependency injection. It builds the same handler pipeline as <c>AddScmClient</c>
    /// (in a private service container it owns) and validates <paramref name="options"/> first.
    /// </summary>
    /// <param name="options">The options; copied, so later changes have no effect.</param>
    /// <param name="loggerFactory">Where logs go; none when null.</param>
    /// <param name="timeProvider">The clock for timeouts, retries and token expiry; <see cref="TimeProvider.System"/> when null.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names each bad option.</exception>
    public ScmClient(ScmClientOptions options, ILoggerFactory? loggerFactory = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var copy = options.Clone();
        ScmClientOptionsValidator.ThrowIfInvalid(copy);
        var services = new ServiceCollection();
        if (loggerFactory is not null)
        {
            services.AddSingleton(loggerFactory);
        }

        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        services.AddSingleton<IOptions<ScmClientOptions>>(new OptionsWrapper<ScmClientOptions>(copy));
        ScmServiceCollectionExtensions.AddScmClientCore(services);
        _ownedServices = services.BuildServiceProvider();
        var transport = _ownedServices.GetRequiredService<ScmTransport>();
        _credentials = _ownedServices.GetRequiredService<ScmCredentialStore>();
        Ssl = new SslCertificatesClient(transport);
        Organizations = new OrganizationsClient(transport);
        Domains = new DomainsClient(transport);
        Admin = new AdminClient(transport, _credentials);
        Reports = new ReportsClient(transport);
        CustomFields = new CustomFieldsClient(transport);
        Dcv = new DcvClient(transport);
    }

    internal ScmClient(ScmTransport transport, ScmCredentialStore credentials)
    {
        _credentials = credentials;
        Ssl = new SslCertificatesClient(transport);
        Organizations = new OrganizationsClient(transport);
        Domains = new DomainsClient(transport);
        Admin = new AdminClient(transport, credentials);
        Reports = new ReportsClient(transport);
        CustomFields = new CustomFieldsClient(transport);
        Dcv = new DcvClient(transport);
    }

    /// <summary>SSL certificates: list, count, details, enroll, collect, approve, decline, revoke, renew, replace, update, delete, import, DCV, locations, profiles, custom fields.</summary>
    public SslCertificatesClient Ssl { get; }

    /// <summary>Organizations and departments, and their OV/EV validations.</summary>
    public OrganizationsClient Organizations { get; }

    /// <summary>Domains.</summary>
    public DomainsClient Domains { get; }

    /// <summary>Domain control validation: list validations, a domain's status, start and submit by CNAME, HTTP, HTTPS, TXT or e-mail (<c>/dcv</c>).</summary>
    public DcvClient Dcv { get; }

    /// <summary>The calling administrator: password state and password change.</summary>
    public AdminClient Admin { get; }

    /// <summary>Reports.</summary>
    public ReportsClient Reports { get; }

    /// <summary>Custom fields of every certificate type with their input types and the channels that require them (<c>/customField/v2</c>).</summary>
    public CustomFieldsClient CustomFields { get; }

    /// <summary>
    /// Replaces the credentials the client signs requests with, from the next request on, without a new client: for
    /// example after the API admin's password was changed in SCM or the OAuth2 client secret was rotated. Properties of
    /// <paramref name="credentials"/> left <see langword="null"/> keep their values; a bearer token obtained with the
    /// previous client id and secret is not used again. Thread-safe; requests already sent keep the old values.
    /// </summary>
    /// <param name="credentials">The new values.</param>
    /// <returns><see langword="true"/> when something changed; <see langword="false"/> when the values were the same.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="credentials"/> is null.</exception>
    /// <exception cref="ArgumentException">A value is empty or white space, or the result lacks a value the client's
    /// <see cref="ScmClientOptions.AuthenticationMode"/> requires; the message names the property, never a value. Nothing is changed.</exception>
    public bool UpdateCredentials(ScmCredentialUpdate credentials) => _credentials.Update(credentials);

    /// <summary>Releases the private service container of a client built with the public constructor (no-op under DI).</summary>
    public void Dispose() => _ownedServices?.Dispose();
}

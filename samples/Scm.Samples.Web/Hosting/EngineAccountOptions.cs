using Scm.Client;
using Scm.Lifecycle;

namespace Scm.Samples.Web.Hosting;

/// <summary>
/// The engine options of the linked account: the host's engine settings from configuration (<c>Sectigo:Polling</c>,
/// <c>Sectigo:Scheduling</c>, <c>Sectigo:AutoRenewal</c>, <c>Sectigo:Ordering</c>, ...) with the client the Account page
/// linked. In simulator mode orders are followed up every second, so an order placed in the dashboard is collected
/// within seconds.
/// </summary>
public sealed class EngineAccountOptions
{
    private readonly IConfiguration _configuration;
    private readonly bool _simulator;

    public EngineAccountOptions(IConfiguration configuration, DashboardSettings settings)
    {
        _configuration = configuration;
        _simulator = settings.Simulator;
    }

    /// <summary>Options for the account with this client.</summary>
    public SectigoCertificateManagementOptions Create(ScmClientOptions client)
    {
        var options = new SectigoCertificateManagementOptions { AccountId = AccountLinks.AccountName };
        if (_simulator)
        {
            options.Polling.InitialDelay = TimeSpan.FromSeconds(1);
            options.Polling.MaxDelay = TimeSpan.FromSeconds(5);
            options.Scheduling.FollowUpInterval = TimeSpan.FromSeconds(1);
        }

        var section = _configuration.GetSection(SectigoCertificateManagementOptions.SectionName);
        section.GetSection("Ordering").Bind(options.Ordering);
        section.GetSection("Polling").Bind(options.Polling);
        section.GetSection("Reconcile").Bind(options.Reconcile);
        section.GetSection("Inventory").Bind(options.Inventory);
        section.GetSection("Import").Bind(options.Import);
        section.GetSection("Scheduling").Bind(options.Scheduling);
        section.GetSection("Leases").Bind(options.Leases);
        section.GetSection("AutoRenewal").Bind(options.AutoRenewal);
        section.GetSection("Credentials").Bind(options.Credentials);
        section.GetSection("BulkWork").Bind(options.BulkWork);
        section.GetSection("Dcv").Bind(options.Dcv);
        options.Client = client;
        return options;
    }
}

/// <summary>The dashboard's folders (one data folder: store, key ring, account link).</summary>
public sealed class DashboardPaths
{
    public DashboardPaths(string dataDirectory, bool temporary)
    {
        DataDirectory = Path.GetFullPath(dataDirectory);
        Temporary = temporary;
    }

    /// <summary>The data folder.</summary>
    public string DataDirectory { get; }

    /// <summary>Whether the folder is a temporary one (simulator mode), deleted when the app stops.</summary>
    public bool Temporary { get; }

    /// <summary>The SQLite store.</summary>
    public string Database => Path.Combine(DataDirectory, "scm.db");

    /// <summary>The ASP.NET Core Data Protection key ring (protects the engine's private keys, the account's secrets, cookies).</summary>
    public string KeyRing => Path.Combine(DataDirectory, "keys");

    /// <summary>Where issued certificates are deployed (PEM, PFX or JKS per certificate).</summary>
    public string Deployments => Path.Combine(DataDirectory, "certificates");
}

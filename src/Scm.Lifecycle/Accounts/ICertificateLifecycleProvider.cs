using System.Diagnostics.CodeAnalysis;
using Scm.Lifecycle.Scheduling;

namespace Scm.Lifecycle;

/// <summary>
/// The engine of each SCM account a host serves (a product's tenants, a company's several SCM accounts). Each account
/// has its own SCM client (HTTP pipeline, credentials, circuit breaker, rate limit), its own partition of the store and
/// its own scheduled jobs; nothing one account does reads or writes another's records. For a name known at compile time
/// a host can also inject <c>[FromKeyedServices("name")] ICertificateLifecycle</c>.
/// </summary>
public interface ICertificateLifecycleProvider
{
    /// <summary>The accounts served now, by name (configuration and <see cref="IScmAccountRegistry"/>).</summary>
    IReadOnlyCollection<string> Accounts { get; }

    /// <summary>The engine of an account. It follows the account when its settings change.</summary>
    /// <param name="account">The account's name.</param>
    /// <returns>The account's engine.</returns>
    /// <exception cref="KeyNotFoundException">No such account (the message lists the accounts).</exception>
    ICertificateLifecycle Get(string account);

    /// <summary>The engine of an account, if there is one.</summary>
    /// <param name="account">The account's name.</param>
    /// <param name="lifecycle">The engine.</param>
    /// <returns>Whether the account exists.</returns>
    bool TryGet(string account, [NotNullWhen(true)] out ICertificateLifecycle? lifecycle);

    /// <summary>The job runner of an account (scheduled jobs run per account, under their own leases).</summary>
    /// <param name="account">The account's name.</param>
    /// <returns>The account's job runner.</returns>
    /// <exception cref="KeyNotFoundException">No such account.</exception>
    ILifecycleJobRunner GetJobRunner(string account);

    /// <summary>What an operator wants to see of an account: credentials, last catalog sync, counts (store only, no SCM call).</summary>
    /// <param name="account">The account's name.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="KeyNotFoundException">No such account.</exception>
    Task<ScmAccountSummary> GetSummaryAsync(string account, CancellationToken cancellationToken = default);
}

/// <summary>Adds, changes and removes SCM accounts while the host runs (for products that keep their accounts in their own database).</summary>
public interface IScmAccountRegistry
{
    /// <summary>The accounts served now, by name.</summary>
    IReadOnlyCollection<string> Accounts { get; }

    /// <summary>
    /// Adds an account, or replaces an account's settings (credentials included). The options are validated first
    /// (nothing changes on invalid options); key protection and the instance name are the host's and ignored here. A
    /// changed account gets a new engine; work in flight on the old one finishes, and its client is released afterwards.
    /// </summary>
    /// <param name="account">The account's name (1-64 letters, digits, '.', '_' or '-').</param>
    /// <param name="options">Its options (the same shape as the host's).</param>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The name or the options are invalid; every message names the option.</exception>
    /// <exception cref="InvalidOperationException">The host's store does not partition by account.</exception>
    void AddOrUpdate(string account, SectigoCertificateManagementOptions options);

    /// <summary>Stops serving an account. Its records stay in the store; adding it again takes them up.</summary>
    /// <param name="account">The account's name.</param>
    /// <returns>Whether the account was served.</returns>
    bool Remove(string account);

    /// <summary>Raised after an account was added, changed or removed (by configuration reload or by this registry).</summary>
    event EventHandler<ScmAccountsChangedEventArgs>? Changed;
}

/// <summary>What happened to an account.</summary>
public enum ScmAccountChange
{
    /// <summary>The account is now served.</summary>
    Added = 0,

    /// <summary>The account's settings changed; it has a new engine.</summary>
    Updated = 1,

    /// <summary>The account is no longer served.</summary>
    Removed = 2,
}

/// <summary>The account that changed.</summary>
public sealed class ScmAccountsChangedEventArgs : EventArgs
{
    /// <summary>Creates the arguments.</summary>
    /// <param name="account">The account's name.</param>
    /// <param name="change">What happened.</param>
    public ScmAccountsChangedEventArgs(string account, ScmAccountChange change)
    {
        Account = account;
        Change = change;
    }

    /// <summary>The account's name.</summary>
    public string Account { get; }

    /// <summary>What happened.</summary>
    public ScmAccountChange Change { get; }
}

/// <summary>An account at a glance (store only).</summary>
public sealed record ScmAccountSummary
{
    /// <summary>The account's name.</summary>
    public required string Account { get; init; }

    /// <summary>The SCM address it uses.</summary>
    public required Uri BaseAddress { get; init; }

    /// <summary>Whether SCM accepts its credentials (false while the credential circuit is open).</summary>
    public required bool CredentialsAccepted { get; init; }

    /// <summary>When its catalog was last synced, if ever.</summary>
    public DateTimeOffset? LastCatalogSync { get; init; }

    /// <summary>Active certificates in its inventory.</summary>
    public int ActiveCertificates { get; init; }

    /// <summary>All its certificate records.</summary>
    public int Certificates { get; init; }

    /// <summary>Its open orders.</summary>
    public int OpenOrders { get; init; }
}

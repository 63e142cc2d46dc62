using Scm.Client;

namespace Scm.Lifecycle;

/// <summary>
/// Options of the certificate lifecycle engine, bound from the <c>Sectigo</c> configuration section
/// (for example <c>Sectigo:Client:Login</c>, environment variable <c>Sectigo__Client__Login</c>).
/// Validated when the host starts; the non-DI factory runs the same validation.
/// </summary>
public sealed class SectigoCertificateManagementOptions
{
    /// <summary>The configuration section name: <c>Sectigo</c>.</summary>
    public const string SectionName = "Sectigo";

    /// <summary>How to reach and authenticate to SCM.</summary>
    public ScmClientOptions Client { get; set; } = new();

    /// <summary>The local name of the linked SCM account (default <c>default</c>).</summary>
    public string AccountId { get; set; } = "default";

    /// <summary>
    /// Several SCM accounts served by this host (configuration <c>Sectigo:Accounts:{name}:*</c>, each with the shape of this
    /// section). Each account starts from this section's values and overrides what it sets, so shared settings live here
    /// once; its <see cref="AccountId"/> is its name. Key protection and the instance name are host-wide: they come from
    /// this section only. Empty (default): this section is the single account (see <see cref="DefaultAccount"/>). Accounts
    /// can also be added, changed and removed while the host runs, through configuration reload or
    /// <see cref="IScmAccountRegistry"/>. Names: 1-64 letters, digits, '.', '_' or '-'.
    /// </summary>
    public IDictionary<string, SectigoCertificateManagementOptions> Accounts { get; } = new Dictionary<string, SectigoCertificateManagementOptions>(StringComparer.Ordinal);

    /// <summary>
    /// Whether this section is itself the account named <see cref="AccountId"/> when <see cref="Accounts"/> is empty
    /// (default <see langword="true"/>: the single-account host). Set <see langword="false"/> for a host whose accounts
    /// all come from <see cref="IScmAccountRegistry"/> at run time (a product keeping its tenants in its own database):
    /// the host then starts with no account and no SCM credentials.
    /// </summary>
    public bool DefaultAccount { get; set; } = true;

    /// <summary>
    /// A name for this engine instance, used as lease owner and in audit entries (default: machine name and process id).
    /// Two instances sharing a store must have different names.
    /// </summary>
    public string? InstanceName { get; set; }

    /// <summary>Ordering rules.</summary>
    public OrderingOptions Ordering { get; set; } = new();

    /// <summary>Order status polling and stuck-order thresholds.</summary>
    public PollingOptions Polling { get; set; } = new();

    /// <summary>Reconciliation of orders whose submission outcome is unknown.</summary>
    public ReconcileOptions Reconcile { get; set; } = new();

    /// <summary>The inventory's licence cap.</summary>
    public InventoryOptions Inventory { get; set; } = new();

    /// <summary>Import of existing SCM orders.</summary>
    public ImportOptions Import { get; set; } = new();

    /// <summary>The in-process scheduler.</summary>
    public SchedulingOptions Scheduling { get; set; } = new();

    /// <summary>Protection of private keys at rest by the default AES-256-GCM protector.</summary>
    public KeyProtectionOptions KeyProtection { get; set; } = new();

    /// <summary>Leases that keep several engine instances from acting on the same certificate.</summary>
    public LeaseOptions Leases { get; set; } = new();

    /// <summary>Auto-renewal defaults (a policy stored with <c>SetAutoRenewalPolicyAsync</c> takes precedence).</summary>
    public AutoRenewalOptions AutoRenewal { get; set; } = new();

    /// <summary>What happens when SCM refuses the credentials.</summary>
    public CredentialOptions Credentials { get; set; } = new();

    /// <summary>How bulk work (imports, status scans, auto-renewal runs) rides out an SCM outage.</summary>
    public BulkWorkOptions BulkWork { get; set; } = new();

    /// <summary>Domain control validation kept alive before orders and renewals (<c>Sectigo:Dcv</c>).</summary>
    public DcvOptions Dcv { get; set; } = new();

    /// <inheritdoc />
    public override string ToString() => $"SectigoCertificateManagementOptions {{ AccountId = {AccountId}, Client = {Client} }}";
}

/// <summary>Ordering rules.</summary>
public sealed class OrderingOptions
{
    /// <summary>Allow IP addresses, single-label and internal names (<c>.local</c>, ...) — only for profiles that permit them (default false).</summary>
    public bool AllowInternalNames { get; set; }

    /// <summary>Require every name's domain to be delegated to the organization and DCV-validated in the synced catalog (default true).</summary>
    public bool RequirePrevalidatedDomains { get; set; } = true;

    /// <summary>Maximum number of names (common name included) in one certificate (default 100).</summary>
    public int MaxSubjectAlternativeNames { get; set; } = 100;

    /// <summary>Minimum length of a caller-supplied keystore password (default 12).</summary>
    public int MinKeystorePasswordLength { get; set; } = 12;

    /// <summary>PBKDF2 iterations for PKCS#12 and encrypted PEM keys (default 100,000; at most 300,000, .NET's own loader limit).</summary>
    public int Pkcs12Iterations { get; set; } = 100_000;

    /// <summary>Sync the catalog automatically when ordering finds none (default true).</summary>
    public bool SyncCatalogWhenMissing { get; set; } = true;
}

/// <summary>Order status polling and stuck-order thresholds.</summary>
public sealed class PollingOptions
{
    /// <summary>First follow-up poll after submission (default 10 s); doubles per poll.</summary>
    public TimeSpan InitialDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Cap of the doubling follow-up delay (default 5 min).</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long an order is followed up closely; after that it is checked by the daily scan (default 1 h).</summary>
    public TimeSpan FollowUpWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Delay between checks once the follow-up window is over (default 1 day).</summary>
    public TimeSpan SlowDelay { get; set; } = TimeSpan.FromDays(1);

    /// <summary>An order still not issued this long after SCM accepted it becomes Stuck and is reported (default 1 h).</summary>
    public TimeSpan StuckAfterSubmitted { get; set; } = TimeSpan.FromHours(1);

    /// <summary>An order waiting for an administrator's approval this long is flagged Stuck; never re-ordered (default 24 h).</summary>
    public TimeSpan StuckAfterAwaitingApproval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Backoff after a failed local step such as a storage error (default 1 min, doubling to <see cref="MaxDelay"/>).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Reconciliation of orders whose submission outcome is unknown (timeouts, 5xx, crashes).</summary>
public sealed class ReconcileOptions
{
    /// <summary>
    /// How long after a submission a search that finds nothing is not yet trusted (default 2 min: twice the POST timeout).
    /// The order is re-submitted with the same token only after this window and a second empty search.
    /// </summary>
    public TimeSpan AmbiguityWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Delay between reconcile searches (default 1 min).</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An order still ambiguous after this long is flagged Stuck for an operator (default 24 h).</summary>
    public TimeSpan EscalateAfter { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Maximum concurrent detail requests while searching (default 4).</summary>
    public int MaxConcurrency { get; set; } = 4;
}

/// <summary>The inventory's licence cap.</summary>
public sealed class InventoryOptions
{
    /// <summary>
    /// Maximum number of active certificates in the inventory; <see langword="null"/> for no cap (default).
    /// An issued certificate beyond it is parked, visible and audited, and installed when capacity frees.
    /// </summary>
    public int? MaxManagedCertificates { get; set; }
}

/// <summary>Import of existing SCM orders.</summary>
public sealed class ImportOptions
{
    /// <summary>Concurrent detail requests during an import (default 4).</summary>
    public int MaxConcurrency { get; set; } = 4;
}

/// <summary>The in-process scheduler (a hosted service).</summary>
public sealed class SchedulingOptions
{
    /// <summary>Whether the hosted scheduler runs (default true).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Catalog sync interval (default 7 days).</summary>
    public TimeSpan CatalogSyncInterval { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Full status check of every open order (default 1 day).</summary>
    public TimeSpan StatusCheckInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often orders due for a follow-up poll are looked at (default 10 s).</summary>
    public TimeSpan FollowUpInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Auto-renewal scan interval (default 1 day).</summary>
    public TimeSpan AutoRenewalInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a job's lease lasts without renewal (default 5 min).</summary>
    public TimeSpan JobLeaseDuration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How many accounts the in-process scheduler runs catalog syncs, status checks and auto-renewal scans for at the same
    /// time (default 4, 1-64; the host's value: per-account values are ignored). With many accounts, their daily jobs
    /// otherwise all start together and contend for the store (SQLite's single writer) and the host's cores; the others
    /// wait their turn. Follow-up polling is not capped (it is short and keeps issued certificates moving). Quartz.NET
    /// scheduling has its own cap (<c>MaxConcurrency</c>).
    /// </summary>
    public int MaxConcurrentAccounts { get; set; } = 4;
}

/// <summary>Protection of private keys at rest (the default AES-256-GCM protector).</summary>
public sealed class KeyProtectionOptions
{
    /// <summary>A 256-bit key, base64. When set, <see cref="KeyFilePath"/> is not used. Never logged.</summary>
    public string? Key { get; set; }

    /// <summary>
    /// Older 256-bit keys, base64, kept only to decrypt what they protected (after a rotation of a configured
    /// <see cref="Key"/>, until <c>scm keys status</c> shows they protect nothing). Default: none. Never logged.
    /// </summary>
    public IList<string> PreviousKeys { get; set; } = [];

    /// <summary>
    /// A key file, created with mode 0600 on first use - only while the store holds nothing protected by another key
    /// (default: <c>scm-keys.key</c> in the local application data folder under <c>Scm.Sdk</c>). Older keys of the ring
    /// live next to it under their key id. Back the folder up together with the store.
    /// </summary>
    public string? KeyFilePath { get; set; }

    /// <inheritdoc />
    public override string ToString() => $"KeyProtectionOptions {{ Key = {(Key is null ? "(none)" : "***")}, PreviousKeys = {PreviousKeys.Count}, KeyFilePath = {KeyFilePath} }}";
}

/// <summary>Leases that keep several engine instances from acting on the same certificate or job.</summary>
public sealed class LeaseOptions
{
    /// <summary>How long a per-certificate lease lasts without renewal (default 3 min; must exceed the POST timeout).</summary>
    public TimeSpan CertificateLeaseDuration { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>Minimum lease time that must remain before a POST to SCM is started (default: POST timeout + 15 s).</summary>
    public TimeSpan? MinimumRemainingBeforePost { get; set; }
}

/// <summary>Auto-renewal defaults, used until a policy is stored with <c>SetAutoRenewalPolicyAsync</c>.</summary>
public sealed class AutoRenewalOptions
{
    /// <summary>Whether auto-renewal runs (default false: renewing is a paid action the host opts into).</summary>
    public bool Enabled { get; set; }

    /// <summary>The default of <see cref="MaxShareOfLifetime"/>: a third.</summary>
    public const double DefaultMaxShareOfLifetime = 1.0 / 3;

    /// <summary>
    /// Renew this many days before expiry (default 30), but never earlier than <see cref="MaxShareOfLifetime"/> of the
    /// certificate's lifetime before expiry: a 47-day certificate renews about 15.7 days before expiry.
    /// </summary>
    public int RenewBeforeDays { get; set; } = 30;

    /// <summary>Renew this long before expiry; overrides <see cref="RenewBeforeDays"/> when set (capped the same way by <see cref="MaxShareOfLifetime"/>).</summary>
    public TimeSpan? RenewBefore { get; set; }

    /// <summary>
    /// The largest share of a certificate's lifetime (NotBefore to NotAfter) the renewal window may take: the policy's
    /// "N days before expiry" is capped by it, so short-lived certificates renew in the last part of their life instead of
    /// after a small part of it. Default a third (<see cref="DefaultMaxShareOfLifetime"/>); more than 0 and at most 1 (1:
    /// no cap below the lifetime itself). See docs/short-lived-certificates.md for the table of 398/200/100/47-day
    /// certificates.
    /// </summary>
    public double MaxShareOfLifetime { get; set; } = DefaultMaxShareOfLifetime;

    /// <summary>Which certificates are covered (default all with a local key).</summary>
    public AutoRenewSelection Selection { get; set; }

    /// <summary>Certificates for <see cref="AutoRenewSelection.Listed"/>.</summary>
    public List<Guid> CertificateIds { get; set; } = [];

    /// <summary>Tags for <see cref="AutoRenewSelection.Tagged"/>.</summary>
    public List<string> Tags { get; set; } = [];

    /// <summary>An extra filter in code (not bindable): certificates for which it returns false are skipped.</summary>
    public Func<Scm.Storage.ManagedCertificate, bool>? Predicate { get; set; }

    /// <summary>The largest deterministic per-certificate jitter subtracted from the due time to spread renewals (default 6 h, at most a tenth of the renewal window).</summary>
    public TimeSpan MaxJitter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Also auto-renew observe-only (imported) certificates with a fresh key (default false; per-certificate opt-in always does).</summary>
    public bool IncludeObserveOnly { get; set; }
}

/// <summary>What SCM credential failures do.</summary>
public sealed class CredentialOptions
{
    /// <summary>While SCM refuses the credentials, scheduled work pauses and one probe runs at this interval (default 5 min), to avoid locking the account.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>How bulk work (imports, status scans, auto-renewal runs) rides out an SCM outage.</summary>
public sealed class BulkWorkOptions
{
    /// <summary>
    /// When the client's circuit breaker opens (SCM keeps failing), bulk work pauses until the break is over and resumes,
    /// instead of failing; this is how long it may pause in all, per run (default 15 min; zero: never pause). Single
    /// calls never pause: they fail at once while the circuit is open.
    /// </summary>
    public TimeSpan MaxPause { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// Domain control validation kept alive before orders and renewals (docs/short-lived-certificates.md, "Domain validation").
/// </summary>
public sealed class DcvOptions
{
    /// <summary>
    /// Revalidate a domain whose validation lapses within this margin of the moment an order or renewal is sent (default
    /// 3 days): SCM checks the validation when it issues, which may be later than the request.
    /// </summary>
    public TimeSpan RevalidateBefore { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How far ahead the daily scan looks at upcoming renewals (default 14 days); without a responder, it warns this early.</summary>
    public TimeSpan LookAhead { get; set; } = TimeSpan.FromDays(14);

    /// <summary>How often the status is polled after a submit while SCM has not validated yet (default 30 seconds).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a revalidation may take from the start to a validated status before it counts as failed (default 15 minutes).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(15);
}

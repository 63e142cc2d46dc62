using System.Text.RegularExpressions;

namespace Scm.Testing;

/// <summary>How the simulator answers a collect (and similar) call before the certificate is issued.</summary>
public enum ScmNotReadyStyle
{
    /// <summary>HTTP 400 <c>{"code":-183,"description":"Certificate is not collectable."}</c> (the default).</summary>
    NotCollectable,

    /// <summary>The legacy HTTP 400 <c>{"code":0,"description":"Being processed by Sectigo"}</c>.</summary>
    BeingProcessed,

    /// <summary>HTTP 400 <c>{"code":-1400,"description":"The request is being processed by Sectigo."}</c>.</summary>
    RequestBeingProcessed,
}

/// <summary>
/// Which of Sectigo's API documents the simulator follows where the two differ. SCM instances run one version or the
/// other; the simulator answers as one of them and refuses the other's spellings where its document does not list them.
/// </summary>
public enum ScmSimulatorApiVersion
{
    /// <summary>
    /// The "Certificate Manager 25.5 REST API" document (the default): SSL list filters in UPPER_SNAKE (<c>KEY_READY</c>,
    /// <c>NOT_SCHEDULED</c>, <c>WEB_FORM</c>) and <c>SAApproved</c>; <c>organization/v1/managedBy/{role}</c> (the
    /// <c>managed-by</c> spelling answers 404); the keystore link by GET (POST answers 405); no <c>dcvMode</c> <c>AUTO</c>;
    /// validations carry <c>validationLevel</c>; the custom-field filter accepts <c>CodeSign</c>; <c>sha256Hash</c> is not a filter (ignored).
    /// </summary>
    Rest25_5 = 0,

    /// <summary>
    /// The "Admin Operations" OpenAPI 25.9.2: SSL list filters as display strings (<c>Key and CSR ready</c>,
    /// <c>Not scheduled</c>, <c>Enrollment Form</c>) and <c>SA Approved</c>; <c>organization/v1/managed-by/{role}</c> (the
    /// <c>managedBy</c> spelling answers 404); the keystore link by POST with an optional pass phrase (GET answers 405);
    /// <c>dcvMode</c> <c>AUTO</c>; validations carry <c>type</c>; the <c>sha256Hash</c> filter.
    /// </summary>
    Admin25_9 = 1,
}

/// <summary>Options of <see cref="ScmSimulator.StartAsync(ScmSimulatorOptions?, System.Threading.CancellationToken)"/>.</summary>
public sealed class ScmSimulatorOptions
{
    /// <summary>The default pattern of the SDK's correlation marker in <c>comments</c>: <c>[scm-sdk:&lt;32 lowercase hex&gt;]</c>.</summary>
    public static readonly Regex DefaultCorrelationPattern = new(@"\[scm-sdk:(?<token>[0-9a-f]{32})\]", RegexOptions.CultureInvariant);

    /// <summary>
    /// Gets or sets the clock. Every status change, expiry, token lifetime and auto-renewal is evaluated lazily from it
    /// on each request, so a <c>FakeTimeProvider</c> advanced by a test moves orders through their stages. Default: the system clock.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the seed of every random choice (ids, serial numbers, credentials, percentage faults); <see langword="null"/> picks one and prints it.</summary>
    public int? Seed { get; set; }

    /// <summary>Gets or sets the TCP port on 127.0.0.1; 0 (the default) picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the simulator serves HTTPS with a server certificate issued by its test root
    /// for 127.0.0.1 and localhost, and authenticates <c>/private/api</c> calls by client certificate.
    /// </summary>
    public bool UseHttps { get; set; }

    /// <summary>
    /// Gets or sets which vendor document the simulator follows where the two differ (filter spellings, the managed-by
    /// path, the keystore verb, values only one version lists). Default <see cref="ScmSimulatorApiVersion.Rest25_5"/>, as the
    /// SDK client's default. A value the chosen document does not list is refused as SCM refuses it: HTTP 400 with code -1601
    /// "Field '&lt;name&gt;' has invalid value", a path it does not have 404, a verb 405.
    /// </summary>
    public ScmSimulatorApiVersion ApiVersion { get; set; } = ScmSimulatorApiVersion.Rest25_5;

    /// <summary>Gets or sets the seeded account. Default: <see cref="ScmSimulatorAccount.CreateDefault"/>.</summary>
    public ScmSimulatorAccount Account { get; set; } = ScmSimulatorAccount.CreateDefault();

    /// <summary>Gets or sets the time from <c>Requested</c> to <c>Approved</c> for profiles that need no approval. Default 0.</summary>
    public TimeSpan AutoApprovalDelay { get; set; } = TimeSpan.Zero;

    /// <summary>Gets or sets the time from <c>Approved</c> to <c>Applied</c>. Default 1 second.</summary>
    public TimeSpan ApplyDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets or sets the time from <c>Applied</c> to <c>Issued</c>. Default 2 seconds.</summary>
    public TimeSpan IssueDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gets or sets how a collect before issuance is answered. Default <see cref="ScmNotReadyStyle.NotCollectable"/> (-183).</summary>
    public ScmNotReadyStyle NotReadyStyle { get; set; } = ScmNotReadyStyle.NotCollectable;

    /// <summary>Gets or sets a value indicating whether each not-ready answer picks its style at random (seeded) instead of <see cref="NotReadyStyle"/>.</summary>
    public bool RandomizeNotReadyStyle { get; set; }

    /// <summary>Gets or sets the most extra not-ready answers a collect gets after issuance (a random 0..N per certificate, seeded). Default 0.</summary>
    public int MaxNotReadyPollsAfterIssue { get; set; }

    /// <summary>Gets or sets the first sslId. Values above 2^31 are supported. Default 1000.</summary>
    public long IdBase { get; set; } = 1000;

    /// <summary>Gets or sets a value indicating whether sslIds grow by a random (seeded) step instead of 1.</summary>
    public bool NonSequentialIds { get; set; }

    /// <summary>Gets or sets the largest page a list returns (SCM: 200). A smaller value, like 3, forces paging. A larger requested size is capped.</summary>
    public int MaxPageSize { get; set; } = 200;

    /// <summary>Gets or sets a fixed validity for issued certificates instead of <c>term</c> days (for example minutes, for renewal tests).</summary>
    public TimeSpan? CertificateLifetime { get; set; }

    /// <summary>Gets or sets how many entries the request log keeps (oldest dropped first). Default 10,000.</summary>
    public int RequestLogCapacity { get; set; } = 10_000;

    /// <summary>Gets or sets the lifetime of bearer tokens from the token endpoint (<c>expires_in</c>). Default 300 seconds.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromSeconds(300);

    /// <summary>
    /// Gets or sets the pattern that finds correlation tokens in <c>comments</c> for the counters. The named group
    /// <c>token</c> (else group 1, else the whole match) is the token. Default <see cref="DefaultCorrelationPattern"/>.
    /// </summary>
    public Regex CorrelationPattern { get; set; } = DefaultCorrelationPattern;

    /// <summary>Gets or sets a value indicating whether an order waits in <c>Applied</c> while one of its domains is not validated. Default <see langword="true"/>.</summary>
    public bool HoldIssuanceWhileDcvPending { get; set; } = true;

    /// <summary>
    /// Gets or sets a value indicating whether DCV is enabled for the simulated customer. Default <see langword="true"/>.
    /// When <see langword="false"/> every <c>/dcv</c> call answers 400 <c>-1608</c> "DCV not enabled for this customer".
    /// </summary>
    public bool DcvEnabled { get; set; } = true;

    /// <summary>
    /// Gets or sets how long a domain validation done through the <c>/dcv</c> API (or <see cref="ScmSimulator.SetDomainValidation"/>)
    /// stays valid: the CA/Browser Forum's DCV reuse period. Default 398 days; SC-081 shortens it to 10 days from 2029-03-15.
    /// </summary>
    public TimeSpan DcvValidityPeriod { get; set; } = TimeSpan.FromDays(398);

    /// <summary>
    /// Gets or sets a value indicating whether domain validation expires with the simulator clock. Default <see langword="false"/>.
    /// When <see langword="true"/>: a validation turns <c>EXPIRED</c> once the clock reaches its expiry (validation time plus
    /// <see cref="DcvValidityPeriod"/>; for the seeded domains, the end of their <c>dcvExpiration</c> day), in the <c>/dcv</c>
    /// answers, the domain details and issuance; and enroll, enroll-keygen, renew, replace and import for a name whose
    /// domain's DCV is not <c>VALIDATED</c> answer 400 <c>-1137</c> "Domain(s) {0} not validated under DCV". When
    /// <see langword="false"/> the dates are shown but never expire by themselves, and enrollment refuses a domain that is
    /// not validated with <c>-737</c>, as before.
    /// </summary>
    public bool EnforceDcvExpiry { get; set; }

    /// <summary>
    /// Gets or sets where CNAME and TXT validation submits look up DNS records. Default <see langword="null"/>: no records,
    /// so such checks fail.
    /// </summary>
    public IScmSimulatorDnsResolver? DnsResolver { get; set; }

    /// <summary>
    /// Gets the base addresses the HTTP and HTTPS validation checks fetch from, by domain (case-insensitive). The
    /// challenge's URL names the domain (<c>http://example.com/.well-known/pki-validation/X.txt</c>); the check fetches
    /// the same path and query from the mapped address instead (for example <c>http://127.0.0.1:5123/</c>, a server the
    /// test runs), with a GET, no redirects, a 10-second timeout and at most 64 KiB read. A domain without an entry
    /// fails the check.
    /// </summary>
    public IDictionary<string, Uri> DcvHttpBaseAddresses { get; } = new Dictionary<string, Uri>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Gets or sets a value indicating whether an e-mail validation is validated as soon as it is submitted (as if the
    /// link in the mail were followed at once). Default <see langword="false"/>: it stays submitted until a test calls
    /// <see cref="ScmSimulator.ConfirmDcvEmail"/>.
    /// </summary>
    public bool DcvEmailAutoConfirm { get; set; }

    /// <summary>Gets the fault rules active from the start (more can be added through <see cref="ScmSimulator.Faults"/>).</summary>
    public IList<ScmFaultRule> Faults { get; } = new List<ScmFaultRule>();

    /// <summary>Gets or sets where the start line (addresses and seed, never secrets) is written; <see langword="null"/> writes nothing. Default: standard output.</summary>
    public TextWriter? Log { get; set; } = Console.Out;

    /// <summary>
    /// Creates the "hostile" preset (docs/reliability.md, "The hostile preset"): 5% 5xx and 2% 429 (Retry-After as seconds, HTTP date or absent)
    /// on any call, 0-5 random not-ready polls per certificate in random styles (code 0, -1400), page size 3, non-sequential
    /// sslIds above 2^31, random latency (0-3 s on 2% of calls), malformed responses (truncated JSON, HTML error pages, empty 200s)
    /// on 1% of calls, and commit-then-fail on 3% of enroll POSTs. Every random choice derives from <paramref name="seed"/>.
    /// </summary>
    /// <param name="seed">The seed; <see langword="null"/> picks one (printed at start).</param>
    /// <returns>New options the caller may change further.</returns>
    public static ScmSimulatorOptions Hostile(int? seed = null)
    {
        var options = new ScmSimulatorOptions
        {
            Seed = seed,
            MaxNotReadyPollsAfterIssue = 5,
            RandomizeNotReadyStyle = true,
            MaxPageSize = 3,
            IdBase = (1L << 31) + 1000,
            NonSequentialIds = true,
        };
        options.Faults.Add(ScmFault.Any().ServerError(503).Percent(2));
        options.Faults.Add(ScmFault.Any().ServerError(500).Percent(2));
        options.Faults.Add(ScmFault.Any().ServerError(502).Percent(1));
        options.Faults.Add(ScmFault.Any().TooManyRequests(ScmRetryAfterStyle.Random, TimeSpan.FromSeconds(1)).Percent(2));
        options.Faults.Add(ScmFault.Any().Latency(TimeSpan.Zero, TimeSpan.FromSeconds(3)).Percent(2));
        options.Faults.Add(ScmFault.On("GET", "/**").TruncatedJson().Percent(0.4));
        options.Faults.Add(ScmFault.On("GET", "/**").HtmlErrorPage(502).Percent(0.3));
        options.Faults.Add(ScmFault.On("GET", "/**").EmptyOk().Percent(0.3));
        options.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.ServerError).Percent(1));
        options.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.DropConnection).Percent(1));
        options.Faults.Add(ScmFault.On("POST", "/ssl/*/enroll").CommitThenFail(ScmCommitFailure.Stall, TimeSpan.FromSeconds(90)).Percent(1));
        return options;
    }
}

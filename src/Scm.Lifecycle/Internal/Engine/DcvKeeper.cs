using System.Collections.Concurrent;
using System.Globalization;
using Scm.Lifecycle.DomainValidation;
using Scm.Lifecycle.Validation;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>
/// Keeps domain control validation alive: before an order or renewal is sent, every registered domain of its names whose
/// validation lapses within <see cref="DcvOptions.RevalidateBefore"/> of that moment is refreshed from SCM and, if still
/// lapsing, revalidated through the host's <see cref="IDcvResponder"/> (start, publish, submit, poll, remove). When that is
/// not possible the order is deferred, never sent to be refused. A daily scan does the same ahead of upcoming renewals
/// and, without a responder, warns (<see cref="DcvExpiringEvent"/>, the health check, the audit trail). Every step is an
/// audit entry with action <c>Dcv</c>.
/// </summary>
internal sealed class DcvKeeper
{
    internal const string Action = "Dcv";

    private readonly EngineContext _ctx;
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _domainLocks = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _catalogLock = new(1, 1);

    public DcvKeeper(EngineContext context) => _ctx = context;

    /// <summary>The store key of the health finding (what the last scan found lapsing without a way to revalidate).</summary>
    public string FindingKey => "dcv:expiring:" + _ctx.Options.AccountId;

    /// <summary>
    /// Makes sure every registered domain of <paramref name="names"/> stays validated past <paramref name="neededAt"/> plus the
    /// margin. Returns <see langword="null"/> when the order may be sent, else why it must be deferred.
    /// </summary>
    public async Task<string?> EnsureAsync(IEnumerable<string> names, DateTimeOffset neededAt, string actor, ManagedCertificate? certificate, CancellationToken cancellationToken)
    {
        var catalog = await _ctx.Store.GetCatalogAsync(_ctx.Options.AccountId, cancellationToken).ConfigureAwait(false);
        if (catalog is null)
        {
            return null;
        }

        foreach (var domain in DomainsOf(names, catalog))
        {
            if (!Lapses(domain, neededAt))
            {
                continue;
            }

            var (reason, blocks) = await KeepAliveAsync(domain.Name, neededAt, actor, certificate, warnOnly: false, cancellationToken).ConfigureAwait(false);
            if (reason is not null && blocks)
            {
                return reason;
            }
        }

        return null;
    }

    /// <summary>
    /// The daily scan: for renewals due within <see cref="DcvOptions.LookAhead"/>, the domains whose validation lapses before
    /// the renewal needs it. With a responder, those needed before the next day's run are revalidated now; without one (or
    /// when revalidation fails) the host is warned once per domain and expiry date. The health finding is rewritten.
    /// </summary>
    public async Task<int> ScanAsync(TimeSpan renewBefore, string actor, CancellationToken cancellationToken)
    {
        var catalog = await _ctx.Store.GetCatalogAsync(_ctx.Options.AccountId, cancellationToken).ConfigureAwait(false);
        if (catalog is null)
        {
            return 0;
        }

        var now = _ctx.Now;
        var lookAhead = now + _ctx.Options.Dcv.LookAhead;
        var horizon = lookAhead + renewBefore + _ctx.Options.AutoRenewal.MaxJitter;
        var needed = new Dictionary<string, (CatalogDomain Domain, DateTimeOffset At, ManagedCertificate Certificate)>(StringComparer.OrdinalIgnoreCase);
        CertificateDuePosition? after = null;
        while (true)
        {
            var page = await _ctx.Store.ListCertificatesDueAsync(horizon, 500, after, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                break;
            }

            after = new CertificateDuePosition(page[^1].NotAfter, page[^1].Id);
            foreach (var certificate in page.Where(c => c.Status == CertificateStatus.Active && c.SslId is not null))
            {
                var plan = AutoRenewalScanner.Plan(certificate, renewBefore, _ctx.Options.AutoRenewal.MaxJitter, _ctx.Options.AutoRenewal.MaxShareOfLifetime);
                var at = plan.RenewAt < now ? now : plan.RenewAt;
                if (at > lookAhead)
                {
                    continue;
                }

                foreach (var domain in DomainsOf(certificate.SubjectAlternativeNames.Prepend(certificate.CommonName), catalog))
                {
                    if (Lapses(domain, at) && (!needed.TryGetValue(domain.Name, out var known) || known.At > at))
                    {
                        needed[domain.Name] = (domain, at, certificate);
                    }
                }
            }
        }

        var findings = new List<string>();
        var revalidated = 0;
        foreach (var (name, (domain, at, certificate)) in needed.OrderBy(x => x.Value.At))
        {
            // With a responder, revalidate what the next day's renewals need; later ones are done when they come (a
            // revalidation now might lapse again before them). Without one, warn as early as the look-ahead allows.
            var soon = at <= now + TimeSpan.FromDays(1);
            var (reason, _) = await KeepAliveAsync(name, at, actor, null, warnOnly: !soon || _ctx.DcvResponder is null, cancellationToken).ConfigureAwait(false);
            if (reason is null)
            {
                revalidated += soon ? 1 : 0;
                continue;
            }

            findings.Add(reason);
        }

        await _ctx.Store.SetValueAsync(FindingKey, findings.Count == 0 ? null : string.Join(" ", findings), cancellationToken).ConfigureAwait(false);
        return revalidated;
    }

    /// <summary>
    /// Refreshes one domain from SCM and, unless it is validated long enough now, revalidates it (or, with
    /// <paramref name="warnOnly"/>, only warns). The problem, if any, and whether it blocks a request sent now: only when
    /// SCM would refuse it (the domain is not validated at this moment); a validation that is still valid but lapses within
    /// the margin is warned about and the request goes on.
    /// </summary>
    private async Task<(string? Problem, bool Blocks)> KeepAliveAsync(string domainName, DateTimeOffset neededAt, string actor, ManagedCertificate? certificate, bool warnOnly, CancellationToken cancellationToken)
    {
        var gate = _domainLocks.GetOrAdd(domainName, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Someone (another task, the scan, an operator in SCM) may have revalidated it meanwhile.
            var catalog = await _ctx.Store.GetCatalogAsync(_ctx.Options.AccountId, cancellationToken).ConfigureAwait(false);
            var domain = catalog?.Domains.FirstOrDefault(d => string.Equals(d.Name, domainName, StringComparison.OrdinalIgnoreCase));
            if (domain is null || !Lapses(domain, neededAt))
            {
                return (null, false);
            }

            bool validNow;
            try
            {
                var status = await _ctx.Gateway.GetDcvStatusAsync(domainName, cancellationToken).ConfigureAwait(false);
                domain = await UpdateCatalogAsync(domain, status.Status, status.Expires, null, cancellationToken).ConfigureAwait(false);
                if (!Lapses(domain, neededAt))
                {
                    return (null, false);
                }

                // SCM's own word on whether a request sent now passes. A validation SCM still calls VALIDATED after its
                // date has passed is one SCM does not expire by date: nothing to keep alive.
                validNow = IsValidated(status.Status);
                if (validNow && status.Expires is { } shown && shown < DateOnly.FromDateTime(_ctx.Now.UtcDateTime))
                {
                    return (null, false);
                }
            }
            catch (ScmCallException ex)
            {
                Log.DcvStatusUnreadable(_ctx.Logger, domainName, ex.Message);
                validNow = IsValidated(domain.ValidationStatus) && (domain.DcvExpiration is null || domain.DcvExpiration >= DateOnly.FromDateTime(_ctx.Now.UtcDateTime));
            }

            var responder = _ctx.DcvResponder;
            var method = responder?.SupportedMethods.FirstOrDefault(m => Enum.IsDefined(m));
            if (responder is null || responder.SupportedMethods.Count == 0 || warnOnly)
            {
                var why = responder is null || responder.SupportedMethods.Count == 0
                    ? "no DCV responder is registered to revalidate it"
                    : "it is revalidated when the renewal is due";
                var text = $"Domain control validation of '{domainName}' {Expiry(domain)}, before the renewal at {Stamp(neededAt)} needs it (with the {Describe(_ctx.Options.Dcv.RevalidateBefore)} margin); {why}."
                    + (responder is null ? " Revalidate it in SCM (or register an IDcvResponder), or renewals for it are deferred." : string.Empty);
                if (responder is null || responder.SupportedMethods.Count == 0)
                {
                    await WarnOnceAsync(domain, neededAt, text, actor, certificate, cancellationToken).ConfigureAwait(false);
                    return (text, !validNow);
                }

                return (null, false);
            }

            var failed = await RevalidateAsync(domain, method!.Value, responder, neededAt, actor, certificate, cancellationToken).ConfigureAwait(false);
            return (failed, failed is not null && !validNow);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<string?> RevalidateAsync(CatalogDomain domain, DcvChallengeMethod method, IDcvResponder responder, DateTimeOffset neededAt, string actor, ManagedCertificate? certificate, CancellationToken cancellationToken)
    {
        var name = domain.Name;
        var methodWord = method.ToString().ToUpperInvariant();
        var started = _ctx.Now;
        var deadline = started + _ctx.Options.Dcv.Timeout;
        DcvChallenge? challenge = null;
        string? failure = null;
        try
        {
            if (method == DcvChallengeMethod.Txt)
            {
                var first = await _ctx.Gateway.SubmitDcvAsync(name, method, cancellationToken).ConfigureAwait(false);
                challenge = new DcvChallenge { Domain = name, Method = method, RecordName = first.Host, RecordValue = first.Point };
            }
            else
            {
                var start = await _ctx.Gateway.StartDcvAsync(name, method, cancellationToken).ConfigureAwait(false);
                challenge = method == DcvChallengeMethod.Cname
                    ? new DcvChallenge { Domain = name, Method = method, RecordName = start.Host, RecordValue = start.Point }
                    : new DcvChallenge { Domain = name, Method = method, FileUrl = start.Url, FileContent = start.FirstLine + "\n" + start.SecondLine };
            }

            if (challenge.RecordName is null && challenge.FileUrl is null)
            {
                failure = $"SCM answered the {methodWord} start without a challenge.";
                challenge = null;
            }
            else
            {
                await responder.PublishAsync(challenge, cancellationToken).ConfigureAwait(false);
                var submitted = await _ctx.Gateway.SubmitDcvAsync(name, method, cancellationToken).ConfigureAwait(false);
                var status = new ScmDcvStatus(submitted.Status, null, null);
                while (true)
                {
                    if (IsValidated(status.Status))
                    {
                        status = status.Expires is null ? await _ctx.Gateway.GetDcvStatusAsync(name, cancellationToken).ConfigureAwait(false) : status;
                        if (IsValidated(status.Status))
                        {
                            break;
                        }
                    }

                    if (_ctx.Now + _ctx.Options.Dcv.PollInterval > deadline)
                    {
                        failure = $"SCM did not validate it within {Describe(_ctx.Options.Dcv.Timeout)} (status {status.Status ?? "unknown"}).";
                        break;
                    }

                    await Task.Delay(_ctx.Options.Dcv.PollInterval, _ctx.Time, cancellationToken).ConfigureAwait(false);
                    status = await _ctx.Gateway.GetDcvStatusAsync(name, cancellationToken).ConfigureAwait(false);
                }

                if (failure is null)
                {
                    domain = await UpdateCatalogAsync(domain, status.Status, status.Expires, methodWord, cancellationToken).ConfigureAwait(false);
                    if (Lapses(domain, neededAt))
                    {
                        failure = $"SCM validated it, but only until {domain.DcvExpiration:yyyy-MM-dd}.";
                    }
                }
            }
        }
        catch (ScmCallException ex)
        {
            failure = $"SCM refused or failed: {ex.Message}";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            failure = $"The DCV responder failed: {ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            if (challenge is not null)
            {
                try
                {
                    await responder.RemoveAsync(challenge, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex)
                {
                    await AuditAsync(actor, "CleanupFailed", "Failed", $"Removing the {methodWord} challenge of '{name}' failed ({ex.GetType().Name}: {ex.Message}); remove it by hand.", certificate, name, CancellationToken.None).ConfigureAwait(false);
                }
            }
        }

        if (failure is null)
        {
            await AuditAsync(actor, "Revalidated", "Succeeded",
                $"Domain control validation of '{name}' renewed by {methodWord} (validated until {domain.DcvExpiration:yyyy-MM-dd}); the challenge was published and removed.", certificate, name, cancellationToken).ConfigureAwait(false);
            Log.DcvRevalidated(_ctx.Logger, name, methodWord);
            return null;
        }

        var reason = $"Domain control validation of '{name}' {Expiry(domain)}, before the renewal at {Stamp(neededAt)} needs it, and revalidating it by {methodWord} failed: {failure}";
        await AuditAsync(actor, "RevalidationFailed", "Failed", reason, certificate, name, cancellationToken).ConfigureAwait(false);
        await _ctx.Events.RaiseAsync(this, new DcvExpiringEvent
        {
            Timestamp = _ctx.Now,
            Domain = name,
            Expires = domain.DcvExpiration ?? DateOnly.FromDateTime(_ctx.Now.UtcDateTime),
            RenewalAt = neededAt,
            Reason = reason,
            CertificateId = certificate?.Id,
            CommonName = certificate?.CommonName,
            SslId = certificate?.SslId,
        }, cancellationToken).ConfigureAwait(false);
        Log.DcvRevalidationFailed(_ctx.Logger, name, methodWord, failure);
        return reason;
    }

    private async Task WarnOnceAsync(CatalogDomain domain, DateTimeOffset neededAt, string text, string actor, ManagedCertificate? certificate, CancellationToken cancellationToken)
    {
        var key = "dcv:warned:" + _ctx.Options.AccountId + ":" + domain.Name.ToLowerInvariant();
        var marker = (domain.DcvExpiration?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "none") + "/" + (domain.ValidationStatus ?? "unknown");
        if (await _ctx.Store.GetValueAsync(key, cancellationToken).ConfigureAwait(false) == marker)
        {
            return;
        }

        await AuditAsync(actor, "Expiring", "Pending", text, certificate, domain.Name, cancellationToken).ConfigureAwait(false);
        await _ctx.Store.SetValueAsync(key, marker, cancellationToken).ConfigureAwait(false);
        await _ctx.Events.RaiseAsync(this, new DcvExpiringEvent
        {
            Timestamp = _ctx.Now,
            Domain = domain.Name,
            Expires = domain.DcvExpiration ?? DateOnly.FromDateTime(_ctx.Now.UtcDateTime),
            RenewalAt = neededAt,
            Reason = text,
            CertificateId = certificate?.Id,
            CommonName = certificate?.CommonName,
            SslId = certificate?.SslId,
        }, cancellationToken).ConfigureAwait(false);
    }

    private Task AuditAsync(string actor, string decision, string outcome, string reason, ManagedCertificate? certificate, string domain, CancellationToken cancellationToken) =>
        _ctx.Store.AppendAuditAsync(new AuditEntry
        {
            Timestamp = _ctx.Now,
            Actor = actor,
            Action = Action,
            Decision = decision,
            Outcome = outcome,
            Reason = reason,
            CertificateId = certificate?.Id,
            SslId = certificate?.SslId,
            CommonName = certificate?.CommonName ?? domain,
        }, cancellationToken);

    /// <summary>Writes SCM's answer about one domain into the stored catalog (so the order validator sees it too).</summary>
    private async Task<CatalogDomain> UpdateCatalogAsync(CatalogDomain domain, string? status, DateOnly? expires, string? method, CancellationToken cancellationToken)
    {
        var updated = domain with
        {
            ValidationStatus = status ?? domain.ValidationStatus,
            DcvExpiration = expires ?? (IsValidated(status) ? domain.DcvExpiration : null),
            ValidationMethod = method ?? domain.ValidationMethod,
        };
        if (updated == domain)
        {
            return domain;
        }

        await _catalogLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var catalog = await _ctx.Store.GetCatalogAsync(_ctx.Options.AccountId, cancellationToken).ConfigureAwait(false);
            if (catalog is not null)
            {
                await _ctx.Store.SaveCatalogAsync(catalog with
                {
                    Domains = catalog.Domains.Select(d => d.Id == domain.Id ? updated : d).ToArray(),
                }, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _catalogLock.Release();
        }

        return updated;
    }

    /// <summary>True when the domain's validation expired, or ends before <paramref name="neededAt"/> plus the margin. SCM's date is a day: it counts from that day's start.</summary>
    internal bool Lapses(CatalogDomain domain, DateTimeOffset neededAt)
    {
        if (domain.State is { } state && !state.Equals("ACTIVE", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (domain.ValidationStatus is { } status && !IsValidated(status))
        {
            // Expired: revalidate. Never validated (or pending): the order validator reports it; it is not kept alive here.
            return status.Equals("EXPIRED", StringComparison.OrdinalIgnoreCase);
        }

        return domain.DcvExpiration is { } expires
            && new DateTimeOffset(expires.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) < neededAt + _ctx.Options.Dcv.RevalidateBefore;
    }

    /// <summary>The registered domain (longest match) of each name; IP addresses and unknown names are left to the order validator.</summary>
    internal static IEnumerable<CatalogDomain> DomainsOf(IEnumerable<string> names, ScmAccountCatalog catalog)
    {
        var seen = new HashSet<int>();
        foreach (var raw in names)
        {
            var name = raw?.Trim().TrimEnd('.').ToLowerInvariant();
            if (string.IsNullOrEmpty(name) || System.Net.IPAddress.TryParse(name, out _))
            {
                continue;
            }

            var domain = catalog.Domains
                .Where(d => DnsNameRules.IsWithin(name, d.Name))
                .OrderByDescending(d => DnsNameRules.StripWildcard(d.Name).Length)
                .FirstOrDefault();
            if (domain is not null && seen.Add(domain.Id))
            {
                yield return domain;
            }
        }
    }

    private static bool IsValidated(string? status) => string.Equals(status, "VALIDATED", StringComparison.OrdinalIgnoreCase);

    private static string Expiry(CatalogDomain domain) => !IsValidated(domain.ValidationStatus) && domain.ValidationStatus is not null
        ? $"is {domain.ValidationStatus}" + (domain.DcvExpiration is { } e ? $" (expired {e:yyyy-MM-dd})" : string.Empty)
        : domain.DcvExpiration is { } d ? $"expires on {d:yyyy-MM-dd}" : "has no expiry date";

    private static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);

    private static string Describe(TimeSpan span) => AutoRenewalScanner.Describe(span);
}

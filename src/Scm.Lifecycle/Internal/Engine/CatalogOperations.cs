using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>Account check and catalog sync.</summary>
internal sealed class CatalogOperations
{
    private readonly EngineContext _ctx;

    public CatalogOperations(EngineContext context) => _ctx = context;

    /// <summary>
    /// Checks what the account needs before it can order: working credentials, at least one organization with
    /// delegated and validated domains, and certificate profiles. Findings, not exceptions.
    /// </summary>
    public async Task<AccountCheckResult> CheckAccountAsync(string actor, CancellationToken cancellationToken)
    {
        var findings = new List<AccountCheckFinding>();
        ScmPasswordState? password = null;
        _ctx.CredentialReloader?.Reload("before the account check");
        try
        {
            // The account check is also the credential probe: it bypasses the circuit and closes it when SCM accepts the
            // credentials, for every instance (the shared flag in the store), or the next scheduled run would re-open it.
            // SCM answers this call even for an EXPIRED password, which every other call refuses: that closes nothing.
            password = await _ctx.RawGateway.GetPasswordStateAsync(cancellationToken).ConfigureAwait(false);
            if (!string.Equals(password.State, "EXPIRED", StringComparison.OrdinalIgnoreCase))
            {
                _ctx.AuthCircuit.Close();
                if (await _ctx.Store.GetValueAsync(_ctx.AuthCircuitKey, cancellationToken).ConfigureAwait(false) is not null)
                {
                    await _ctx.Store.SetValueAsync(_ctx.AuthCircuitKey, null, cancellationToken).ConfigureAwait(false);
                    await _ctx.Store.AppendAuditAsync(_ctx.Audit(actor, "Credentials", "Restored", "Succeeded",
                        "The account check found the credentials working; SCM work resumed."), cancellationToken).ConfigureAwait(false);
                }
            }

            var expiresSoon = password.ExpirationDate is { } exp && exp.ToDateTime(TimeOnly.MinValue) - _ctx.Now.UtcDateTime < TimeSpan.FromDays(14);
            if (string.Equals(password.State, "EXPIRED", StringComparison.OrdinalIgnoreCase))
            {
                findings.Add(new("credentials", FindingSeverity.Error, "SCM accepted the credentials but reports the admin password as EXPIRED; change it in SCM."));
            }
            else if (expiresSoon)
            {
                findings.Add(new("credentials", FindingSeverity.Warning, $"Credentials work; the admin password expires on {password.ExpirationDate:yyyy-MM-dd}."));
            }
            else
            {
                findings.Add(new("credentials", FindingSeverity.Ok, $"Credentials work (password state {password.State ?? "unknown"})."));
            }
        }
        catch (ScmCallException ex) when (ex.Kind == SubmitFailureKind.Unauthorized)
        {
            _ctx.AuthCircuit.Open(_ctx.Now, ex.Message);
            findings.Add(new("credentials", FindingSeverity.Error, $"SCM refused the credentials ({ex.Message}). Check login, password and customer URI, or the OAuth client."));
            return new AccountCheckResult { IsReady = false, Findings = findings };
        }
        catch (ScmCallException ex) when (ex.HttpStatus is 403 or 404)
        {
            // Some admin roles may not read their own password state; the other calls still tell whether the account works.
            findings.Add(new("credentials", FindingSeverity.Warning, $"Could not read the admin password state ({ex.Message})."));
        }
        catch (ScmCallException ex)
        {
            findings.Add(new("connectivity", FindingSeverity.Error, $"SCM could not be reached: {ex.Message}"));
            return new AccountCheckResult { IsReady = false, Findings = findings };
        }

        IReadOnlyList<CatalogOrganization> organizations = [];
        IReadOnlyList<CatalogProfile> profiles = [];
        var validatedDomains = 0;
        try
        {
            organizations = await _ctx.Gateway.ListOrganizationsAsync(cancellationToken).ConfigureAwait(false);
            findings.Add(organizations.Count > 0
                ? new("organizations", FindingSeverity.Ok, $"{organizations.Count} organizations and departments visible.")
                : new("organizations", FindingSeverity.Error, "No organization is visible to this account; ask an SCM administrator to assign one with Web API enabled for SSL."));
            findings.AddRange(await ValidationFindingsAsync(organizations, cancellationToken).ConfigureAwait(false));

            profiles = await _ctx.Gateway.ListProfilesAsync(null, cancellationToken).ConfigureAwait(false);
            findings.Add(profiles.Count > 0
                ? new("profiles", FindingSeverity.Ok, $"{profiles.Count} certificate profiles visible.")
                : new("profiles", FindingSeverity.Error, "No SSL certificate profile is visible to this account."));

            var totalDomains = 0;
            await foreach (var domainId in _ctx.Gateway.ListDomainIdsAsync(cancellationToken).ConfigureAwait(false))
            {
                totalDomains++;
                var domain = await _ctx.Gateway.GetDomainAsync(domainId, cancellationToken).ConfigureAwait(false);
                if (IsUsable(domain, _ctx.Now))
                {
                    validatedDomains++;
                }
            }

            findings.Add(validatedDomains > 0
                ? new("domains", FindingSeverity.Ok, $"{validatedDomains} of {totalDomains} domains are active, delegated and DCV-validated.")
                : new("domains", FindingSeverity.Error, totalDomains == 0
                    ? "No domain is registered for this account."
                    : $"None of the {totalDomains} domains is active, delegated and DCV-validated; complete DCV (pre-validation) before ordering."));
        }
        catch (ScmCallException ex)
        {
            findings.Add(new("catalog", FindingSeverity.Error, $"Reading the account's catalog failed: {ex.Message}"));
        }

        return new AccountCheckResult
        {
            IsReady = findings.All(f => f.Severity != FindingSeverity.Error),
            Findings = findings,
            Organizations = organizations.Count,
            Profiles = profiles.Count,
            ValidatedDomains = validatedDomains,
            PasswordState = password?.State,
            PasswordExpires = password?.ExpirationDate,
        };
    }

    /// <summary>Pulls organizations, domains (with details), profiles (with per-organization availability) and custom fields, then stores them at once.</summary>
    public async Task<CatalogSyncResult> SyncAsync(CancellationToken cancellationToken)
    {
        var started = _ctx.Time.GetTimestamp();
        var organizations = await _ctx.Gateway.ListOrganizationsAsync(cancellationToken).ConfigureAwait(false);
        var profiles = (await _ctx.Gateway.ListProfilesAsync(null, cancellationToken).ConfigureAwait(false)).ToDictionary(p => p.Id);
        var availability = profiles.Keys.ToDictionary(id => id, _ => new List<int>());
        using var gate = new SemaphoreSlim(_ctx.Options.Import.MaxConcurrency);

        var perOrg = await Task.WhenAll(organizations.Select(async org =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return (org.Id, Profiles: await _ctx.Gateway.ListProfilesAsync(org.Id, cancellationToken).ConfigureAwait(false));
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
        foreach (var (orgId, orgProfiles) in perOrg)
        {
            foreach (var profile in orgProfiles)
            {
                if (!profiles.ContainsKey(profile.Id))
                {
                    profiles[profile.Id] = profile;
                    availability[profile.Id] = [];
                }

                availability[profile.Id].Add(orgId);
            }
        }

        var domainIds = new List<int>();
        await foreach (var id in _ctx.Gateway.ListDomainIdsAsync(cancellationToken).ConfigureAwait(false))
        {
            domainIds.Add(id);
        }

        var domains = await Task.WhenAll(domainIds.Select(async id =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                return await _ctx.Gateway.GetDomainAsync(id, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);

        var customFields = await _ctx.Gateway.ListCustomFieldsAsync(cancellationToken).ConfigureAwait(false);
        var catalog = new ScmAccountCatalog
        {
            AccountId = _ctx.Options.AccountId,
            SyncedAt = _ctx.Now,
            Organizations = organizations,
            Domains = domains.OrderBy(d => d.Name, StringComparer.Ordinal).ToArray(),
            Profiles = profiles.Values
                .Select(p => p with { OrganizationIds = availability[p.Id].Count > 0 && organizations.Count > 0 && availability[p.Id].Count < organizations.Count ? availability[p.Id].Order().ToArray() : [] })
                .OrderBy(p => p.Id)
                .ToArray(),
            CustomFields = customFields,
        };
        await _ctx.Store.SaveCatalogAsync(catalog, cancellationToken).ConfigureAwait(false);
        await _ctx.Store.AppendAuditAsync(new AuditEntry
        {
            AccountId = _ctx.Options.AccountId,
            Timestamp = _ctx.Now,
            Actor = "engine",
            Action = "CatalogSync",
            Decision = "Synced",
            Outcome = "Succeeded",
            Reason = $"{catalog.Organizations.Count} organizations, {catalog.Domains.Count} domains, {catalog.Profiles.Count} profiles, {catalog.CustomFields.Count} custom fields.",
        }, cancellationToken).ConfigureAwait(false);
        Log.CatalogSynced(_ctx.Logger, catalog.Organizations.Count, catalog.Domains.Count, catalog.Profiles.Count, catalog.CustomFields.Count);
        return new CatalogSyncResult(catalog, _ctx.Time.GetElapsedTime(started));
    }

    /// <summary>
    /// One finding per organization about its SSL organization (OV) and extended (EV) validations: SCM refuses an order
    /// for a profile that needs one the organization does not hold as VALIDATED with -843. A missing or lapsed OV validation,
    /// an EV validation that is not valid, or one expiring within 30 days is a warning (DV profiles still work).
    /// </summary>
    private async Task<List<AccountCheckFinding>> ValidationFindingsAsync(IReadOnlyList<CatalogOrganization> organizations, CancellationToken cancellationToken)
    {
        var findings = new List<AccountCheckFinding>();
        var now = _ctx.Now;
        foreach (var org in organizations.Where(o => o.ParentId is null))
        {
            IReadOnlyList<ScmOrganizationValidation> validations;
            try
            {
                validations = await _ctx.Gateway.ListOrganizationValidationsAsync(org.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (ScmCallException ex)
            {
                findings.Add(new("validation", FindingSeverity.Warning, $"Could not read the OV/EV validations of '{org.Name}' ({ex.Message}); an order for an OV or EV profile may be refused with -843."));
                continue;
            }

            var problems = new List<string>();
            var good = new List<string>();
            foreach (var kind in new[] { "OV", "EV" })
            {
                var ofKind = validations.Where(v => v.Kind == kind).ToList();
                if (ofKind.Count == 0)
                {
                    if (kind == "OV")
                    {
                        problems.Add("no OV validation");
                    }

                    continue;
                }

                var valid = ofKind.FirstOrDefault(v => string.Equals(v.Status, "VALIDATED", StringComparison.OrdinalIgnoreCase) && (v.Expires is null || v.Expires > now));
                if (valid is null)
                {
                    // None is valid: a VALIDATED one must have passed its expiry.
                    var last = ofKind[^1];
                    var status = string.Equals(last.Status, "VALIDATED", StringComparison.OrdinalIgnoreCase) ? "EXPIRED" : last.Status ?? "UNKNOWN";
                    problems.Add($"{kind} validation {status}");
                }
                else if (valid.Expires is { } expires && expires - now < TimeSpan.FromDays(30))
                {
                    problems.Add($"{kind} validation expires on {expires:yyyy-MM-dd}");
                }
                else
                {
                    good.Add(valid.Expires is { } until ? $"{kind} validated until {until:yyyy-MM-dd}" : $"{kind} validated");
                }
            }

            findings.Add(problems.Count == 0
                ? new("validation", FindingSeverity.Ok, $"'{org.Name}': {string.Join(", ", good)}.")
                : new("validation", FindingSeverity.Warning,
                    $"'{org.Name}': {string.Join(", ", problems.Concat(good))}. SCM refuses orders for OV/EV profiles with -843 (\"cannot be requested due to the organization's validation status\") until the organization is validated; DV profiles are not affected."));
        }

        return findings;
    }

    internal static bool IsUsable(CatalogDomain domain, DateTimeOffset now) =>
        (domain.State is null || domain.State.Equals("ACTIVE", StringComparison.OrdinalIgnoreCase))
        && (domain.ValidationStatus is null || domain.ValidationStatus.Equals("VALIDATED", StringComparison.OrdinalIgnoreCase))
        && (domain.DcvExpiration is null || domain.DcvExpiration >= DateOnly.FromDateTime(now.UtcDateTime))
        && (domain.Delegations.Count == 0
            ? domain.DelegationStatus is null || domain.DelegationStatus.Equals("ACTIVE", StringComparison.OrdinalIgnoreCase)
            : domain.Delegations.Any(d => d.Status is null || d.Status.Equals("ACTIVE", StringComparison.OrdinalIgnoreCase)));
}

using System.Globalization;
using Scm.Storage;

namespace Scm.Lifecycle.Validation;

/// <summary>A request that passed validation, with its names normalized and its key parameters resolved.</summary>
internal sealed record ValidatedOrderRequest(
    string CommonName,
    IReadOnlyList<string> SubjectAlternativeNames,
    KeyAlgorithm KeyAlgorithm,
    int? KeySize,
    string? Curve,
    IReadOnlyList<string> Notices);

/// <summary>
/// Checks an order (or reissue) against the rules of docs/reliability.md ("Bad input") and the synced catalog,
/// collecting every error before anything is stored or sent.
/// </summary>
internal sealed class OrderRequestValidator
{
    private static readonly string[] s_defaultCurves = ["P-256", "P-384"];
    private static readonly int[] s_defaultRsaSizes = [2048, 3072, 4096];

    private readonly OrderingOptions _options;

    public OrderRequestValidator(OrderingOptions options) => _options = options;

    /// <summary>Validates a new-order request.</summary>
    public ValidatedOrderRequest Validate(OrderCertificateRequest request, ScmAccountCatalog catalog, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<ValidationError>();
        var notices = new List<string>();

        var (cn, sans) = ValidateNames(request.CommonName, request.SubjectAlternativeNames, errors, notices);
        ValidateComments(request.Comments, errors);
        ValidateExternalRequesters(request.ExternalRequesters, errors);
        ValidateKeystorePassword(request.KeystorePassword, request.KeystoreType, errors);
        ValidateTags(request.Tags, errors);

        var org = catalog.Organizations.FirstOrDefault(o => o.Id == request.OrganizationId);
        if (org is null)
        {
            errors.Add(new("OrganizationId", "organization-not-found",
                $"Organization {request.OrganizationId} not found in the synced catalog; available: {List(catalog.Organizations.Select(o => $"{o.Id} ({o.Name})"))}."));
        }

        var profile = catalog.Profiles.FirstOrDefault(p => p.Id == request.ProfileId);
        if (profile is null)
        {
            errors.Add(new("ProfileId", "profile-not-found",
                $"Certificate profile {request.ProfileId} not found; available: {List(catalog.Profiles.Select(p => $"{p.Id} ({p.Name})"))}."));
        }
        else if (org is not null && profile.OrganizationIds.Count > 0
            && !profile.OrganizationIds.Contains(org.Id) && !(org.ParentId is { } parent && profile.OrganizationIds.Contains(parent)))
        {
            errors.Add(new("ProfileId", "profile-not-offered",
                $"Certificate profile {profile.Id} ({profile.Name}) is not offered to organization {org.Id} ({org.Name})."));
        }

        if (request.TermDays <= 0)
        {
            errors.Add(new("TermDays", "term-positive", $"TermDays must be positive; got {request.TermDays}."));
        }
        else if (profile is not null && profile.Terms.Count > 0 && !profile.Terms.Contains(request.TermDays))
        {
            errors.Add(new("TermDays", "term-not-offered",
                $"Term {request.TermDays} is not offered by profile {profile.Id}; allowed: {string.Join(", ", profile.Terms)}."));
        }

        if (request.TermDays > 0 && request.TermDays > PublicTlsLimits.MaxValidityDays(now))
        {
            // SCM decides (a multi-year subscription may be delivered as several shorter certificates); the host is told.
            notices.Add($"TermDays {request.TermDays} is longer than the {PublicTlsLimits.MaxValidityDays(now)} days a public TLS certificate issued on {now:yyyy-MM-dd} may be valid (CA/Browser Forum ballot SC-081): SCM may refuse the order or issue a shorter certificate.");
        }

        var (keySize, curve) = ValidateKey(request.KeyAlgorithm, request.KeySize, request.Curve, profile, errors);
        ValidateCustomFields(request.CustomFields, catalog.CustomFields, errors);

        if (org is not null && cn is not null)
        {
            ValidateDomains(sans, org, catalog, now, errors);
        }

        if (errors.Count > 0)
        {
            throw new CertificateRequestValidationException(errors);
        }

        return new ValidatedOrderRequest(cn!, sans, request.KeyAlgorithm, keySize, curve, notices);
    }

    /// <summary>Validates the names of a reissue (no catalog lookups beyond domains).</summary>
    public (string CommonName, IReadOnlyList<string> Sans, IReadOnlyList<string> Notices) ValidateNamesOnly(
        string commonName, IReadOnlyList<string> sans, List<ValidationError> errors)
    {
        var notices = new List<string>();
        var (cn, normalized) = ValidateNames(commonName, sans, errors, notices);
        return (cn ?? string.Empty, normalized, notices);
    }

    internal (string? CommonName, IReadOnlyList<string> Sans) ValidateNames(
        string? commonName, IReadOnlyList<string>? sans, List<ValidationError> errors, List<string> notices)
    {
        string? cn = null;
        if (string.IsNullOrWhiteSpace(commonName))
        {
            errors.Add(new("CommonName", "required", "CommonName is required."));
        }
        else if (commonName.Length > CertificateRequestLimits.MaxCommonNameLength)
        {
            errors.Add(new("CommonName", "length",
                $"CommonName must be 1-{CertificateRequestLimits.MaxCommonNameLength} characters (X.509 and SCM limit); got {commonName.Length}."));
        }
        else if (!DnsNameRules.TryNormalize(commonName, _options.AllowInternalNames, out var n, out var error))
        {
            errors.Add(new("CommonName", "dns-name", $"CommonName {error}"));
        }
        else
        {
            cn = n;
            if (!string.Equals(n, commonName, StringComparison.Ordinal))
            {
                notices.Add($"CommonName '{commonName}' was normalized to '{n}'.");
            }
        }

        var result = new List<string>();
        if (cn is not null)
        {
            result.Add(cn);
        }

        sans ??= [];
        if (sans.Count > _options.MaxSubjectAlternativeNames)
        {
            errors.Add(new("SubjectAlternativeNames", "too-many",
                $"At most {_options.MaxSubjectAlternativeNames} subject alternative names; got {sans.Count}."));
            return (cn, result);
        }

        var cnListed = false;
        for (var i = 0; i < sans.Count; i++)
        {
            var field = $"SubjectAlternativeNames[{i}]";
            var san = sans[i];
            if (string.IsNullOrWhiteSpace(san))
            {
                errors.Add(new(field, "empty", $"{field} is empty."));
                continue;
            }

            if (san.Contains(',', StringComparison.Ordinal))
            {
                errors.Add(new(field, "comma", $"{field}: a SAN may not contain ',' (SCM sends SANs as one comma-separated string)."));
                continue;
            }

            if (!DnsNameRules.TryNormalize(san, _options.AllowInternalNames, out var n, out var error))
            {
                errors.Add(new(field, "dns-name", $"{field} {error}"));
                continue;
            }

            if (n == cn)
            {
                cnListed = true;
                continue;
            }

            if (result.Contains(n, StringComparer.Ordinal))
            {
                notices.Add($"Duplicate subject alternative name '{san}' was removed.");
                continue;
            }

            result.Add(n);
        }

        if (cn is not null && !cnListed && sans.Count > 0)
        {
            notices.Add($"The common name '{cn}' was added to the subject alternative names.");
        }

        if (result.Count > _options.MaxSubjectAlternativeNames)
        {
            errors.Add(new("SubjectAlternativeNames", "too-many",
                $"At most {_options.MaxSubjectAlternativeNames} names (common name included); got {result.Count}."));
        }

        return (cn, result);
    }

    internal static void ValidateComments(string? comments, List<ValidationError> errors)
    {
        if (comments is not null && comments.Length > CertificateRequestLimits.MaxCommentsLength)
        {
            errors.Add(new("Comments", "length",
                $"Comments may be at most {CertificateRequestLimits.MaxCommentsLength} characters ({CertificateRequestLimits.ScmMaxCommentsLength} minus " +
                $"{CertificateRequestLimits.CorrelationMarkerLength} reserved for the SDK's correlation marker); got {comments.Length}."));
        }
    }

    internal static void ValidateExternalRequesters(IReadOnlyList<string>? requesters, List<ValidationError> errors)
    {
        if (requesters is null || requesters.Count == 0)
        {
            return;
        }

        const string Rule = "ExternalRequester must be e-mail addresses separated by ',' and at most 512 characters.";
        for (var i = 0; i < requesters.Count; i++)
        {
            if (!EmailRules.IsValid(requesters[i]))
            {
                errors.Add(new($"ExternalRequesters[{i}]", "email", $"ExternalRequesters[{i}] is not a single valid e-mail address. {Rule}"));
            }
        }

        var joined = string.Join(", ", requesters);
        if (joined.Length > CertificateRequestLimits.MaxExternalRequesterLength)
        {
            errors.Add(new("ExternalRequesters", "length", $"{Rule} Got {joined.Length} characters."));
        }
    }

    internal void ValidateKeystorePassword(string? password, KeystoreType type, List<ValidationError> errors)
    {
        if (password is null)
        {
            return;
        }

        if (password.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add(new("KeystorePassword", "nul", "KeystorePassword may not contain NUL."));
        }

        if (password.Length < _options.MinKeystorePasswordLength)
        {
            errors.Add(new("KeystorePassword", "length",
                $"KeystorePassword must be at least {_options.MinKeystorePasswordLength} characters (leave it empty to have one generated)."));
        }

        if (type == KeystoreType.Jks && password.Length == 0)
        {
            errors.Add(new("KeystorePassword", "required", "A JKS keystore needs a password."));
        }
    }

    private static void ValidateTags(IReadOnlyList<string>? tags, List<ValidationError> errors)
    {
        if (tags is null)
        {
            return;
        }

        for (var i = 0; i < tags.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(tags[i]) || tags[i].Length > 100 || tags[i].Any(char.IsControl))
            {
                errors.Add(new($"Tags[{i}]", "tag", $"Tags[{i}] must be 1-100 printable characters."));
            }
        }
    }

    internal static (int? KeySize, string? Curve) ValidateKey(
        KeyAlgorithm algorithm, int? keySize, string? curve, CatalogProfile? profile, List<ValidationError> errors)
    {
        var allowed = AllowedKeys(profile);
        if (algorithm == KeyAlgorithm.Rsa)
        {
            var size = keySize ?? 2048;
            var allowedSizes = allowed.Rsa.Where(s => s is >= CertificateRequestLimits.MinRsaKeySize and <= CertificateRequestLimits.MaxRsaKeySize).ToArray();
            if (allowedSizes.Length == 0)
            {
                errors.Add(new("KeyAlgorithm", "algorithm-not-allowed",
                    $"Key type RSA is not allowed by profile {profile?.Id}; allowed: {DescribeAllowed(allowed)}."));
            }
            else if (!allowedSizes.Contains(size))
            {
                errors.Add(new("KeySize", "key-size-not-allowed",
                    $"RSA key size {size} is not allowed; this profile accepts {string.Join(", ", allowedSizes)}."));
            }

            return (size, null);
        }

        if (algorithm == KeyAlgorithm.EC)
        {
            var requested = NormalizeCurve(curve ?? "P-256");
            var allowedCurves = allowed.Ec.Where(c => c is "P-256" or "P-384" or "P-521").ToArray();
            if (requested is null)
            {
                errors.Add(new("Curve", "curve-unknown", $"Key type EC {curve} is not supported; supported curves: P-256, P-384, P-521."));
            }
            else if (allowedCurves.Length == 0)
            {
                errors.Add(new("KeyAlgorithm", "algorithm-not-allowed",
                    $"Key type EC is not allowed by profile {profile?.Id}; allowed: {DescribeAllowed(allowed)}."));
            }
            else if (!allowedCurves.Contains(requested))
            {
                errors.Add(new("Curve", "curve-not-allowed",
                    $"Key type EC {requested} is not allowed by profile {profile?.Id}; allowed: {string.Join(", ", allowedCurves.Select(c => "EC " + c))}."));
            }

            return (null, requested ?? curve);
        }

        errors.Add(new("KeyAlgorithm", "algorithm-unknown", $"Key algorithm {algorithm} is not supported; use RSA or EC."));
        return (null, null);
    }

    internal static string? NormalizeCurve(string curve) => curve.Trim().ToUpperInvariant() switch
    {
        "P-256" or "P256" or "SECP256R1" or "PRIME256V1" or "NISTP256" or "256" => "P-256",
        "P-384" or "P384" or "SECP384R1" or "NISTP384" or "384" => "P-384",
        "P-521" or "P521" or "SECP521R1" or "NISTP521" or "521" => "P-521",
        _ => null,
    };

    private static (int[] Rsa, string[] Ec) AllowedKeys(CatalogProfile? profile)
    {
        if (profile is null || profile.KeyTypes.Count == 0)
        {
            return (s_defaultRsaSizes, s_defaultCurves);
        }

        var rsa = new List<int>();
        var ec = new List<string>();
        foreach (var (algorithm, values) in profile.KeyTypes)
        {
            switch (algorithm.Trim().ToUpperInvariant())
            {
                case "RSA":
                    rsa.AddRange(values.Select(v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 0).Where(s => s > 0));
                    break;
                case "EC" or "ECC" or "ECDSA":
                    ec.AddRange(values.Select(NormalizeCurve).OfType<string>());
                    break;
            }
        }

        return (rsa.ToArray(), ec.ToArray());
    }

    private static string DescribeAllowed((int[] Rsa, string[] Ec) allowed)
    {
        var parts = allowed.Rsa.Select(s => $"RSA {s}").Concat(allowed.Ec.Select(c => $"EC {c}")).ToArray();
        return parts.Length == 0 ? "none" : string.Join(", ", parts);
    }

    internal static void ValidateCustomFields(IReadOnlyList<CustomFieldValue>? given, IReadOnlyList<CatalogCustomField> known, List<ValidationError> errors)
    {
        given ??= [];
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < given.Count; i++)
        {
            var field = given[i];
            if (string.IsNullOrWhiteSpace(field.Name) || field.Name.Length > 256)
            {
                errors.Add(new($"CustomFields[{i}]", "name", $"CustomFields[{i}].Name must be 1-256 characters."));
                continue;
            }

            if (field.Value is null || field.Value.Length > 256)
            {
                errors.Add(new($"CustomFields[{i}]", "value", $"Custom field '{field.Name}' value must be 0-256 characters."));
            }

            if (!seen.Add(field.Name))
            {
                errors.Add(new($"CustomFields[{i}]", "duplicate", $"Custom field '{field.Name}' is given more than once."));
            }

            if (known.Count > 0 && !known.Any(k => string.Equals(k.Name, field.Name, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add(new($"CustomFields[{i}]", "unknown",
                    $"Unknown custom field '{field.Name}'; known: {List(known.Select(k => k.Name))}."));
            }
        }

        foreach (var mandatory in known.Where(k => k.Mandatory))
        {
            if (!given.Any(g => string.Equals(g.Name, mandatory.Name, StringComparison.OrdinalIgnoreCase) && !string.IsNullOrEmpty(g.Value)))
            {
                errors.Add(new("CustomFields", "mandatory-missing", $"Mandatory custom field '{mandatory.Name}' is missing."));
            }
        }
    }

    internal void ValidateDomains(IReadOnlyList<string> names, CatalogOrganization org, ScmAccountCatalog catalog, DateTimeOffset now, List<ValidationError> errors)
    {
        if (!_options.RequirePrevalidatedDomains)
        {
            return;
        }

        foreach (var name in names)
        {
            if (System.Net.IPAddress.TryParse(name, out _))
            {
                continue;
            }

            var domain = catalog.Domains
                .Where(d => DnsNameRules.IsWithin(name, d.Name))
                .OrderByDescending(d => DnsNameRules.StripWildcard(d.Name).Length)
                .FirstOrDefault();
            if (domain is null)
            {
                errors.Add(new("SubjectAlternativeNames", "domain-unknown",
                    $"Domain of '{name}' is not registered in SCM; register and validate it first (SCM would answer -727/-737)."));
                continue;
            }

            if (domain.State is { } state && !state.Equals("ACTIVE", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new("SubjectAlternativeNames", "domain-inactive", $"Domain '{domain.Name}' (for '{name}') is {state}, not ACTIVE (SCM -715)."));
                continue;
            }

            if (!IsDelegated(domain, org))
            {
                errors.Add(new("SubjectAlternativeNames", "domain-not-delegated",
                    $"Domain '{domain.Name}' (for '{name}') is not delegated to organization {org.Id} ({org.Name}) for SSL with an ACTIVE delegation."));
                continue;
            }

            if (domain.ValidationStatus is { } status && !status.Equals("VALIDATED", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(new("SubjectAlternativeNames", "domain-not-validated",
                    $"Domain '{domain.Name}' (for '{name}') is not validated (status {status}); complete DCV before ordering (SCM would answer -737)."));
                continue;
            }

            if (domain.DcvExpiration is { } expires && expires < DateOnly.FromDateTime(now.UtcDateTime))
            {
                errors.Add(new("SubjectAlternativeNames", "domain-dcv-expired",
                    $"Domain control validation of '{domain.Name}' (for '{name}') expired on {expires:yyyy-MM-dd}; revalidate first."));
            }
        }
    }

    private static bool IsDelegated(CatalogDomain domain, CatalogOrganization org)
    {
        if (domain.Delegations.Count == 0)
        {
            return domain.DelegationStatus is null || domain.DelegationStatus.Equals("ACTIVE", StringComparison.OrdinalIgnoreCase);
        }

        return domain.Delegations.Any(d =>
            (d.OrganizationId == org.Id || d.OrganizationId == org.ParentId)
            && (d.Status is null || d.Status.Equals("ACTIVE", StringComparison.OrdinalIgnoreCase))
            && (d.CertificateTypes.Count == 0 || d.CertificateTypes.Contains("SSL", StringComparer.OrdinalIgnoreCase)));
    }

    private static string List(IEnumerable<string> items)
    {
        var all = items.Take(21).ToList();
        if (all.Count == 0)
        {
            return "none (sync the catalog first)";
        }

        return all.Count > 20 ? string.Join(", ", all.Take(20)) + ", ..." : string.Join(", ", all);
    }
}

/// <summary>A deliberately strict check for a single e-mail address (SCM's external requester field).</summary>
internal static class EmailRules
{
    public static bool IsValid(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > 254)
        {
            return false;
        }

        var at = value.IndexOf('@', StringComparison.Ordinal);
        if (at <= 0 || at != value.LastIndexOf('@') || at == value.Length - 1)
        {
            return false;
        }

        var local = value[..at];
        var domain = value[(at + 1)..];
        if (local.Length > 64 || local.StartsWith('.') || local.EndsWith('.') || local.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        foreach (var c in local)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || ".!#$%&'*+/=?^_`{|}~-".Contains(c, StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return domain.Contains('.', StringComparison.Ordinal) && DnsNameRules.TryNormalize(domain, allowInternalNames: false, out _, out _);
    }
}

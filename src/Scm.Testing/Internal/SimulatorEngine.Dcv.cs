using System.Globalization;
using System.Text.Json;

namespace Scm.Testing.Internal;

/// <summary>
/// Domain control validation (<c>/dcv</c>): per domain a validation status (not validated, validated until a date,
/// expired) and a DCV order (not initiated, awaiting submission after a start, submitted) with its challenge. Submits
/// really check: CNAME and TXT through <see cref="ScmSimulatorOptions.DnsResolver"/>, HTTP and HTTPS by fetching the file
/// (the fetch runs outside the lock, between <see cref="PrepareHttpSubmit"/> and <see cref="CompleteHttpSubmit"/>),
/// e-mail when a test confirms it.
/// </summary>
internal sealed partial class SimulatorEngine
{
    private const string Hex = "0123456789abcdef";
    private static readonly string[] AdminMailboxes = ["admin", "administrator", "hostmaster", "postmaster", "webmaster"];

    internal static DateTimeOffset? EndOfDay(DateOnly? date)
        => date is { } d ? new DateTimeOffset(d.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : null;

    /// <summary>Turns a validation whose expiry the clock has reached into <c>EXPIRED</c> (only with <see cref="ScmSimulatorOptions.EnforceDcvExpiry"/>).</summary>
    private void RefreshDcv(DomainModel d)
    {
        if (_options.EnforceDcvExpiry && d.Validation == ScmSimulatorDomainValidation.Validated && d.DcvExpiresAt is { } expires && Now >= expires)
        {
            d.Validation = ScmSimulatorDomainValidation.Expired;
        }
    }

    private void MarkValidated(DomainModel d, string method, DateTimeOffset now)
    {
        var expires = now + _options.DcvValidityPeriod;
        d.Validation = ScmSimulatorDomainValidation.Validated;
        d.DcvMethod = method;
        d.DcvValidation = DateOnly.FromDateTime(now.UtcDateTime);
        d.DcvExpiration = DateOnly.FromDateTime(expires.UtcDateTime);
        d.DcvExpiresAt = expires;
        _nextEventTicks = long.MinValue; // orders held in Applied for this domain may go on
    }

    private void RequireDcvEnabled()
    {
        if (!_options.DcvEnabled)
        {
            throw ScmApiException.BadRequest(-1608, "DCV is not enabled for this customer");
        }
    }

    private DomainModel DcvDomain(string? name)
    {
        RequireDcvEnabled();
        if (name is null)
        {
            throw ScmApiException.Missing("domain");
        }

        if (name.Length is < 3 or > 255)
        {
            throw ScmApiException.InvalidField("domain");
        }

        var bare = name.Trim().TrimEnd('.');
        var d = _domains.Find(x => string.Equals(x.Name, bare, StringComparison.OrdinalIgnoreCase))
            ?? throw new ScmApiException(404, -727, $"Domain '{name}' does not exist");
        RefreshDcv(d);
        return d;
    }

    public (long Total, byte[] Body) DcvList(string? domain, int? org, int? department, string? dcvStatus, string? orderStatus, int? expiresIn, int position, int size)
    {
        lock (_gate)
        {
            RequireDcvEnabled();
            var admin = _options.ApiVersion == ScmSimulatorApiVersion.Admin25_9;
            string? status = dcvStatus is null ? null : Spelling(dcvStatus, "dcvStatus", admin, ["NOT_VALIDATED", "VALIDATED", "EXPIRED"], ["Not validated", "Validated", "Expired"]);
            string? order = orderStatus is null ? null : Spelling(orderStatus, "orderStatus", admin,
                ["NOT_INITIATED", "AWAITING_SUBMISSION", "SUBMITTED", "REJECTED"], ["Not initiated", "Awaiting submission", "Submitted", "Rejected"]);
            if (expiresIn is < 1 || org is < 1 || department is < 1)
            {
                throw ScmApiException.InvalidField(expiresIn is < 1 ? "expiresIn" : org is < 1 ? "org" : "department");
            }

            var today = DateOnly.FromDateTime(Now.UtcDateTime);
            var matches = new List<DomainModel>();
            foreach (var d in _domains)
            {
                RefreshDcv(d);
                RecheckDns(d);
                if ((domain is null || d.Name.Contains(domain.Trim().TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
                    && (org is null || d.DelegatedOrganizationIds.Contains(org.Value) || (_orgs.TryGetValue(org.Value, out var o) && d.IsDelegatedTo(o)))
                    && (department is null || d.DelegatedOrganizationIds.Contains(department.Value))
                    && (status is null || status == StatusWire(d))
                    && (order is null || order == d.Order.Status)
                    && (expiresIn is null || (d.Validation == ScmSimulatorDomainValidation.Validated && d.DcvExpiration is { } e && e <= today.AddDays(expiresIn.Value))))
                {
                    matches.Add(d);
                }
            }

            var page = matches.Skip(position).Take(size).ToList();
            return (matches.Count, ScmJson.Build(page, static (w, ds) =>
            {
                w.WriteStartArray();
                foreach (var d in ds)
                {
                    w.WriteStartObject();
                    w.WriteString("domain", d.Name);
                    w.WriteString("dcvStatus", StatusWire(d));
                    if (d.Validation != ScmSimulatorDomainValidation.NotValidated)
                    {
                        w.WriteString("dcvMethod", d.DcvMethod);
                    }

                    w.WriteString("dcvOrderStatus", d.Order.Status);
                    if (d.Order.Mode is { } mode)
                    {
                        w.WriteString("dcvOrderMethod", mode);
                    }

                    if (d.DcvExpiration is { } expires)
                    {
                        w.WriteString("expirationDate", ScmJson.IsoDate(expires));
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }));
        }
    }

    /// <summary>Matches a filter value in the configured version's spelling (case-insensitive); the other spelling is -1601.</summary>
    private static string Spelling(string value, string field, bool admin, string[] rest, string[] display)
    {
        var own = admin ? display : rest;
        for (var i = 0; i < own.Length; i++)
        {
            if (string.Equals(own[i], value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return rest[i];
            }
        }

        throw ScmApiException.InvalidField(field);
    }

    private static string StatusWire(DomainModel d) => d.ValidationStatusWire;

    public byte[] DcvStatusJson(string? name)
    {
        lock (_gate)
        {
            var d = DcvDomain(name);
            RecheckDns(d);
            return ScmJson.Build(d, static (w, d) =>
            {
                var o = d.Order;
                w.WriteStartObject();
                w.WriteString("status", d.ValidationStatusWire);
                if (d.DcvValidation is { } validated)
                {
                    w.WriteString("validationDate", ScmJson.IsoDate(validated));
                }

                if (d.DcvExpiration is { } expires)
                {
                    w.WriteString("expirationDate", ScmJson.IsoDate(expires));
                }

                w.WriteString("orderStatus", o.Status);
                Optional(w, "orderMode", o.Mode);
                Optional(w, "url", o.Url);
                Optional(w, "firstLine", o.FirstLine);
                Optional(w, "secondLine", o.SecondLine);
                Optional(w, "host", o.Host);
                Optional(w, "point", o.Point);
                Optional(w, "validationEmail", o.ValidationEmail);
                Optional(w, "emailValidationReferenceNumber", o.EmailReference);
                Optional(w, "orderBackendId", o.BackendId);
                if (o.Submitted is { } submitted)
                {
                    w.WriteString("submittedDate", ScmJson.IsoDate(submitted));
                }

                if (o.LastCheck is { } last)
                {
                    w.WriteString("lastCheck", Timestamp(last));
                }

                w.WriteEndObject();
            });
        }
    }

    /// <summary>Starts a validation (CNAME, HTTP, HTTPS, EMAIL; TXT under 25.9 only answers a message).</summary>
    public byte[] DcvStart(string mode, string? name)
    {
        lock (_gate)
        {
            var d = DcvDomain(name);
            if (mode == "TXT")
            {
                return ScmJson.Build(0, static (w, _) =>
                {
                    w.WriteStartObject();
                    w.WriteString("message", "DNS TXT domain validation method does not require start operation; submit directly");
                    w.WriteEndObject();
                });
            }

            var o = d.Order;
            if (!(o.Status == "AWAITING_SUBMISSION" && o.Mode == mode))
            {
                o = NewOrder(d, mode);
            }

            return mode switch
            {
                "CNAME" => ScmJson.Build(o, static (w, o) =>
                {
                    w.WriteStartObject();
                    w.WriteString("host", o.Host);
                    w.WriteString("point", o.Point);
                    w.WriteEndObject();
                }),
                "EMAIL" => ScmJson.Build((d.Name, o.OfferedEmails), static (w, s) =>
                {
                    w.WriteStartObject();
                    ScmJson.WriteStrings(w, "emails", s.OfferedEmails);
                    w.WriteStartArray("dcvEmails");
                    w.WriteStartObject();
                    w.WriteString("domainName", s.Name);
                    ScmJson.WriteStrings(w, "whoisEmails", []);
                    ScmJson.WriteStrings(w, "adminEmails", s.OfferedEmails);
                    ScmJson.WriteStrings(w, "dnsTxtEmails", []);
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteEndObject();
                }),
                _ => ScmJson.Build(o, static (w, o) =>
                {
                    w.WriteStartObject();
                    w.WriteString("url", o.Url);
                    w.WriteString("firstLine", o.FirstLine);
                    w.WriteString("secondLine", o.SecondLine);
                    w.WriteEndObject();
                }),
            };
        }
    }

    private DcvOrder NewOrder(DomainModel d, string mode)
    {
        var o = new DcvOrder { Status = "AWAITING_SUBMISSION", Mode = mode };
        switch (mode)
        {
            case "CNAME":
                o.Host = "_" + _random.NextString(32, Hex) + "." + d.Name + ".";
                o.Point = _random.NextString(32, Hex) + "." + _random.NextString(32, Hex) + ".sectigo.com.";
                break;
            case "HTTP":
            case "HTTPS":
                o.Url = (mode == "HTTP" ? "http://" : "https://") + d.Name + "/.well-known/pki-validation/" + _random.NextString(32, Hex).ToUpperInvariant() + ".txt";
                o.FirstLine = _random.NextString(64, Hex);
                o.SecondLine = "sectigo.com";
                break;
            case "TXT":
                o.Host = "_pki-validation." + d.Name + ".";
                o.Point = _random.NextString(32);
                break;
            case "EMAIL":
                o.OfferedEmails = [.. AdminMailboxes.Select(m => m + "@" + d.Name)];
                break;
        }

        d.Order = o;
        return o;
    }

    /// <summary>Submits a CNAME, TXT or EMAIL validation (HTTP and HTTPS go through <see cref="PrepareHttpSubmit"/>).</summary>
    public byte[] DcvSubmit(string mode, string? name, string? email)
    {
        lock (_gate)
        {
            var d = DcvDomain(name);
            var now = Now;
            var o = d.Order;
            switch (mode)
            {
                case "TXT":
                    if (o.Mode != "TXT")
                    {
                        o = NewOrder(d, "TXT");
                    }

                    Submit(o, now);
                    if (DnsMatches(o.Host!, o.Point!, ScmSimulatorDnsRecordType.Txt))
                    {
                        MarkValidated(d, "DNSTXT_RANDOM_VALUE", now);
                    }

                    return SubmitJson(d, withRecord: true);
                case "CNAME":
                    RequireStarted(d, "CNAME");
                    if (!DnsMatches(o.Host!, o.Point!, ScmSimulatorDnsRecordType.Cname))
                    {
                        o.LastCheck = now;
                        throw ScmApiException.BadRequest(-1603, $"Error validating domain {d.Name}: no CNAME record {o.Host} pointing to {o.Point}");
                    }

                    Submit(o, now);
                    MarkValidated(d, "CNAME_CSR_HASH", now);
                    return SubmitJson(d, withRecord: false);
                default: // EMAIL
                    RequireStarted(d, "EMAIL");
                    if (string.IsNullOrEmpty(email))
                    {
                        throw ScmApiException.Missing("email");
                    }

                    if (!o.OfferedEmails.Contains(email, StringComparer.OrdinalIgnoreCase))
                    {
                        throw ScmApiException.InvalidField("email");
                    }

                    Submit(o, now);
                    o.ValidationEmail = email;
                    o.EmailReference = _random.NextInt64(1_000_000_000, 9_999_999_999).ToString(CultureInfo.InvariantCulture);
                    if (_options.DcvEmailAutoConfirm)
                    {
                        MarkValidated(d, "EMAIL", now);
                    }

                    return SubmitJson(d, withRecord: false);
            }
        }
    }

    /// <summary>The address to fetch and the expected lines of a started HTTP(S) validation.</summary>
    public (Uri? Fetch, string Url, string FirstLine, string SecondLine) PrepareHttpSubmit(string mode, string? name)
    {
        lock (_gate)
        {
            var d = DcvDomain(name);
            RequireStarted(d, mode);
            var o = d.Order;
            var url = new Uri(o.Url!);
            var fetch = _options.DcvHttpBaseAddresses.TryGetValue(d.Name, out var baseAddress) ? new Uri(baseAddress, url.PathAndQuery) : null;
            return (fetch, o.Url!, o.FirstLine!, o.SecondLine!);
        }
    }

    /// <summary>Records the outcome of an HTTP(S) check: validated, or -1603 naming what was wrong.</summary>
    public byte[] CompleteHttpSubmit(string mode, string? name, string url, string? failure)
    {
        lock (_gate)
        {
            var d = DcvDomain(name);
            var now = Now;
            var o = d.Order;
            if (o.Mode != mode || o.Url != url)
            {
                throw ScmApiException.BadRequest(-1603, $"Error validating domain {d.Name}: the validation was restarted during the check");
            }

            o.LastCheck = now;
            if (failure is not null)
            {
                throw ScmApiException.BadRequest(-1603, $"Error validating domain {d.Name}: {failure}");
            }

            Submit(o, now);
            MarkValidated(d, mode == "HTTP" ? "HTTP_CSR_HASH" : "HTTPS_CSR_HASH", now);
            return SubmitJson(d, withRecord: false);
        }
    }

    public void ConfirmDcvEmail(string name)
    {
        lock (_gate)
        {
            var d = _domains.Find(x => string.Equals(x.Name, name.Trim().TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"Unknown domain '{name}'.", nameof(name));
            if (d.Order is not { Mode: "EMAIL", Status: "SUBMITTED" })
            {
                throw new InvalidOperationException($"Domain '{name}' has no submitted e-mail validation.");
            }

            MarkValidated(d, "EMAIL", Now);
        }
    }

    /// <summary>SCM's periodic check of a submitted TXT validation, run when its state is read.</summary>
    private void RecheckDns(DomainModel d)
    {
        var o = d.Order;
        if (o is { Status: "SUBMITTED", Mode: "TXT" } && d.Validation != ScmSimulatorDomainValidation.Validated)
        {
            o.LastCheck = Now;
            if (DnsMatches(o.Host!, o.Point!, ScmSimulatorDnsRecordType.Txt))
            {
                MarkValidated(d, "DNSTXT_RANDOM_VALUE", Now);
            }
        }
    }

    private void Submit(DcvOrder o, DateTimeOffset now)
    {
        o.Status = "SUBMITTED";
        o.Submitted = now;
        o.LastCheck = now;
        o.BackendId ??= _random.NextInt64(100_000, 99_999_999).ToString(CultureInfo.InvariantCulture);
    }

    private static void RequireStarted(DomainModel d, string mode)
    {
        if (d.Order.Mode != mode || d.Order.Status is not ("AWAITING_SUBMISSION" or "SUBMITTED"))
        {
            throw ScmApiException.BadRequest(-1603, $"Error validating domain {d.Name}: start the {mode} validation first");
        }
    }

    private bool DnsMatches(string host, string expected, ScmSimulatorDnsRecordType type)
    {
        if (_options.DnsResolver is not { } resolver)
        {
            return false;
        }

        var values = resolver.Resolve(ScmSimulatorDnsZone.Normalize(host), type);
        return type == ScmSimulatorDnsRecordType.Cname
            ? values.Any(v => string.Equals(ScmSimulatorDnsZone.Normalize(v), ScmSimulatorDnsZone.Normalize(expected), StringComparison.Ordinal))
            : values.Any(v => string.Equals(v.Trim().Trim('"'), expected, StringComparison.Ordinal));
    }

    private static byte[] SubmitJson(DomainModel d, bool withRecord) => ScmJson.Build((d, withRecord), static (w, s) =>
    {
        var o = s.d.Order;
        w.WriteStartObject();
        w.WriteString("status", s.d.ValidationStatusWire);
        w.WriteString("orderStatus", o.Status);
        w.WriteString("message", "Submitted successfully");
        Optional(w, "orderBackendId", o.BackendId);
        Optional(w, "emailValidationReferenceNumber", o.EmailReference);
        if (s.withRecord)
        {
            w.WriteString("host", o.Host);
            w.WriteString("point", o.Point);
        }

        w.WriteEndObject();
    });

    private static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static string Timestamp(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

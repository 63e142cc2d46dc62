using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Scm.Testing.Internal;

/// <summary>
/// The simulated SCM's state: account, orders, the test CA. Every operation takes one lock, first brings the state up to
/// the simulator clock's "now" (lazy evaluation: a sweep runs only when the earliest pending event is due), then acts.
/// </summary>
internal sealed partial class SimulatorEngine : IDisposable
{
    private readonly object _gate = new();
    private readonly ScmSimulatorOptions _options;
    private readonly SeededRandom _random;
    private readonly ScmSimulatorCounters _counters;
    private readonly Dictionary<int, OrgModel> _orgs = [];
    private readonly List<OrgModel> _topOrgs = [];
    private readonly Dictionary<int, ProfileModel> _profiles = [];
    private readonly List<ProfileModel> _profileList = [];
    private readonly List<DomainModel> _domains = [];
    private readonly List<CustomFieldModel> _customFields = [];
    private readonly Dictionary<long, OrderRecord> _orders = [];
    private readonly List<OrderRecord> _all = [];
    private readonly Dictionary<string, OrderRecord> _byRenewId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OrderRecord> _bySerial = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, KeystoreTicket> _keystores = new(StringComparer.Ordinal);
    private readonly Dictionary<int, List<ValidationModel>> _validations = [];
    private readonly ProfileModel _importProfile;
    private long _nextId;
    private long _nextLocationId = 1;
    private long _nextEventTicks = long.MaxValue;

    public SimulatorEngine(ScmSimulatorOptions options, SimulatorClock clock, SeededRandom random, TestCertificateAuthority ca, ScmSimulatorCounters counters)
    {
        _options = options;
        Clock = clock;
        _random = random;
        Ca = ca;
        _counters = counters;
        _nextId = options.IdBase;
        var account = options.Account;
        Admin = new AdminInfo(account.AdminDisplayName, account.AdminId, account.AdminEmail);

        var started = clock.GetUtcNow();
        var nextValidationId = 230L;
        foreach (var org in account.Organizations)
        {
            var model = new OrgModel { Id = org.Id, Name = org.Name, Source = org };
            AddOrg(model);
            _topOrgs.Add(model);
            _validations[org.Id] = [.. org.Validations.Select(v => new ValidationModel
            {
                Id = nextValidationId++,
                Level = v.Level,
                Status = v.Status,
                Expires = v.Expires ?? (v.Status == ScmSimulatorValidationStatus.Validated ? started.AddYears(1) : null),
                Submitted = v.Status == ScmSimulatorValidationStatus.NotValidated ? null : started.AddDays(-30),
            })];
            foreach (var dep in org.Departments)
            {
                var depModel = new OrgModel { Id = dep.Id, Name = dep.Name, Parent = model, Source = org };
                model.Departments.Add(depModel);
                AddOrg(depModel);
            }
        }

        foreach (var p in account.Profiles)
        {
            var model = new ProfileModel
            {
                Id = p.Id,
                Name = p.Name,
                Description = p.Description,
                ValidationType = p.ValidationType,
                Terms = [.. p.Terms],
                KeyTypes = [.. p.KeyTypes.Select(k => new KeyValuePair<string, string[]>(k.Key, [.. k.Value]))],
                RequiresApproval = p.RequiresApproval,
                AllowsRenewal = p.AllowsRenewal,
                UseSecondaryOrgName = p.UseSecondaryOrgName,
                OrganizationIds = [.. p.OrganizationIds],
                RequiredValidation = p.RequiredValidation,
            };
            model.Json = ScmJson.Build(model, ScmJson.WriteProfile);
            if (!_profiles.TryAdd(model.Id, model))
            {
                throw new ArgumentException($"Duplicate profile id {model.Id}.", nameof(options));
            }

            _profileList.Add(model);
        }

        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        foreach (var d in account.Domains)
        {
            _domains.Add(new DomainModel
            {
                Id = d.Id,
                Name = d.Name.Trim().TrimEnd('.'),
                Validation = d.Validation,
                Delegation = d.Delegation,
                Active = d.Active,
                DelegatedOrganizationIds = [.. d.DelegatedOrganizationIds],
                DcvValidation = d.Validation == ScmSimulatorDomainValidation.NotValidated ? null
                    : d.Validation == ScmSimulatorDomainValidation.Expired ? today.AddYears(-1).AddDays(-10) : today.AddDays(-30),
                DcvExpiration = d.Validation == ScmSimulatorDomainValidation.NotValidated ? null
                    : d.Validation == ScmSimulatorDomainValidation.Expired ? today.AddDays(-10) : today.AddDays(335),
            });
            var added = _domains[^1];
            added.DcvExpiresAt = EndOfDay(added.DcvExpiration);
        }

        foreach (var f in account.CustomFields)
        {
            _customFields.Add(new CustomFieldModel
            {
                Id = f.Id,
                Name = f.Name,
                Mandatory = f.Mandatory,
                OtherMandatoryChannels = f.OtherMandatoryChannels,
                Active = f.Active,
                Input = f.Input,
                Options = [.. f.Options],
            });
        }

        _importProfile = new ProfileModel
        {
            Id = 0,
            Name = "Imported certificate",
            Description = "",
            ValidationType = "",
            Terms = [],
            KeyTypes = [],
            RequiresApproval = false,
            AllowsRenewal = false,
            UseSecondaryOrgName = false,
            OrganizationIds = [],
        };
        _importProfile.Json = ScmJson.Build(_importProfile, ScmJson.WriteProfile);
    }

    public SimulatorClock Clock { get; }

    public TestCertificateAuthority Ca { get; }

    public AdminInfo Admin { get; }

    public DateTimeOffset Now => Clock.GetUtcNow();

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var order in _all)
            {
                order.Certificate?.Dispose();
                order.ServerGeneratedKey?.Dispose();
            }
        }
    }

    // ---------------------------------------------------------------- time

    /// <summary>Brings every order up to <paramref name="now"/> when an event is due. Caller holds the lock.</summary>
    private void EnsureCurrent(DateTimeOffset now)
    {
        if (now.UtcTicks < _nextEventTicks)
        {
            return;
        }

        var next = long.MaxValue;
        for (var i = 0; i < _all.Count; i++)
        {
            var order = _all[i];
            var due = Advance(order, now);
            if (due < next)
            {
                next = due;
            }
        }

        _nextEventTicks = next;
    }

    private void Schedule(OrderRecord order, DateTimeOffset now)
    {
        var due = Advance(order, now);
        if (due < _nextEventTicks)
        {
            _nextEventTicks = due;
        }
    }

    /// <summary>Moves one order through every stage that is due and returns the ticks of its next event.</summary>
    private long Advance(OrderRecord order, DateTimeOffset now)
    {
        while (true)
        {
            switch (order.Status)
            {
                case OrderStatus.Requested:
                    {
                        if (order.Profile.RequiresApproval)
                        {
                            return long.MaxValue;
                        }

                        var at = order.StageEntered + _options.AutoApprovalDelay;
                        if (at > now)
                        {
                            return at.UtcTicks;
                        }

                        order.Status = OrderStatus.Approved;
                        order.Approved = at;
                        order.StageEntered = at;
                        order.Touch();
                        continue;
                    }

                case OrderStatus.Approved:
                    {
                        var at = order.StageEntered + _options.ApplyDelay;
                        if (at > now)
                        {
                            return at.UtcTicks;
                        }

                        order.Status = OrderStatus.Applied;
                        order.StageEntered = at;
                        order.Touch();
                        continue;
                    }

                case OrderStatus.Applied:
                    {
                        if (_options.HoldIssuanceWhileDcvPending && FirstUnvalidatedName(order) is not null)
                        {
                            order.DcvHeld = true;
                            return long.MaxValue;
                        }

                        if (order.DcvHeld)
                        {
                            order.DcvHeld = false;
                            if (order.StageEntered < now)
                            {
                                order.StageEntered = now;
                            }
                        }

                        var at = order.StageEntered + _options.IssueDelay;
                        if (at > now)
                        {
                            return at.UtcTicks;
                        }

                        IssueCertificate(order, at);
                        continue;
                    }

                case OrderStatus.Issued:
                    {
                        var expires = order.Expires ?? DateTimeOffset.MaxValue;
                        var renewAt = DateTimeOffset.MaxValue;
                        if (order.AutoRenewState == "Scheduled" && !order.Renewed)
                        {
                            renewAt = expires.AddDays(-order.AutoRenewDays);
                        }

                        if (renewAt <= now && renewAt <= expires)
                        {
                            AutoRenew(order, renewAt < order.Issued ? order.Issued!.Value : renewAt);
                            continue;
                        }

                        if (expires <= now)
                        {
                            order.Status = OrderStatus.Expired;
                            order.Touch();
                            continue;
                        }

                        return Math.Min(renewAt.UtcTicks, expires.UtcTicks);
                    }

                default:
                    return long.MaxValue;
            }
        }
    }

    private void AutoRenew(OrderRecord order, DateTimeOffset at)
    {
        if (!order.Profile.AllowsRenewal || order.PublicKey is null)
        {
            order.AutoRenewState = "Failed";
            order.Touch();
            return;
        }

        order.AutoRenewState = "Started";
        CreateRenewal(order, null, null, at);
    }

    private void IssueCertificate(OrderRecord order, DateTimeOffset at)
    {
        var notBefore = at;
        var notAfter = _options.CertificateLifetime is { } lifetime ? at + lifetime : at.AddDays(order.Term);
        var subject = BuildSubject(order);
        var certificate = Ca.IssueLeaf(order.PublicKey!, subject, order.Names, notBefore, notAfter, Ca.NewSerial());
        if (order.Serial is { } oldSerial)
        {
            _bySerial.Remove(StripColons(oldSerial));
        }

        order.Certificate?.Dispose();
        order.Certificate = certificate;
        order.Facts = new CertificateFacts(certificate, Ca.IssuerDn);
        _bySerial[StripColons(order.Facts.Serial)] = order;
        order.Issued = at;
        order.Expires = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        order.Status = OrderStatus.Issued;
        order.StageEntered = at;
        order.NotReadyPollsLeft = _options.MaxNotReadyPollsAfterIssue > 0 ? _random.Next(0, _options.MaxNotReadyPollsAfterIssue + 1) : 0;
        if (order.RenewedFrom is { } originalId && _orders.TryGetValue(originalId, out var original) && original.AutoRenewState == "Started")
        {
            original.AutoRenewState = "Successful";
            original.Touch();
        }

        order.Touch();
    }

    private static X500DistinguishedName BuildSubject(OrderRecord order)
    {
        var org = order.Org.Root.Source;
        var orgName = order.Profile.UseSecondaryOrgName && !string.IsNullOrEmpty(org.SecondaryName) ? org.SecondaryName : org.Name;
        // The builder's first element is the most specific one as displayed (CN=..., O=..., C=..).
        var builder = new X500DistinguishedNameBuilder();
        builder.AddCommonName(order.CommonName);
        builder.AddOrganizationName(orgName);
        if (!string.IsNullOrEmpty(org.City))
        {
            builder.AddLocalityName(org.City);
        }

        if (!string.IsNullOrEmpty(org.StateOrProvince))
        {
            builder.AddStateOrProvinceName(org.StateOrProvince);
        }

        builder.AddCountryOrRegion(org.Country);
        return builder.Build();
    }

    // ---------------------------------------------------------------- helpers

    private void AddOrg(OrgModel model)
    {
        if (!_orgs.TryAdd(model.Id, model))
        {
            throw new ArgumentException($"Duplicate organization or department id {model.Id}.", nameof(model));
        }
    }

    private OrderRecord Find(long id)
        => _orders.TryGetValue(id, out var order) ? order : throw ScmApiException.SslNotFound(id);

    private OrderRecord NewOrder(DateTimeOffset now)
    {
        var id = _nextId;
        _nextId += _options.NonSequentialIds ? _random.Next(1, 1000) : 1;
        string renewId;
        do
        {
            renewId = _random.NextString(20);
        }
        while (_byRenewId.ContainsKey(renewId));

        var order = new OrderRecord
        {
            Id = id,
            RenewId = renewId,
            OrderNumber = _random.NextInt64(1_000_000, 9_999_999_999),
            Requested = now,
            StageEntered = now,
            Requester = Admin.Email,
        };
        return order;
    }

    private void Store(OrderRecord order)
    {
        _orders.Add(order.Id, order);
        _all.Add(order);
        _byRenewId[order.RenewId] = order;
    }

    internal static string StripColons(string serial) => serial.Replace(":", "", StringComparison.Ordinal).TrimStart('0');

    private string? FirstUnvalidatedName(OrderRecord order)
    {
        foreach (var name in order.Names)
        {
            var domain = FindDomain(name);
            if (domain is null || domain.Validation != ScmSimulatorDomainValidation.Validated || !domain.Active
                || domain.Delegation != ScmSimulatorDomainDelegation.Active)
            {
                return name;
            }
        }

        return null;
    }

    private DomainModel? FindDomain(string name)
    {
        var bare = name.StartsWith("*.", StringComparison.Ordinal) ? name[2..] : name;
        DomainModel? best = null;
        foreach (var d in _domains)
        {
            if (d.Covers(bare) && (best is null || d.Name.Length > best.Name.Length))
            {
                best = d;
            }
        }

        if (best is not null)
        {
            RefreshDcv(best);
        }

        return best;
    }

    private void CheckDomains(IEnumerable<string> names, OrgModel org)
    {
        var notValidated = new List<string>();
        var dcvMissing = new List<string>();
        foreach (var name in names)
        {
            var domain = FindDomain(name);
            if (domain is null)
            {
                throw ScmApiException.BadRequest(-1010, $"Domain '{name}' is not allowed");
            }

            if (_options.EnforceDcvExpiry && domain.Validation != ScmSimulatorDomainValidation.Validated)
            {
                dcvMissing.Add(name);
            }
            else if (!domain.IsDelegatedTo(org) || domain.Delegation != ScmSimulatorDomainDelegation.Active || !domain.Active
                || domain.Validation != ScmSimulatorDomainValidation.Validated)
            {
                notValidated.Add(name);
            }
        }

        if (dcvMissing.Count > 0)
        {
            throw ScmApiException.BadRequest(-1137, $"Domain(s) {string.Join(", ", dcvMissing)} not validated under DCV");
        }

        if (notValidated.Count > 0)
        {
            throw ScmApiException.BadRequest(-737, $"Domain(s) {string.Join(", ", notValidated)} not validated for organization {org.Id}; complete DCV and delegation first");
        }
    }

    private static CertificateRequest DecodeCsr(string csr)
    {
        if (csr.Length > 32767 || string.IsNullOrWhiteSpace(csr))
        {
            throw ScmApiException.BadRequest(-10, "Error while decoding CSR");
        }

        try
        {
            var text = csr.Trim().Replace("\\n", "\n", StringComparison.Ordinal);
            if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            {
                text = text.Replace("NEW CERTIFICATE REQUEST", "CERTIFICATE REQUEST", StringComparison.Ordinal);
                return CertificateRequest.LoadSigningRequestPem(text, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
            }

            var der = Convert.FromBase64String(text);
            return CertificateRequest.LoadSigningRequest(der, HashAlgorithmName.SHA256, out _, CertificateRequestLoadOptions.Default);
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException or PlatformNotSupportedException)
        {
            throw ScmApiException.BadRequest(-10, "Error while decoding CSR");
        }
    }

    private static string? CommonNameOf(X500DistinguishedName name)
    {
        foreach (var rdn in name.EnumerateRelativeDistinguishedNames())
        {
            if (rdn.HasMultipleElements)
            {
                continue;
            }

            if (rdn.GetSingleElementType().Value == "2.5.4.3")
            {
                return rdn.GetSingleElementValue();
            }
        }

        return null;
    }

    private static KeyInfo CheckKey(PublicKey publicKey, ProfileModel profile)
    {
        var key = KeyInfo.From(publicKey) ?? throw ScmApiException.BadRequest(-11, "CSR uses an unsupported algorithm");
        var allowed = profile.KeyParametersFor(key.Algorithm);
        if (allowed is null)
        {
            throw ScmApiException.BadRequest(-11, "CSR uses an unsupported algorithm");
        }

        if (!allowed.Contains(key.Parameter, StringComparer.OrdinalIgnoreCase))
        {
            throw ScmApiException.BadRequest(-13, "CSR uses an unsupported key size");
        }

        return key;
    }

    private static List<string> BuildNames(string commonName, IEnumerable<string>? sans)
    {
        var names = new List<string> { commonName };
        if (sans is not null)
        {
            foreach (var raw in sans)
            {
                var name = raw.Trim();
                if (name.Length > 0 && !names.Contains(name, StringComparer.OrdinalIgnoreCase))
                {
                    names.Add(name);
                }
            }
        }

        return names;
    }

    private static IEnumerable<string> SplitSans(string? subjAltNames)
        => string.IsNullOrWhiteSpace(subjAltNames) ? [] : subjAltNames.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private OrgModel CheckOrg(long? orgId)
    {
        if (orgId is null)
        {
            throw ScmApiException.Missing("orgId");
        }

        if (orgId < 1 || orgId > int.MaxValue)
        {
            throw ScmApiException.BadRequest(-639, "Supplied orgid invalid");
        }

        if (!_orgs.TryGetValue((int)orgId.Value, out var org))
        {
            throw ScmApiException.BadRequest(-1023, $"Organization '{orgId}' not found");
        }

        if (!org.Root.Source.SslCertsApiEnabled)
        {
            throw ScmApiException.BadRequest(-1021, $"Organization '{orgId}' operation not allowed: SSL Web API is disabled");
        }

        return org;
    }

    private ProfileModel CheckProfile(long? certType, OrgModel org, string field)
    {
        if (certType is null)
        {
            throw ScmApiException.Missing(field);
        }

        if (certType < 1 || certType > int.MaxValue || !_profiles.TryGetValue((int)certType.Value, out var profile))
        {
            throw ScmApiException.BadRequest(-111, $"No certificate profile found by id {certType}");
        }

        if (!profile.IsAvailableTo(org))
        {
            throw ScmApiException.BadRequest(-39, "The certificate profile id is invalid!");
        }

        return profile;
    }

    private static int CheckTerm(long? term, ProfileModel profile)
    {
        if (term is null)
        {
            throw ScmApiException.Missing("term");
        }

        if (term < 1 || term > int.MaxValue || !profile.Terms.Contains((int)term.Value))
        {
            throw ScmApiException.BadRequest(-36, "The validity period (term) is invalid for this certificate profile");
        }

        return (int)term.Value;
    }

    private List<KeyValuePair<string, string>> CheckCustomFields(List<KeyValuePair<string, string>>? fields, bool requireMandatory)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var field in fields ?? [])
        {
            if (field.Key.Length is < 1 or > 256)
            {
                throw ScmApiException.InvalidField("customFields.name");
            }

            if (field.Value.Length > 256)
            {
                throw ScmApiException.InvalidField("customFields.value");
            }

            var known = _customFields.Find(f => f.Active && string.Equals(f.Name, field.Key, StringComparison.Ordinal))
                ?? throw ScmApiException.BadRequest(-135, $"Custom field cannot be found: {field.Key}");
            if (field.Value.Length > 0 && !IsValidInput(known, field.Value))
            {
                throw ScmApiException.BadRequest(-1601, $"Field '{known.Name}' has invalid value");
            }

            result.Add(new(known.Name, field.Value));
        }

        if (requireMandatory)
        {
            foreach (var mandatory in _customFields)
            {
                if (mandatory.Active && mandatory.Mandatory && !result.Exists(f => f.Key == mandatory.Name && f.Value.Length > 0))
                {
                    throw ScmApiException.BadRequest(-62, "Missing mandatory custom field!");
                }
            }
        }

        return result;
    }

    private static bool IsValidInput(CustomFieldModel field, string value) => field.Input switch
    {
        ScmSimulatorCustomFieldInput.TextOption => Array.IndexOf(field.Options, value) >= 0,
        ScmSimulatorCustomFieldInput.Number => decimal.TryParse(value, System.Globalization.NumberStyles.Number, System.Globalization.CultureInfo.InvariantCulture, out _),
        ScmSimulatorCustomFieldInput.Date => DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out _),
        ScmSimulatorCustomFieldInput.Email => value.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < value.Length - 1 && at == value.LastIndexOf('@'),
        _ => true,
    };

    /// <summary>-843 when the profile needs an organization validation the order's organization does not hold as VALIDATED (and current).</summary>
    private void CheckOrganizationValidation(OrgModel org, ProfileModel profile, DateTimeOffset now)
    {
        if (profile.RequiredValidation is not { } level)
        {
            return;
        }

        var held = _validations.TryGetValue(org.Root.Id, out var list) ? list.Where(v => v.Level == level).ToList() : [];
        if (held.Exists(v => v.StatusAt(now) == "VALIDATED"))
        {
            return;
        }

        var status = held.Count == 0 ? "NOT_VALIDATED" : held[^1].StatusAt(now);
        throw ScmApiException.BadRequest(-843, $"SSL certificate of this type cannot be requested due to \u2018{status}\u2019 validation status of the selected organization.");
    }

    private static void CheckLength(string? value, int max, string field)
    {
        if (value is not null && value.Length > max)
        {
            throw ScmApiException.InvalidField(field);
        }
    }

    private void CheckDcv(string? dcvMode, string? dcvEmail)
    {
        if (dcvMode is null)
        {
            return;
        }

        // AUTO is a value of the Admin API 25.9 only.
        if (dcvMode is not ("CNAME" or "EMAIL" or "HTTP" or "HTTPS" or "TXT") && !(dcvMode == "AUTO" && _options.ApiVersion == ScmSimulatorApiVersion.Admin25_9))
        {
            throw ScmApiException.InvalidField("dcvMode");
        }

        if (dcvMode == "EMAIL")
        {
            if (string.IsNullOrEmpty(dcvEmail))
            {
                throw ScmApiException.Missing("dcvEmail");
            }

            var at = dcvEmail.IndexOf('@', StringComparison.Ordinal);
            if (at < 1 || at != dcvEmail.LastIndexOf('@') || at == dcvEmail.Length - 1)
            {
                throw ScmApiException.InvalidField("dcvEmail");
            }
        }
    }

    private ScmApiException NotReady()
    {
        var style = _options.RandomizeNotReadyStyle ? (ScmNotReadyStyle)_random.Next(0, 3) : _options.NotReadyStyle;
        return NotReadyError(style);
    }

    internal static ScmApiException NotReadyError(ScmNotReadyStyle style) => style switch
    {
        ScmNotReadyStyle.BeingProcessed => new ScmApiException(400, 0, "Being processed by Sectigo"),
        ScmNotReadyStyle.RequestBeingProcessed => new ScmApiException(400, -1400, "The request is being processed by Sectigo."),
        _ => new ScmApiException(400, -183, "Certificate is not collectable."),
    };

    private sealed record KeystoreTicket(long OrderId, string Format, string? Passphrase);
}

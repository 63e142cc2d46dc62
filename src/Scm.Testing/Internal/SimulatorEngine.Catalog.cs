using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Scm.Testing.Internal;

internal sealed partial class SimulatorEngine
{
    public byte[] TypesJson(int? organizationId)
    {
        lock (_gate)
        {
            OrgModel? org = null;
            if (organizationId is { } id && !_orgs.TryGetValue(id, out org))
            {
                return "[]"u8.ToArray();
            }

            var profiles = _profileList.Where(p => org is null || p.IsAvailableTo(org)).ToList();
            return ScmJson.Build(profiles, static (w, ps) =>
            {
                w.WriteStartArray();
                foreach (var p in ps)
                {
                    ScmJson.WriteProfile(w, p);
                }

                w.WriteEndArray();
            });
        }
    }

    public byte[] CustomFieldsJson()
    {
        lock (_gate)
        {
            // Inactive fields are not offered for enrollment.
            return ScmJson.Build(_customFields.Where(f => f.Active).ToList(), static (w, fs) =>
            {
                w.WriteStartArray();
                foreach (var f in fs)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", f.Id);
                    w.WriteString("name", f.Name);
                    w.WriteBoolean("mandatory", f.Mandatory);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
        }
    }

    public byte[] OrganizationsJson()
        => ScmJson.Build(_topOrgs, static (w, orgs) =>
        {
            w.WriteStartArray();
            foreach (var o in orgs)
            {
                ScmJson.WriteOrgBasic(w, o, withDepartments: true);
            }

            w.WriteEndArray();
        });

    public byte[] OrganizationsFlatJson()
        => ScmJson.Build(_orgs.Values.OrderBy(o => o.Id).ToList(), static (w, orgs) =>
        {
            w.WriteStartArray();
            foreach (var o in orgs)
            {
                ScmJson.WriteOrgBasic(w, o, withDepartments: false);
            }

            w.WriteEndArray();
        });

    public byte[] OrganizationJson(long id)
    {
        if (id < 1 || id > int.MaxValue || !_orgs.TryGetValue((int)id, out var org))
        {
            throw new ScmApiException(404, -1023, $"Organization '{id}' not found");
        }

        return ScmJson.Build(org, ScmJson.WriteOrgDetails);
    }

    public (long Total, byte[] Body) Domains(string? name, string? state, string? status, int? orgId, int position, int size)
    {
        lock (_gate)
        {
            var matches = FilterDomains(name, state, status, orgId);
            var page = matches.Skip(position).Take(size).ToList();
            return (matches.Count, ScmJson.Build(page, static (w, ds) =>
            {
                w.WriteStartArray();
                foreach (var d in ds)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", d.Id);
                    w.WriteString("name", d.Name);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }));
        }
    }

    public int DomainCount(string? name, string? state, string? status, int? orgId)
    {
        lock (_gate)
        {
            return FilterDomains(name, state, status, orgId).Count;
        }
    }

    private List<DomainModel> FilterDomains(string? name, string? state, string? status, int? orgId)
    {
        if (state is not null && state is not ("active" or "inactive"))
        {
            throw ScmApiException.InvalidField("state");
        }

        if (status is not null && status is not ("requested" or "approved"))
        {
            throw ScmApiException.InvalidField("status");
        }

        OrgModel? org = null;
        if (orgId is { } id && !_orgs.TryGetValue(id, out org))
        {
            return [];
        }

        return _domains.Where(d =>
            (name is null || d.Name.Contains(name, StringComparison.OrdinalIgnoreCase))
            && (state is null || (state == "active") == d.Active)
            && (status is null || (status == "approved") == (d.Delegation == ScmSimulatorDomainDelegation.Active))
            && (org is null || d.IsDelegatedTo(org))).ToList();
    }

    public byte[] DomainJson(long id)
    {
        lock (_gate)
        {
            var domain = _domains.Find(d => d.Id == id) ?? throw new ScmApiException(404, -727, $"Domain '{id}' does not exist");
            RefreshDcv(domain);
            return ScmJson.Build(domain, ScmJson.WriteDomainDetails);
        }
    }

    public byte[] DcvJson(long id, bool recheck)
    {
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var order = Find(id);
            var rows = order.Names.Select(n => (Name: n, Domain: FindDomain(n))).ToList();
            return ScmJson.Build((rows, now, recheck), static (w, s) =>
            {
                w.WriteStartObject();
                w.WriteStartObject("dcvLog");
                w.WriteStartObject("error");
                w.WriteNumber("code", 0);
                w.WriteNull("description");
                w.WriteEndObject();
                w.WriteStartArray("log");
                var reference = 1;
                foreach (var (name, domain) in s.rows)
                {
                    w.WriteStartObject();
                    w.WriteString("dcvStatus", domain?.Validation switch
                    {
                        ScmSimulatorDomainValidation.Validated => "Validated",
                        ScmSimulatorDomainValidation.Expired => "Expired",
                        _ => "Awaiting Validation",
                    });
                    w.WriteString("domainName", name);
                    w.WriteString("lastCheck", ScmJson.LogDate(s.now));
                    w.WriteString("nextCheck", ScmJson.LogDate(s.now.AddHours(1)));
                    if (domain?.DcvValidation is { } date)
                    {
                        w.WriteString("dcvDate", ScmJson.IsoDate(date) + " 00:00:00");
                    }
                    else
                    {
                        w.WriteNull("dcvDate");
                    }

                    w.WriteNumber("dcvEmailRefNumber", reference++);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
                if (!s.recheck)
                {
                    w.WriteStartArray("instructions");
                    foreach (var (name, domain) in s.rows)
                    {
                        var bare = domain?.Name ?? name.TrimStart('*', '.');
                        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(bare)));
                        w.WriteStartObject();
                        w.WriteString("domainName", name);
                        w.WriteString("dcvMode", "CNAME");
                        w.WriteString("host", "_" + hash[..32] + "." + bare + ".");
                        w.WriteString("point", hash[32..] + ".sectigo.com.");
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            });
        }
    }

    public byte[] LocationsJson(long id)
    {
        lock (_gate)
        {
            var order = Find(id);
            return ScmJson.Build(order.Locations, static (w, ls) =>
            {
                w.WriteStartArray();
                foreach (var l in ls)
                {
                    WriteLocation(w, l);
                }

                w.WriteEndArray();
            });
        }
    }

    public byte[] LocationJson(long id, long locationId)
    {
        lock (_gate)
        {
            var location = FindLocation(Find(id), locationId);
            return ScmJson.Build(location, WriteLocation);
        }
    }

    public long AddLocation(long id, JsonElement body)
    {
        var details = ReadLocationDetails(body);
        lock (_gate)
        {
            var order = Find(id);
            var location = new LocationRecord { Id = _nextLocationId++, Details = details };
            order.Locations.Add(location);
            return location.Id;
        }
    }

    public void UpdateLocation(long id, long locationId, JsonElement body)
    {
        var details = ReadLocationDetails(body);
        lock (_gate)
        {
            FindLocation(Find(id), locationId).Details = details;
        }
    }

    public void DeleteLocation(long id, long locationId)
    {
        lock (_gate)
        {
            var order = Find(id);
            order.Locations.Remove(FindLocation(order, locationId));
        }
    }

    private static LocationRecord FindLocation(OrderRecord order, long locationId)
        => order.Locations.Find(l => l.Id == locationId) ?? throw new ScmApiException(404, -1, $"Location {locationId} not found");

    private static Dictionary<string, string> ReadLocationDetails(JsonElement body)
    {
        var details = JsonBody.GetObject(body, "details") ?? throw ScmApiException.Missing("details");
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in details.EnumerateObject())
        {
            result[property.Name] = JsonBody.GetString(details, property.Name) ?? "";
        }

        if (result.Count == 0)
        {
            throw ScmApiException.InvalidField("details");
        }

        return result;
    }

    private static void WriteLocation(Utf8JsonWriter w, LocationRecord l)
    {
        w.WriteStartObject();
        w.WriteNumber("id", l.Id);
        w.WriteString("locationType", "CUSTOM");
        w.WriteString("name", l.Name);
        w.WriteStartObject("details");
        foreach (var pair in l.Details)
        {
            w.WriteString(pair.Key, pair.Value);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    // ---------------------------------------------------------------- control (admin / CA actions)

    public void SetDomainValidation(string name, ScmSimulatorDomainValidation validation)
    {
        lock (_gate)
        {
            var domain = _domains.Find(d => string.Equals(d.Name, name.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"Unknown domain '{name}'.", nameof(name));
            var now = Now;
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (validation == ScmSimulatorDomainValidation.Validated)
            {
                MarkValidated(domain, domain.DcvMethod, now);
                return;
            }

            domain.Validation = validation;
            (domain.DcvValidation, domain.DcvExpiration) = validation switch
            {
                ScmSimulatorDomainValidation.Expired => ((DateOnly?)(domain.DcvValidation ?? today.AddYears(-1)), (DateOnly?)today.AddDays(-1)),
                _ => ((DateOnly?)null, (DateOnly?)null),
            };
            domain.DcvExpiresAt = EndOfDay(domain.DcvExpiration);
            _nextEventTicks = long.MinValue;
        }
    }

    public void SetDomainDelegation(string name, ScmSimulatorDomainDelegation delegation)
    {
        lock (_gate)
        {
            var domain = _domains.Find(d => string.Equals(d.Name, name.TrimEnd('.'), StringComparison.OrdinalIgnoreCase))
                ?? throw new ArgumentException($"Unknown domain '{name}'.", nameof(name));
            domain.Delegation = delegation;
            _nextEventTicks = long.MinValue;
        }
    }

    public ScmSimulatorOrder? Snapshot(long id)
    {
        lock (_gate)
        {
            EnsureCurrent(Now);
            return _orders.TryGetValue(id, out var order) ? ToSnapshot(order) : null;
        }
    }

    public IReadOnlyList<ScmSimulatorOrder> Snapshots()
    {
        lock (_gate)
        {
            EnsureCurrent(Now);
            return _all.Select(ToSnapshot).ToList();
        }
    }

    private ScmSimulatorOrder ToSnapshot(OrderRecord o) => new(
        o.Id,
        o.Status,
        o.CommonName,
        [.. o.Names],
        o.Org.Id,
        o.Profile.Id,
        o.Term,
        o.Comments,
        o.RenewId,
        o.OrderNumber,
        o.Serial,
        o.Requested,
        o.Approved,
        o.Issued,
        o.Expires,
        o.Revoked,
        o.Declined,
        o.ReplacedDate,
        o.RenewedDate,
        o.Renewed,
        o.RenewedFrom,
        o.ReasonCode,
        o.AutoRenewState,
        o.Imported,
        o.StatusReason,
        _counters.ExtractTokens(o.Comments),
        o.Certificate?.RawData);

    public byte[] PasswordStateJson(bool expiredByControl, DateOnly? expiration)
    {
        var today = DateOnly.FromDateTime(Now.UtcDateTime);
        var state = expiredByControl || (expiration is { } e && e < today) ? "EXPIRED" : expiration is null ? "NEVER_EXPIRE" : "ALIVE";
        return ScmJson.Build((state, expiration), static (w, s) =>
        {
            w.WriteStartObject();
            if (s.expiration is { } date)
            {
                w.WriteString("expirationDate", ScmJson.IsoDate(date));
            }

            w.WriteString("state", s.state);
            w.WriteEndObject();
        });
    }
}

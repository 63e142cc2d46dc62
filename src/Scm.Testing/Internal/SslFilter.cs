using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Scm.Testing.Internal;

/// <summary>The documented filters of <c>GET /ssl/v1</c>.</summary>
internal sealed class SslFilter
{
    private string? _commonName;
    private string? _san;
    private string? _status;
    private int? _sslTypeId;
    private int? _orgId;
    private string? _serial;
    private string? _requester;
    private string? _externalRequester;
    private string? _keyAlgorithm;
    private string? _keyParam;
    private int? _keySize;
    private string? _issuer;
    private string? _vendor;
    private string? _signatureAlgorithm;
    private string? _sha1;
    private string? _md5;
    private string? _sha256;
    private string? _keyUsage;
    private string? _extendedKeyUsage;
    private string? _requestedVia;
    private string? _renewalStatus;
    private string? _installStatus;
    private string? _discoveryStatus;
    private bool _unmanaged;

    // The values each vendor document lists for the enumerated filters (the simulator's own copy, independent of the SDK).
    private static readonly string[] Rest25_5Status = ["Invalid", "Requested", "Approved", "Declined", "Applied", "Issued", "Revoked", "Expired", "Replaced", "Rejected", "Unmanaged", "SAApproved", "Init"];
    private static readonly string[] Admin25_9Status = ["Invalid", "Requested", "Approved", "Declined", "Applied", "Issued", "Revoked", "Expired", "Replaced", "Rejected", "SA Approved", "Init"];
    private static readonly string[] Rest25_5Install = ["NONE", "NOT_STARTED", "KEY_PROCESSING", "KEY_READY", "CERT_PROCESSING", "SCHEDULED", "INSTALLING", "ACTION_REQUIRED", "READY_FOR_INSTALL", "NEED_SERVER_RESTART", "COMPLETED", "INVALID"];
    private static readonly string[] Admin25_9Install = ["Not configured", "Not started", "Key processing", "Key and CSR ready", "Certificate processing", "Installation scheduled", "Installation processing", "Action required", "Ready for install", "Server restart required", "Completed", "Invalid configuration"];
    private static readonly string[] Rest25_5Renewal = ["NOT_SCHEDULED", "SCHEDULED", "STARTED", "SUCCESSFUL", "FAILED"];
    private static readonly string[] Admin25_9Renewal = ["Not scheduled", "Scheduled", "Started", "Successful", "Failed"];
    private static readonly string[] Rest25_5Via = ["WEB_FORM", "CLIENT_ADMIN", "API", "DISCOVERY", "IMPORTED", "SCEP", "CD_AGENT", "MS_AGENT", "MS_CA", "BULK_REQUEST", "ACME", "EST", "REST"];
    private static readonly string[] Admin25_9Via = ["Enrollment Form", "Client Admin", "Web API", "Discovery", "Imported", "SCEP", "CD Agent", "MS Agent", "MS CA", "Bulk Request", "ACME", "EST", "REST API"];
    private static readonly string[] Discovery = ["NotDeployed", "Deployed"];

    /// <summary>Reads the filters; an enumerated filter outside the configured document's values answers 400 -1601, as SCM's binder does.</summary>
    public static SslFilter From(IQueryCollection query, ScmSimulatorApiVersion version)
    {
        static string? S(IQueryCollection q, string name) => q.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;

        var admin = version == ScmSimulatorApiVersion.Admin25_9;
        string? Listed(string name, string[] rest, string[] admin25_9)
        {
            var value = S(query, name);
            if (value is not null && Array.IndexOf(admin ? admin25_9 : rest, value) < 0)
            {
                throw ScmApiException.InvalidField(name);
            }

            return value;
        }

        var status = Listed("status", Rest25_5Status, Admin25_9Status);
        var install = Listed("installStatus", Rest25_5Install, Admin25_9Install);
        var renewal = Listed("renewalStatus", Rest25_5Renewal, Admin25_9Renewal);
        var via = Listed("requestedVia", Rest25_5Via, Admin25_9Via);
        var discovery = Listed("discoveryStatus", Discovery, Discovery);
        return new SslFilter
        {
            _commonName = S(query, "commonName"),
            _san = S(query, "subjectAlternativeName"),
            _status = status,
            _unmanaged = status == "Unmanaged",
            _sslTypeId = QueryInt(query, "sslTypeId"),
            _orgId = QueryInt(query, "orgId"),
            _serial = S(query, "serialNumber"),
            _requester = S(query, "requester"),
            _externalRequester = S(query, "externalRequester"),
            _keyAlgorithm = S(query, "keyAlgorithm"),
            _keyParam = S(query, "keyParam"),
            _keySize = QueryInt(query, "keySize"),
            _issuer = S(query, "issuer"),
            _vendor = S(query, "vendor"),
            _signatureAlgorithm = S(query, "signatureAlgorithm"),
            _sha1 = S(query, "sha1Hash"),
            _md5 = S(query, "md5Hash"),
            // Not a filter of the REST API 25.5: an instance on that version ignores it (the rows come back unfiltered).
            _sha256 = admin ? S(query, "sha256Hash") : null,
            _keyUsage = S(query, "keyUsage"),
            _extendedKeyUsage = S(query, "extendedKeyUsage"),
            _requestedVia = via is null ? null : Array.IndexOf(Rest25_5Via, via) is var i and >= 0 ? Admin25_9Via[i] : via,
            _renewalStatus = renewal,
            _installStatus = install,
            _discoveryStatus = discovery,
        };
    }

    public static int? QueryInt(IQueryCollection query, string name)
    {
        if (!query.TryGetValue(name, out var values) || string.IsNullOrEmpty(values.ToString()))
        {
            return null;
        }

        return int.TryParse(values.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ScmApiException.InvalidField(name);
    }

    public bool Matches(OrderRecord o)
    {
        if (_unmanaged)
        {
            // Deprecated: "result will be empty" (REST API 25.5).
            return false;
        }

        if (_commonName is not null && !o.CommonName.Contains(_commonName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_san is not null && !o.Names.Exists(n => n.Contains(_san, StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        if (_status is not null && !Same(_status, o.Status))
        {
            return false;
        }

        if (_sslTypeId is { } type && o.Profile.Id != type)
        {
            return false;
        }

        if (_orgId is { } org && o.Org.Id != org)
        {
            return false;
        }

        if (_serial is not null && (o.Serial is null || !string.Equals(SimulatorEngine.StripColons(o.Serial), SimulatorEngine.StripColons(_serial), StringComparison.OrdinalIgnoreCase)))
        {
            return false;
        }

        if (_requester is not null && !(o.Requester ?? "").Contains(_requester, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_externalRequester is not null && !(o.ExternalRequester ?? "").Contains(_externalRequester, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_keyAlgorithm is not null && !string.Equals(o.Key?.Algorithm, _keyAlgorithm, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_keyParam is not null && !string.Equals(o.Key?.Parameter, _keyParam, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_keySize is { } size && o.Key?.Bits != size)
        {
            return false;
        }

        if (_issuer is not null && !(o.Facts?.IssuerDn ?? "").Contains(_issuer, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_vendor is not null && !TestCertificateAuthority.VendorName.Contains(_vendor, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_signatureAlgorithm is not null && !string.Equals(o.Facts?.SignatureAlgorithm, _signatureAlgorithm, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_sha1 is not null && !string.Equals(o.Facts?.Sha1, _sha1, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_md5 is not null && !string.Equals(o.Facts?.Md5, _md5, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_sha256 is not null && !string.Equals(o.Facts?.Sha256, _sha256, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (_keyUsage is not null && (o.Facts is null || !Array.Exists(o.Facts.KeyUsages, k => k.Equals(_keyUsage, StringComparison.OrdinalIgnoreCase))))
        {
            return false;
        }

        if (_extendedKeyUsage is not null && (o.Facts is null || !Array.Exists(o.Facts.ExtendedKeyUsages, k => k.Equals(_extendedKeyUsage, StringComparison.OrdinalIgnoreCase))))
        {
            return false;
        }

        if (_requestedVia is not null && !Same(_requestedVia, o.RequestedVia))
        {
            return false;
        }

        if (_renewalStatus is not null && !Same(_renewalStatus, o.AutoRenewState))
        {
            return false;
        }

        if (_installStatus is not null && _installStatus is not ("NONE" or "Not configured"))
        {
            return false;
        }

        if (_discoveryStatus is not null && !Same(_discoveryStatus, "NotDeployed"))
        {
            return false;
        }

        return true;
    }

    /// <summary>Compares vocabulary values across SCM's spellings: case, spaces and underscores ignored.</summary>
    private static bool Same(string a, string b) => string.Equals(Squash(a), Squash(b), StringComparison.Ordinal);

    private static string Squash(string value)
        => value.Replace(" ", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToUpperInvariant();
}

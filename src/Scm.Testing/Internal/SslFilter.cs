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

    public static SslFilter From(IQueryCollection query)
    {
        static string? S(IQueryCollection q, string name) => q.TryGetValue(name, out var v) && !string.IsNullOrEmpty(v.ToString()) ? v.ToString() : null;

        return new SslFilter
        {
            _commonName = S(query, "commonName"),
            _san = S(query, "subjectAlternativeName"),
            _status = S(query, "status"),
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
            _sha256 = S(query, "sha256Hash"),
            _keyUsage = S(query, "keyUsage"),
            _extendedKeyUsage = S(query, "extendedKeyUsage"),
            _requestedVia = S(query, "requestedVia"),
            _renewalStatus = S(query, "renewalStatus"),
            _installStatus = S(query, "installStatus"),
            _discoveryStatus = S(query, "discoveryStatus"),
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

        if (_requestedVia is not null && !SameRequestedVia(_requestedVia, o.RequestedVia))
        {
            return false;
        }

        if (_renewalStatus is not null && !Same(_renewalStatus, o.AutoRenewState))
        {
            return false;
        }

        if (_installStatus is not null && !Same(_installStatus, "NONE") && !Same(_installStatus, "Not configured"))
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

    private static bool SameRequestedVia(string filter, string actual)
    {
        var f = Squash(filter);
        var a = Squash(actual);
        return f == a || (a == "WEBAPI" && f == "API") || (a == "ENROLLMENTFORM" && f == "WEBFORM");
    }
}

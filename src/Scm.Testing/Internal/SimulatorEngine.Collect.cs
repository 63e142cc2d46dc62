using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Scm.Testing.Internal;

internal sealed partial class SimulatorEngine
{
    private static readonly string[] Formats = ["base64", "bin", "x509", "x509CO", "x509IO", "x509IOR", "x509R", "pem", "pemco", "pemia"];

    public static string? NormalizeFormat(string? format)
    {
        if (format is null)
        {
            return "base64";
        }

        foreach (var known in Formats)
        {
            if (string.Equals(known, format, StringComparison.OrdinalIgnoreCase))
            {
                return known;
            }
        }

        return null;
    }

    public (byte[] Body, string FileName) Collect(long id, string? format, bool pathForm, ScmFaultKind? mutation)
    {
        X509Certificate2 leaf;
        string commonName;
        string normalized;
        DateTimeOffset now;
        lock (_gate)
        {
            now = Now;
            EnsureCurrent(now);
            var order = Find(id);
            normalized = NormalizeFormat(format) ?? throw (pathForm
                ? ScmApiException.BadRequest(-126, $"Unknown SSL certificate file format requested: {format}")
                : ScmApiException.BadRequest(-1450, $"Unsupported certificate format specified: {format}"));
            switch (order.Status)
            {
                case OrderStatus.Issued or OrderStatus.Expired:
                    if (order.NotReadyPollsLeft > 0)
                    {
                        order.NotReadyPollsLeft--;
                        throw NotReady();
                    }

                    break;
                case OrderStatus.Revoked:
                    throw ScmApiException.BadRequest(-110, "Certificate has been revoked and cannot be downloaded.");
                case OrderStatus.Requested or OrderStatus.Approved or OrderStatus.Applied:
                    throw NotReady();
                default:
                    throw ScmApiException.BadRequest(-183, "Certificate is not collectable.");
            }

            leaf = CertificateLoading.FromDer(order.Certificate!.RawData);
            commonName = order.CommonName;
            if (mutation == ScmFaultKind.CertificateForAnotherKey)
            {
                using var otherKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
                var otherPublic = new CertificateRequest("CN=other", otherKey, HashAlgorithmName.SHA256).PublicKey;
                var replaced = Ca.IssueLeaf(otherPublic, leaf.SubjectName, order.Names, order.Issued!.Value, order.Expires!.Value, Ca.NewSerial());
                leaf.Dispose();
                leaf = replaced;
            }
            else if (mutation == ScmFaultKind.ExpiredCertificate)
            {
                var replaced = Ca.IssueLeaf(order.PublicKey!, leaf.SubjectName, order.Names, now.AddDays(-400), now.AddDays(-1), Ca.NewSerial());
                leaf.Dispose();
                leaf = replaced;
            }
        }

        using (leaf)
        {
            var odd = mutation == ScmFaultKind.ChainInOddOrder;
            var root = Ca.Root;
            var issuer = Ca.Intermediate;
            X509Certificate2[] chain = normalized switch
            {
                "x509" or "pem" or "x509R" => odd ? [issuer, leaf, root] : [root, issuer, leaf],
                "x509CO" or "pemco" => [leaf],
                "x509IO" => odd ? [issuer, root] : [root, issuer],
                "x509IOR" => odd ? [root, issuer] : [issuer, root],
                "pemia" => odd ? [issuer, leaf, root] : [leaf, issuer, root],
                _ => [leaf, issuer, root],
            };

            var safeName = commonName.Replace("*", "STAR", StringComparison.Ordinal).Replace('.', '_');
            switch (normalized)
            {
                case "base64":
                case "bin":
                    var collection = new X509Certificate2Collection(chain);
                    var der = collection.Export(X509ContentType.Pkcs7)!;
                    var body = normalized == "bin" ? der : Encoding.ASCII.GetBytes(PemEncoding.WriteString("PKCS7", der) + "\n");
                    return (body, safeName + ".p7b");
                default:
                    var sb = new StringBuilder();
                    foreach (var c in chain)
                    {
                        sb.Append(PemEncoding.WriteString("CERTIFICATE", c.RawData)).Append('\n');
                    }

                    return (Encoding.ASCII.GetBytes(sb.ToString()), safeName + ".crt");
            }
        }
    }

    public string CreateKeystoreTicket(long id, string formatType, string? passphrase)
    {
        lock (_gate)
        {
            EnsureCurrent(Now);
            var order = Find(id);
            if (formatType is not ("key" or "p12" or "p12aes" or "pem"))
            {
                throw ScmApiException.BadRequest(-1450, $"Unsupported certificate format specified: {formatType}");
            }

            if (passphrase is not null && passphrase.Length > 32)
            {
                throw ScmApiException.InvalidField("passphrase");
            }

            if (order.ServerGeneratedKey is null)
            {
                throw ScmApiException.BadRequest(-3, "You are not authorized to perform keystore download: the key was not generated by SCM");
            }

            if (order.Status != OrderStatus.Issued)
            {
                throw ScmApiException.BadRequest(-183, "Certificate is not collectable.");
            }

            var token = _random.NextString(26, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
            _keystores[token] = new KeystoreTicket(order.Id, formatType, passphrase ?? order.KeystorePassphrase);
            return token;
        }
    }

    /// <summary>Redeems a one-time keystore link.</summary>
    public (byte[] Body, string FileName)? TakeKeystore(string token)
    {
        lock (_gate)
        {
            if (!_keystores.Remove(token, out var ticket) || !_orders.TryGetValue(ticket.OrderId, out var order)
                || order.ServerGeneratedKey is null || order.Certificate is null)
            {
                return null;
            }

            var password = ticket.Passphrase ?? "";
            var key = order.ServerGeneratedKey;
            var name = order.CommonName.Replace("*", "STAR", StringComparison.Ordinal).Replace('.', '_');
            switch (ticket.Format)
            {
                case "key":
                    return (Encoding.ASCII.GetBytes(ExportKeyPem(key, password)), name + ".key");
                case "pem":
                    var pem = PemEncoding.WriteString("CERTIFICATE", order.Certificate.RawData) + "\n" + ExportKeyPem(key, password);
                    return (Encoding.ASCII.GetBytes(pem), name + ".pem");
                default:
                    using (var withKey = key switch
                    {
                        RSA rsa => order.Certificate.CopyWithPrivateKey(rsa),
                        ECDsa ec => order.Certificate.CopyWithPrivateKey(ec),
                        _ => throw new InvalidOperationException("Unexpected key type."),
                    })
                    {
                        var collection = new X509Certificate2Collection { withKey, Ca.Intermediate, Ca.Root };
                        return (collection.Export(X509ContentType.Pkcs12, password)!, name + ".p12");
                    }
            }
        }
    }

    private static string ExportKeyPem(AsymmetricAlgorithm key, string password)
    {
        if (password.Length == 0)
        {
            return PemEncoding.WriteString("PRIVATE KEY", key.ExportPkcs8PrivateKey()) + "\n";
        }

        var parameters = new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 100_000);
        return PemEncoding.WriteString("ENCRYPTED PRIVATE KEY", key.ExportEncryptedPkcs8PrivateKey(password, parameters)) + "\n";
    }

    public byte[] ImportV2(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Array)
        {
            throw ScmApiException.ParseError();
        }

        var count = body.GetArrayLength();
        if (count is < 1 or > 128)
        {
            throw ScmApiException.BadRequest(-1601, "Field 'certificates' has invalid value: 1..128 items expected");
        }

        var items = new List<(long? OrgId, string? Cert, string? Comments, string? Owner, string? External, string? BackendId, List<KeyValuePair<string, string>>? Fields)>();
        foreach (var item in body.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object)
            {
                throw ScmApiException.ParseError();
            }

            items.Add((JsonBody.GetInt64(item, "orgID"), JsonBody.GetString(item, "cert"), JsonBody.GetString(item, "comments"),
                JsonBody.GetString(item, "owner"), JsonBody.GetString(item, "externalRequester"), JsonBody.GetString(item, "backendCertId"),
                JsonBody.GetNameValueArray(item, "customFields")));
            _ = JsonBody.GetString(item, "csr");
        }

        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var results = new List<ImportOutcome>();
            foreach (var item in items)
            {
                results.Add(ImportOne(item.OrgId, item.Cert, item.Comments, item.Owner, item.External, item.BackendId, item.Fields, now));
            }

            return ScmJson.Build(results, static (w, rs) =>
            {
                w.WriteStartArray();
                foreach (var r in rs)
                {
                    w.WriteStartObject();
                    if (r.Error is not null)
                    {
                        w.WriteBoolean("successful", false);
                        w.WriteString("errorMessage", r.Error);
                    }
                    else
                    {
                        w.WriteBoolean("successful", true);
                        if (r.BackendCertId is not null)
                        {
                            w.WriteString("backendCertId", r.BackendCertId);
                        }

                        w.WriteStartObject("cert");
                        w.WriteNumber("id", r.Id);
                        w.WriteString("subject", r.Subject);
                        w.WriteString("serialNumber", r.Serial);
                        w.WriteEndObject();
                        w.WriteBoolean("created", r.Created);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
            });
        }
    }

    private ImportOutcome ImportOne(long? orgId, string? cert, string? comments, string? owner, string? external, string? backendId, List<KeyValuePair<string, string>>? fields, DateTimeOffset now)
    {
        if (orgId is null)
        {
            return ImportOutcome.Failed("orgID is required but missing");
        }

        if (orgId < 1 || orgId > int.MaxValue || !_orgs.TryGetValue((int)orgId.Value, out var org))
        {
            return ImportOutcome.Failed($"Organization '{orgId}' not found");
        }

        if (string.IsNullOrEmpty(cert))
        {
            return ImportOutcome.Failed("cert is required but missing");
        }

        if ((comments?.Length ?? 0) > 1024 || (external?.Length ?? 0) > 512 || (owner?.Length ?? 0) > 128)
        {
            return ImportOutcome.Failed("Field has invalid value");
        }

        X509Certificate2 certificate;
        try
        {
            var text = cert.Trim();
            certificate = text.Contains("-----BEGIN", StringComparison.Ordinal)
                ? X509Certificate2.CreateFromPem(text)
                : CertificateLoading.FromDer(Convert.FromBase64String(text));
        }
        catch (Exception e) when (e is CryptographicException or FormatException or ArgumentException)
        {
            return ImportOutcome.Failed("Failed to parse certificate: Certificate is corrupted or subject basic constraint is not met");
        }

        List<KeyValuePair<string, string>> checkedFields;
        try
        {
            checkedFields = CheckCustomFields(fields, requireMandatory: false);
        }
        catch (ScmApiException e)
        {
            certificate.Dispose();
            return ImportOutcome.Failed(e.Description);
        }

        var plainSerial = certificate.SerialNumber.TrimStart('0');
        var subject = certificate.Subject;
        if (_bySerial.TryGetValue(plainSerial, out var existing))
        {
            certificate.Dispose();
            return new ImportOutcome(existing.Id, subject, plainSerial, existing.OrderNumber.ToString(System.Globalization.CultureInfo.InvariantCulture), false, null);
        }

        var order = NewOrder(now);
        order.Imported = true;
        order.RequestedVia = "Imported";
        order.Org = org;
        order.Profile = _importProfile;
        order.CommonName = CommonNameOf(certificate.SubjectName) ?? "";
        var sanNames = new List<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                sanNames.AddRange(san.EnumerateDnsNames());
                sanNames.AddRange(san.EnumerateIPAddresses().Select(ip => ip.ToString()));
            }
        }

        order.Names = order.CommonName.Length > 0 ? BuildNames(order.CommonName, sanNames) : sanNames;
        order.PublicKey = certificate.PublicKey;
        order.Key = KeyInfo.From(certificate.PublicKey);
        order.Certificate = certificate;
        order.Facts = new CertificateFacts(certificate, TestCertificateAuthority.FormatDn(certificate.IssuerName));
        order.Issued = new DateTimeOffset(certificate.NotBefore.ToUniversalTime(), TimeSpan.Zero);
        order.Expires = new DateTimeOffset(certificate.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        order.Term = Math.Max(1, (int)Math.Round((order.Expires.Value - order.Issued.Value).TotalDays));
        order.Status = order.Expires <= now ? OrderStatus.Expired : OrderStatus.Issued;
        order.Comments = comments ?? "";
        order.ExternalRequester = external;
        order.Requester = owner;
        order.CustomFields = checkedFields;
        if (!string.IsNullOrEmpty(backendId) && long.TryParse(backendId, out var number))
        {
            order.OrderNumber = number;
        }

        Store(order);
        _bySerial[plainSerial] = order;
        Schedule(order, now);
        return new ImportOutcome(order.Id, subject, plainSerial, backendId, true, null);
    }

    public byte[] ImportZip(int orgId, List<(string Name, byte[] Content)> files)
    {
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            if (!_orgs.ContainsKey(orgId))
            {
                throw ScmApiException.BadRequest(-1023, $"Organization '{orgId}' not found");
            }

            var processed = 0;
            var errors = new List<string>();
            foreach (var (name, content) in files)
            {
                var extension = Path.GetExtension(name).ToLowerInvariant();
                if (extension is not (".cer" or ".crt" or ".pem" or ".der"))
                {
                    errors.Add($"{name} - Unsupported file extension");
                    continue;
                }

                var text = Encoding.ASCII.GetString(content);
                var cert = text.Contains("-----BEGIN", StringComparison.Ordinal) ? text : Convert.ToBase64String(content);
                var outcome = ImportOne(orgId, cert, null, null, null, null, null, now);
                if (outcome.Error is not null)
                {
                    errors.Add($"{name} - {outcome.Error}");
                }
                else if (!outcome.Created)
                {
                    errors.Add($"[{name}] - SSL certificate already exists. Order number: N/A");
                }
                else
                {
                    processed++;
                }
            }

            return ScmJson.Build((processed, errors), static (w, s) =>
            {
                w.WriteStartObject();
                w.WriteNumber("processedCount", s.processed);
                ScmJson.WriteStrings(w, "errors", s.errors);
                w.WriteEndObject();
            });
        }
    }

    private sealed record ImportOutcome(long Id, string Subject, string Serial, string? BackendCertId, bool Created, string? Error)
    {
        public static ImportOutcome Failed(string message) => new(0, "", "", null, false, message);
    }
}

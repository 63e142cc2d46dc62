using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Scm.Testing.Internal;

internal sealed partial class SimulatorEngine
{
    public (long SslId, string RenewId) Enroll(JsonElement body)
    {
        // Read every field first: a wrong JSON type is -1002 before any semantic check, as SCM's binder does.
        var orgId = JsonBody.GetInt64(body, "orgId");
        var csr = JsonBody.GetString(body, "csr");
        var subjAltNames = JsonBody.GetString(body, "subjAltNames");
        var certType = JsonBody.GetInt64(body, "certType");
        var term = JsonBody.GetInt64(body, "term");
        var comments = JsonBody.GetString(body, "comments");
        var externalRequester = JsonBody.GetString(body, "externalRequester");
        var customFields = JsonBody.GetNameValueArray(body, "customFields");
        var dcvMode = JsonBody.GetString(body, "dcvMode");
        var dcvEmail = JsonBody.GetString(body, "dcvEmail");
        _ = JsonBody.GetInt64(body, "numberServers");
        _ = JsonBody.GetInt64(body, "serverType");

        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var org = CheckOrg(orgId);
            var profile = CheckProfile(certType, org, "certType");
            var validTerm = CheckTerm(term, profile);
            CheckOrganizationValidation(org, profile, now);
            if (csr is null)
            {
                throw ScmApiException.Missing("csr");
            }

            CheckLength(comments, 1024, "comments");
            CheckLength(externalRequester, 512, "externalRequester");
            var request = DecodeCsr(csr);
            var key = CheckKey(request.PublicKey, profile);
            var commonName = CommonNameOf(request.SubjectName) ?? throw ScmApiException.Missing("commonName");
            if (commonName.Length is < 1 or > 64)
            {
                throw ScmApiException.InvalidField("commonName");
            }

            var fields = CheckCustomFields(customFields, requireMandatory: true);
            CheckDcv(dcvMode, dcvEmail);
            var names = BuildNames(commonName, SplitSans(subjAltNames));
            CheckDomains(names, org);

            var order = NewOrder(now);
            order.Org = org;
            order.Profile = profile;
            order.Term = validTerm;
            order.CommonName = commonName;
            order.Names = names;
            order.CsrPem = csr;
            order.PublicKey = request.PublicKey;
            order.Key = key;
            order.Comments = comments ?? "";
            order.ExternalRequester = externalRequester;
            order.CustomFields = fields;
            order.DcvMode = dcvMode;
            order.DcvEmail = dcvEmail;
            Store(order);
            _counters.CountBillableOrder(order.Comments, null);
            Schedule(order, now);
            return (order.Id, order.RenewId);
        }
    }

    public (long SslId, string RenewId) EnrollKeygen(JsonElement body)
    {
        var orgId = JsonBody.GetInt64(body, "orgId");
        var commonName = JsonBody.GetString(body, "commonName");
        var subjAltNames = JsonBody.GetString(body, "subjAltNames");
        var certType = JsonBody.GetInt64(body, "certType");
        var term = JsonBody.GetInt64(body, "term");
        var comments = JsonBody.GetString(body, "comments");
        var externalRequester = JsonBody.GetString(body, "externalRequester");
        var customFields = JsonBody.GetNameValueArray(body, "customFields");
        var algorithm = JsonBody.GetString(body, "algorithm");
        var keyParam = JsonBody.GetString(body, "keyParam");
        var keySize = JsonBody.GetInt64(body, "keySize");
        var method = JsonBody.GetString(body, "keyGenerationMethod");
        var passPhrase = JsonBody.GetString(body, "passPhrase");
        var dcvMode = JsonBody.GetString(body, "dcvMode");
        var dcvEmail = JsonBody.GetString(body, "dcvEmail");
        var vault = JsonBody.GetObject(body, "azureKeyVault");
        long? vaultAccount = vault is { } v ? JsonBody.GetInt64(v, "azureAccountId") : null;
        var vaultKey = vault is { } v2 ? JsonBody.GetString(v2, "vaultKey") : null;
        _ = JsonBody.GetBoolean(body, "reuseKey");
        _ = JsonBody.GetBoolean(body, "exportableKey");
        _ = JsonBody.GetBoolean(body, "hsmOnly");

        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            if (string.IsNullOrEmpty(commonName))
            {
                throw ScmApiException.Missing("commonName");
            }

            if (commonName.Length > 64)
            {
                throw ScmApiException.InvalidField("commonName");
            }

            var org = CheckOrg(orgId);
            var profile = CheckProfile(certType, org, "certType");
            var validTerm = CheckTerm(term, profile);
            CheckOrganizationValidation(org, profile, now);
            CheckLength(comments, 1024, "comments");
            CheckLength(externalRequester, 512, "externalRequester");
            method ??= "PK_AGENT";
            if (method is not ("PK_AGENT" or "AZURE_KEY_VAULT"))
            {
                throw ScmApiException.InvalidField("keyGenerationMethod");
            }

            if (method == "AZURE_KEY_VAULT" && (vaultAccount is null || string.IsNullOrEmpty(vaultKey)))
            {
                throw ScmApiException.Missing("azureKeyVault");
            }

            if (passPhrase is not null && passPhrase.Length is < 8 or > 64)
            {
                throw ScmApiException.InvalidField("passPhrase");
            }

            algorithm ??= profile.KeyTypes.Length > 0 ? profile.KeyTypes[0].Key : "RSA";
            var allowed = profile.KeyParametersFor(algorithm) ?? throw ScmApiException.BadRequest(-11, "Unsupported key algorithm");
            var parameter = keyParam ?? keySize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? allowed.FirstOrDefault() ?? "";
            if (!allowed.Contains(parameter, StringComparer.OrdinalIgnoreCase))
            {
                throw ScmApiException.BadRequest(-13, "Unsupported key size");
            }

            var fields = CheckCustomFields(customFields, requireMandatory: true);
            CheckDcv(dcvMode, dcvEmail);
            var names = BuildNames(commonName, SplitSans(subjAltNames));
            CheckDomains(names, org);

            AsymmetricAlgorithm generated = algorithm.Equals("EC", StringComparison.OrdinalIgnoreCase)
                ? ECDsa.Create(parameter.ToUpperInvariant() switch
                {
                    "P-384" => ECCurve.NamedCurves.nistP384,
                    "P-521" => ECCurve.NamedCurves.nistP521,
                    _ => ECCurve.NamedCurves.nistP256,
                })
                : RSA.Create(int.Parse(parameter, System.Globalization.CultureInfo.InvariantCulture));
            var publicKey = generated switch
            {
                RSA rsa => new CertificateRequest("CN=x", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1).PublicKey,
                ECDsa ec => new CertificateRequest("CN=x", ec, HashAlgorithmName.SHA256).PublicKey,
                _ => throw new InvalidOperationException("Unexpected key type."),
            };

            var order = NewOrder(now);
            order.Org = org;
            order.Profile = profile;
            order.Term = validTerm;
            order.CommonName = commonName;
            order.Names = names;
            order.PublicKey = publicKey;
            order.Key = KeyInfo.From(publicKey);
            order.ServerGeneratedKey = generated;
            order.KeystorePassphrase = passPhrase;
            order.Comments = comments ?? "";
            order.ExternalRequester = externalRequester;
            order.CustomFields = fields;
            order.DcvMode = dcvMode;
            order.DcvEmail = dcvEmail;
            Store(order);
            _counters.CountBillableOrder(order.Comments, null);
            Schedule(order, now);
            return (order.Id, order.RenewId);
        }
    }

    public byte[] GetDetailsJson(long id)
    {
        lock (_gate)
        {
            EnsureCurrent(Now);
            var order = Find(id);
            if (order.DetailsCacheVersion != order.Version || order.DetailsCache is null)
            {
                order.DetailsCache = ScmJson.Details(order, Admin);
                order.DetailsCacheVersion = order.Version;
            }

            return order.DetailsCache;
        }
    }

    public (long Total, byte[] Body) List(SslFilter filter, int position, int size)
    {
        lock (_gate)
        {
            EnsureCurrent(Now);
            var matches = new List<OrderRecord>();
            foreach (var order in _all)
            {
                if (filter.Matches(order))
                {
                    matches.Add(order);
                }
            }

            var page = matches.Skip(position).Take(size).ToList();
            var body = ScmJson.Build(page, static (w, rows) =>
            {
                w.WriteStartArray();
                foreach (var row in rows)
                {
                    ScmJson.WriteListRow(w, row);
                }

                w.WriteEndArray();
            });
            return (matches.Count, body);
        }
    }

    public void Approve(long id, string? message)
    {
        CheckMessage(message);
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var order = Find(id);
            if (order.Status != OrderStatus.Requested)
            {
                throw ScmApiException.BadRequest(-1112, $"Certificate can't be approved cause it has state = {order.Status}");
            }

            order.Status = OrderStatus.Approved;
            order.Approved = now;
            order.StageEntered = now;
            order.Touch();
            Schedule(order, now);
        }
    }

    public void Decline(long id, string? message)
    {
        CheckMessage(message);
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var order = Find(id);
            if (order.Status != OrderStatus.Requested)
            {
                throw ScmApiException.BadRequest(-1112, $"Certificate can't be declined cause it has state = {order.Status}");
            }

            order.Status = OrderStatus.Declined;
            order.Declined = now;
            order.StatusReason = message;
            order.Touch();
        }
    }

    /// <summary>The CA rejects (Rejected) or processing fails (Invalid) for an order not yet issued.</summary>
    public void Fail(long id, string status, string? reason)
    {
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var order = Find(id);
            if (order.Status is not (OrderStatus.Requested or OrderStatus.Approved or OrderStatus.Applied))
            {
                throw ScmApiException.BadRequest(-1113, $"Certificate {id} can't be set to {status}; state is {order.Status}");
            }

            order.Status = status;
            order.StatusReason = reason;
            order.Touch();
        }
    }

    /// <summary>Issues a pending order now (skipping the remaining stage delays and any approval).</summary>
    public void IssueNow(long id)
    {
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var order = Find(id);
            if (order.Status is not (OrderStatus.Requested or OrderStatus.Approved or OrderStatus.Applied))
            {
                throw ScmApiException.BadRequest(-1113, $"Certificate {id} is not pending; state is {order.Status}");
            }

            order.Approved ??= now;
            IssueCertificate(order, now);
            Schedule(order, now);
        }
    }

    public void Revoke(long id, JsonElement? body)
    {
        var (reasonCode, _) = ReadRevocation(body, requireReason: true);
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            RevokeOrder(Find(id), reasonCode, now);
        }
    }

    public void RevokeBySerial(string serial, JsonElement? body)
    {
        var (reasonCode, _) = ReadRevocation(body, requireReason: true);
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            if (!_bySerial.TryGetValue(StripColons(serial), out var order))
            {
                throw new ScmApiException(404, -5101, $"Certificate not found. {serial}");
            }

            RevokeOrder(order, reasonCode, now);
        }
    }

    public void RevokeManual(JsonElement body)
    {
        var certId = JsonBody.GetInt64(body, "certId");
        var serial = JsonBody.GetString(body, "serialNumber");
        var issuer = JsonBody.GetString(body, "issuer");
        var revokeDate = JsonBody.GetString(body, "revokeDate");
        var (reasonCode, _) = ReadRevocation(body, requireReason: false);
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            OrderRecord? order;
            if (certId is { } idValue)
            {
                order = Find(idValue);
            }
            else if (!string.IsNullOrEmpty(serial))
            {
                if (string.IsNullOrEmpty(issuer))
                {
                    throw ScmApiException.Missing("issuer");
                }

                if (!_bySerial.TryGetValue(StripColons(serial), out order))
                {
                    throw new ScmApiException(404, -5101, $"Certificate not found. {serial}");
                }
            }
            else
            {
                throw ScmApiException.BadRequest(-951, "At least one of fields certId, serialNumber must be filled");
            }

            var at = now;
            if (!string.IsNullOrEmpty(revokeDate))
            {
                if (!DateTimeOffset.TryParse(revokeDate, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out at))
                {
                    throw ScmApiException.InvalidField("revokeDate");
                }
            }

            RevokeOrder(order, reasonCode, at);
        }
    }

    private void RevokeOrder(OrderRecord order, int reasonCode, DateTimeOffset at)
    {
        if (order.Status == OrderStatus.Revoked)
        {
            throw ScmApiException.BadRequest(-159, "Your certificate already revoked");
        }

        if (order.Status != OrderStatus.Issued)
        {
            throw ScmApiException.BadRequest(-102, "Only issued certificates could be revoked.");
        }

        order.Status = OrderStatus.Revoked;
        order.Revoked = at;
        order.ReasonCode = reasonCode;
        order.Touch();
    }

    private static (int ReasonCode, string? Reason) ReadRevocation(JsonElement? body, bool requireReason)
    {
        if (body is not { } obj)
        {
            if (requireReason)
            {
                throw ScmApiException.Missing("reason");
            }

            return (0, null);
        }

        var reason = JsonBody.GetString(obj, "reason");
        var code = JsonBody.GetInt64(obj, "reasonCode") ?? 0;
        if (requireReason && string.IsNullOrEmpty(reason))
        {
            throw ScmApiException.Missing("reason");
        }

        if (reason is not null && reason.Length > 512)
        {
            throw ScmApiException.InvalidField("reason");
        }

        if (code is not (0 or 1 or 3 or 4 or 5))
        {
            throw ScmApiException.InvalidField("reasonCode");
        }

        return ((int)code, reason);
    }

    private static void CheckMessage(string? message)
    {
        if (message is not null && message.Length > 512)
        {
            throw ScmApiException.InvalidField("message");
        }
    }

    public long RenewById(long id, JsonElement? body)
    {
        var (csr, dcvMode, dcvEmail) = ReadRenewBody(body);
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var original = Find(id);
            return RenewChecked(original, csr, dcvMode, dcvEmail, now).Id;
        }
    }

    public void RenewByRenewId(string renewId, JsonElement? body)
    {
        var (csr, dcvMode, dcvEmail) = ReadRenewBody(body);
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            if (!_byRenewId.TryGetValue(renewId, out var original))
            {
                throw ScmApiException.BadRequest(-123, "SSL Certificate to renew is invalid (null)");
            }

            RenewChecked(original, csr, dcvMode, dcvEmail, now);
        }
    }

    private static (string? Csr, string? DcvMode, string? DcvEmail) ReadRenewBody(JsonElement? body)
        => body is { } obj
            ? (JsonBody.GetString(obj, "csr"), JsonBody.GetString(obj, "dcvMode"), JsonBody.GetString(obj, "dcvEmail"))
            : (null, null, null);

    private OrderRecord RenewChecked(OrderRecord original, string? csr, string? dcvMode, string? dcvEmail, DateTimeOffset now)
    {
        if (!original.Profile.AllowsRenewal)
        {
            throw ScmApiException.BadRequest(-180, "This SSL Certificate Profile doesn't allow renew");
        }

        if (original.Status is not (OrderStatus.Issued or OrderStatus.Expired or OrderStatus.Revoked))
        {
            throw ScmApiException.BadRequest(-105, $"Error was occurred while renewing cert. Status = {original.Status}");
        }

        CheckDcv(dcvMode, dcvEmail);
        PublicKey? key = null;
        KeyInfo? keyInfo = null;
        if (!string.IsNullOrEmpty(csr))
        {
            var request = DecodeCsr(csr);
            keyInfo = CheckKey(request.PublicKey, original.Profile);
            key = request.PublicKey;
        }

        CheckOrganizationValidation(original.Org, original.Profile, now);
        CheckDomains(original.Names, original.Org);
        var renewal = CreateRenewal(original, key, keyInfo, now);
        if (!string.IsNullOrEmpty(csr))
        {
            renewal.CsrPem = csr;
        }

        renewal.DcvMode = dcvMode ?? original.DcvMode;
        renewal.DcvEmail = dcvEmail ?? original.DcvEmail;
        return renewal;
    }

    private OrderRecord CreateRenewal(OrderRecord original, PublicKey? key, KeyInfo? keyInfo, DateTimeOffset at)
    {
        var renewal = NewOrder(at);
        renewal.Org = original.Org;
        renewal.Profile = original.Profile;
        renewal.Term = original.Term;
        renewal.CommonName = original.CommonName;
        renewal.Names = [.. original.Names];
        renewal.CsrPem = original.CsrPem;
        renewal.PublicKey = key ?? original.PublicKey;
        renewal.Key = keyInfo ?? original.Key;
        renewal.ServerGeneratedKey = key is null && original.ServerGeneratedKey is not null ? CloneKey(original.ServerGeneratedKey) : null;
        renewal.KeystorePassphrase = original.KeystorePassphrase;
        renewal.Comments = original.Comments;
        renewal.ExternalRequester = original.ExternalRequester;
        renewal.Requester = original.Requester;
        renewal.CustomFields = [.. original.CustomFields];
        renewal.RenewedFrom = original.Id;
        original.Renewed = true;
        original.RenewedDate = at;
        original.Touch();
        Store(renewal);
        _counters.CountBillableOrder(renewal.Comments, original.Id);
        Schedule(renewal, at);
        return renewal;
    }

    private static AsymmetricAlgorithm CloneKey(AsymmetricAlgorithm key)
    {
        switch (key)
        {
            case RSA rsa:
                var rsaCopy = RSA.Create();
                rsaCopy.ImportParameters(rsa.ExportParameters(true));
                return rsaCopy;
            case ECDsa ec:
                var ecCopy = ECDsa.Create();
                ecCopy.ImportParameters(ec.ExportParameters(true));
                return ecCopy;
            default:
                throw new InvalidOperationException("Unexpected key type.");
        }
    }

    public void RenewManual(long id, JsonElement? body)
    {
        long? linked = null;
        string? orderNumber = null;
        if (body is { } obj)
        {
            linked = JsonBody.GetInt64(obj, "id");
            orderNumber = JsonBody.GetString(obj, "orderNumber");
            CheckDcv(JsonBody.GetString(obj, "dcvMode"), JsonBody.GetString(obj, "dcvEmail"));
        }

        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var order = Find(id);
            if (linked is null && string.IsNullOrEmpty(orderNumber))
            {
                throw ScmApiException.BadRequest(-951, "At least one of fields id, orderNumber must be filled");
            }

            if (linked is { } other && !_orders.ContainsKey(other))
            {
                throw ScmApiException.SslNotFound(other);
            }

            order.Renewed = true;
            order.RenewedDate = now;
            order.Touch();
        }
    }

    public void Replace(long id, JsonElement body)
    {
        var csr = JsonBody.GetString(body, "csr");
        var reason = JsonBody.GetString(body, "reason");
        var commonName = JsonBody.GetString(body, "commonName");
        var sans = JsonBody.GetStringArray(body, "subjectAlternativeNames");
        var dcvMode = JsonBody.GetString(body, "dcvMode");
        var dcvEmail = JsonBody.GetString(body, "dcvEmail");
        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var order = Find(id);
            if (string.IsNullOrEmpty(csr))
            {
                throw ScmApiException.Missing("csr");
            }

            if (string.IsNullOrEmpty(reason))
            {
                throw ScmApiException.Missing("reason");
            }

            CheckLength(reason, 512, "reason");
            if (commonName is not null && commonName.Length is < 1 or > 64)
            {
                throw ScmApiException.InvalidField("commonName");
            }

            CheckDcv(dcvMode, dcvEmail);
            if (order.Status != OrderStatus.Issued)
            {
                throw ScmApiException.BadRequest(-130, $"SSL state is not 'ISSUED': {order.Status}");
            }

            var request = DecodeCsr(csr);
            var key = CheckKey(request.PublicKey, order.Profile);
            var cn = commonName ?? CommonNameOf(request.SubjectName) ?? order.CommonName;
            var names = BuildNames(cn, sans ?? order.Names.Skip(1));
            CheckDomains(names, order.Org);

            order.CommonName = cn;
            order.Names = names;
            order.CsrPem = csr;
            order.PublicKey = request.PublicKey;
            order.Key = key;
            order.ReplacedDate = now;
            if (order.Serial is { } oldSerial)
            {
                _bySerial.Remove(StripColons(oldSerial));
            }

            order.Certificate?.Dispose();
            order.Certificate = null;
            order.Facts = null;
            order.Issued = null;
            order.Expires = null;
            order.Status = OrderStatus.Requested;
            order.StageEntered = now;
            order.DcvMode = dcvMode ?? order.DcvMode;
            order.DcvEmail = dcvEmail ?? order.DcvEmail;
            order.Touch();
            Schedule(order, now);
        }
    }

    public byte[] Update(JsonElement body)
    {
        var sslId = JsonBody.GetInt64(body, "sslId");
        var term = JsonBody.GetInt64(body, "term");
        var certTypeId = JsonBody.GetInt64(body, "certTypeId");
        var orgId = JsonBody.GetInt64(body, "orgId");
        var commonName = JsonBody.GetString(body, "commonName");
        var csr = JsonBody.GetString(body, "csr");
        var sans = JsonBody.GetStringArray(body, "subjectAlternativeNames");
        var externalRequester = JsonBody.GetString(body, "externalRequester");
        var comments = JsonBody.GetString(body, "comments");
        var customFields = JsonBody.GetNameValueArray(body, "customFields");
        var autoRenew = JsonBody.GetObject(body, "autoRenewDetails");
        string? autoState = null;
        long? autoDays = null;
        if (autoRenew is { } ar)
        {
            autoState = JsonBody.GetString(ar, "state");
            autoDays = JsonBody.GetInt64(ar, "daysBeforeExpiration");
        }

        var suspend = JsonBody.GetBoolean(body, "suspendNotifications");
        var requester = JsonBody.GetString(body, "requester");
        _ = JsonBody.GetInt64(body, "requesterAdminId");
        var approver = JsonBody.GetInt64(body, "approverAdminId");
        _ = JsonBody.GetString(body, "serverSoftware");
        if (sslId is null)
        {
            throw ScmApiException.Missing("sslId");
        }

        lock (_gate)
        {
            var now = Now;
            EnsureCurrent(now);
            var order = Find(sslId.Value);
            var editable = order.Status is OrderStatus.Requested or OrderStatus.Declined or OrderStatus.Rejected or OrderStatus.Invalid;
            foreach (var (name, present) in new[]
            {
                ("term", term is not null), ("certTypeId", certTypeId is not null), ("orgId", orgId is not null),
                ("commonName", commonName is not null), ("csr", csr is not null), ("subjectAlternativeNames", sans is not null),
            })
            {
                if (present && !editable)
                {
                    throw ScmApiException.BadRequest(-1601, $"Field '{name}' can't be changed while the certificate state is {order.Status}");
                }
            }

            CheckLength(comments, 1024, "comments");
            CheckLength(externalRequester, 512, "externalRequester");
            if (approver is < -1)
            {
                throw ScmApiException.InvalidField("approverAdminId");
            }

            var org = orgId is not null ? CheckOrg(orgId) : order.Org;
            var profile = certTypeId is not null ? CheckProfile(certTypeId, org, "certTypeId") : order.Profile;
            var newTerm = term is not null || certTypeId is not null ? CheckTerm(term ?? order.Term, profile) : order.Term;
            CertificateRequest? request = null;
            KeyInfo? key = null;
            if (csr is not null)
            {
                request = DecodeCsr(csr);
                key = CheckKey(request.PublicKey, profile);
            }

            if (commonName is not null && commonName.Length is < 1 or > 64)
            {
                throw ScmApiException.InvalidField("commonName");
            }

            var fields = customFields is not null ? CheckCustomFields(customFields, requireMandatory: false) : null;
            string? newAutoState = null;
            if (autoState is not null || autoDays is not null)
            {
                newAutoState = autoState ?? order.AutoRenewState;
                if (newAutoState is not ("Not scheduled" or "Scheduled"))
                {
                    throw ScmApiException.InvalidField("autoRenewDetails.state");
                }

                if (autoDays is < 1 or > 3650)
                {
                    throw ScmApiException.InvalidField("autoRenewDetails.daysBeforeExpiration");
                }
            }

            var cn = commonName ?? (request is not null ? CommonNameOf(request.SubjectName) : null) ?? order.CommonName;
            if (commonName is not null || sans is not null || csr is not null || orgId is not null)
            {
                var names = BuildNames(cn, sans ?? order.Names.Skip(1));
                CheckDomains(names, org);
                order.Names = names;
                order.CommonName = cn;
            }

            order.Org = org;
            order.Profile = profile;
            order.Term = newTerm;
            if (request is not null)
            {
                order.CsrPem = csr;
                order.PublicKey = request.PublicKey;
                order.Key = key;
            }

            if (comments is not null)
            {
                order.Comments = comments;
            }

            if (externalRequester is not null)
            {
                order.ExternalRequester = externalRequester;
            }

            if (requester is not null)
            {
                order.Requester = requester;
            }

            if (fields is not null)
            {
                order.CustomFields = fields;
            }

            if (suspend is { } s)
            {
                order.SuspendNotifications = s;
            }

            if (newAutoState is not null)
            {
                order.AutoRenewState = newAutoState;
                order.AutoRenewDays = (int)(autoDays ?? 30);
            }

            order.Touch();
            Schedule(order, now);
            return ScmJson.Details(order, Admin);
        }
    }

    public void Delete(long id)
    {
        lock (_gate)
        {
            EnsureCurrent(Now);
            var order = Find(id);
            if (!order.Imported)
            {
                throw ScmApiException.BadRequest(-3, "You are not authorized to perform delete: only imported or discovered certificates can be deleted");
            }

            _orders.Remove(id);
            _all.Remove(order);
            _byRenewId.Remove(order.RenewId);
            if (order.Serial is { } serial)
            {
                _bySerial.Remove(StripColons(serial));
            }

            order.Certificate?.Dispose();
        }
    }
}

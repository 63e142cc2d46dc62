using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using Scm.Client.Internal;
using Scm.Client.Internal.Wire;

namespace Scm.Client;

/// <summary>SSL certificate operations (<c>/ssl/v1</c>). Reached through <see cref="ScmClient.Ssl"/>.</summary>
/// <remarks>
/// Arguments are checked before anything is sent. GET/HEAD calls are retried on transient failures; POST, PUT and DELETE
/// are sent exactly once (SCM has no idempotency key), so after an <see cref="ScmTransportException"/> or a 5xx the
/// outcome of a POST is unknown and must be reconciled, not blindly repeated.
/// </remarks>
public sealed class SslCertificatesClient
{
    private readonly ScmTransport _transport;

    internal SslCertificatesClient(ScmTransport transport) => _transport = transport;

    private string V => _transport.SslVersion;

    private ScmApiVersion Api => _transport.Options.ApiVersion;

    /// <summary>
    /// Lists certificates lazily, page by page (<c>position</c>/<c>size</c>). When SCM sends <c>X-Total-Count</c> the walk
    /// goes on until that many rows were received, even past a page shorter than asked; without it a short page ends the walk.
    /// </summary>
    /// <param name="filter">Optional filters.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The matching certificates; empty when none.</returns>
    public IAsyncEnumerable<SslCertificateSummary> ListAsync(SslListFilter? filter = null, CancellationToken cancellationToken = default) =>
        ScmPaging.WalkAsync(_transport.Options.PageSize, (position, size, ct) => ListPageAsync(filter, position, size, ct), cancellationToken);

    /// <summary>Gets one page of the certificate list with SCM's total count.</summary>
    /// <param name="filter">Optional filters.</param>
    /// <param name="position">0-based offset of the first row.</param>
    /// <param name="size">Rows per page, 1..200.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page.</returns>
    public Task<ScmPage<SslCertificateSummary>> ListPageAsync(SslListFilter? filter, int position, int size, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(position);
        if (size is < 1 or > 200)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "size must be 1..200; got " + size.ToString(CultureInfo.InvariantCulture) + ".");
        }

        ValidateFilter(filter);
        var query = new QueryBuilder().Add("size", size).Add("position", position);
        AddFilter(query, filter);
        var uri = ScmOperations.SslList.Format(V) + query;
        return _transport.SendAsync(ScmOperations.SslList, uri, null, (position, size), static async (r, s, ct) =>
        {
            await r.EnsureSuccessAsync(ct).ConfigureAwait(false);
            var total = ParseTotal(r, required: false);
            var items = await r.ReadJsonAsync(ScmJsonContext.Default.IReadOnlyListSslCertificateSummary, ct).ConfigureAwait(false);
            return new ScmPage<SslCertificateSummary>(items, s.position, s.size, total);
        }, cancellationToken);
    }

    /// <summary>Counts matching certificates with <c>HEAD /ssl/v1</c> (the <c>X-Total-Count</c> header).</summary>
    /// <param name="filter">Optional filters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The count.</returns>
    public Task<int> CountAsync(SslListFilter? filter = null, CancellationToken cancellationToken = default)
    {
        ValidateFilter(filter);
        var query = new QueryBuilder();
        AddFilter(query, filter);
        var uri = ScmOperations.SslCount.Format(V) + query;
        return _transport.SendAsync(ScmOperations.SslCount, uri, null, 0, static async (r, _, ct) =>
        {
            await r.EnsureSuccessAsync(ct).ConfigureAwait(false);
            return ParseTotal(r, required: true)!.Value;
        }, cancellationToken);
    }

    /// <summary>Gets a certificate's details.</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The details.</returns>
    public Task<SslCertificateDetails> GetAsync(long sslId, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        return _transport.SendAsync(ScmOperations.SslGet, ScmOperations.SslGet.Format(V, Id(sslId)), null, 0, static (r, _, ct) => ReadDetailsAsync(r, ct), cancellationToken);
    }

    /// <summary>Requests a certificate for a CSR (<c>POST /ssl/v1/enroll</c>). Sent once, never retried.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call (the order may still be created).</param>
    /// <returns>The new sslId and renewId.</returns>
    public Task<SslEnrollResult> EnrollAsync(SslEnrollRequest request, CancellationToken cancellationToken = default)
    {
        var wire = ToWire(request, Api);
        return _transport.SendAsync(ScmOperations.SslEnroll, ScmOperations.SslEnroll.Format(V), ScmTransport.JsonBody(wire, ScmJsonContext.Default.EnrollWire), 0, static (r, _, ct) => ReadEnrollResultAsync(r, ct), cancellationToken);
    }

    internal static EnrollWire ToWire(SslEnrollRequest request, ScmApiVersion version = ScmApiVersion.Rest25_5)
    {
        ArgumentNullException.ThrowIfNull(request);
        Guard.Positive(request.OrganizationId, "request.OrganizationId");
        Guard.Positive(request.ProfileId, "request.ProfileId");
        Guard.Positive(request.Term, "request.Term");
        Guard.Csr(request.Csr, "request.Csr");
        Guard.SubjectAlternativeNames(request.SubjectAlternativeNames, "request.SubjectAlternativeNames", commaSeparatedOnWire: true);
        Guard.Comments(request.Comments, "request.Comments");
        Guard.ExternalRequester(request.ExternalRequester, "request.ExternalRequester");
        Guard.CustomFields(request.CustomFields, "request.CustomFields");
        var dcvMode = Guard.Dcv(version, request.DcvMode, request.DcvEmail, "request.DcvMode", "request.DcvEmail");
        return new EnrollWire
        {
            OrgId = request.OrganizationId,
            Csr = request.Csr,
            SubjAltNames = JoinSans(request.SubjectAlternativeNames),
            CertType = request.ProfileId,
            Term = request.Term,
            Comments = request.Comments,
            ExternalRequester = request.ExternalRequester,
            CustomFields = request.CustomFields,
            DcvMode = dcvMode,
            DcvEmail = request.DcvEmail,
        };
    }

    /// <summary>Requests a certificate whose key SCM generates (<c>POST /ssl/v1/enroll-keygen</c>). Sent once, never retried.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new sslId and renewId.</returns>
    public Task<SslEnrollResult> EnrollWithKeyGenerationAsync(SslKeyGenerationEnrollRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Guard.Positive(request.OrganizationId, "request.OrganizationId");
        Guard.Positive(request.ProfileId, "request.ProfileId");
        Guard.Positive(request.Term, "request.Term");
        Guard.CommonName(request.CommonName, "request.CommonName", required: true);
        Guard.SubjectAlternativeNames(request.SubjectAlternativeNames, "request.SubjectAlternativeNames", commaSeparatedOnWire: true);
        Guard.Comments(request.Comments, "request.Comments");
        Guard.ExternalRequester(request.ExternalRequester, "request.ExternalRequester");
        Guard.CustomFields(request.CustomFields, "request.CustomFields");
        var dcvMode = Guard.Dcv(Api, request.DcvMode, request.DcvEmail, "request.DcvMode", "request.DcvEmail");
        var algorithm = request.Algorithm is null ? null : ScmVocabulary.Wire(Api, ScmVocabulary.KeyAlgorithm, request.Algorithm, "request.Algorithm");
        var method = request.KeyGenerationMethod is { } m ? ScmVocabulary.Wire(Api, ScmVocabulary.KeyGenerationMethod, m.Value, "request.KeyGenerationMethod") : null;
        if (request.PassPhrase is { } p && (p.Length < 8 || p.Length > 64))
        {
            throw new ArgumentException("request.PassPhrase must be 8..64 characters.", nameof(request));
        }

        if (request.AzureKeyVault is { } akv)
        {
            Guard.Positive(akv.AzureAccountId, "request.AzureKeyVault.AzureAccountId");
            Guard.Length(akv.VaultKey, 1, 2048, "request.AzureKeyVault.VaultKey");
        }

        var wire = new EnrollKeyGenerationWire
        {
            OrgId = request.OrganizationId,
            CommonName = request.CommonName,
            SubjAltNames = JoinSans(request.SubjectAlternativeNames),
            CertType = request.ProfileId,
            Term = request.Term,
            Comments = request.Comments,
            ExternalRequester = request.ExternalRequester,
            CustomFields = request.CustomFields,
            DcvMode = dcvMode,
            DcvEmail = request.DcvEmail,
            Algorithm = algorithm,
            KeyParam = request.KeyParameter,
            KeyGenerationMethod = method,
            PassPhrase = request.PassPhrase,
            AzureKeyVault = request.AzureKeyVault is { } a ? new AzureKeyVaultWire { AzureAccountId = a.AzureAccountId, VaultKey = a.VaultKey } : null,
            ReuseKey = request.ReuseKey,
            ExportableKey = request.ExportableKey,
            HsmOnly = request.HsmOnly,
        };
        return _transport.SendAsync(ScmOperations.SslEnrollKeyGeneration, ScmOperations.SslEnrollKeyGeneration.Format(V), ScmTransport.JsonBody(wire, ScmJsonContext.Default.EnrollKeyGenerationWire), 0, static (r, _, ct) => ReadEnrollResultAsync(r, ct), cancellationToken);
    }

    // Read by the hand-written reader into the settable wire DTO, then mapped once (see IScmWire and SslDetailsWireReader).
    private static async ValueTask<SslCertificateDetails> ReadDetailsAsync(ScmResponse r, CancellationToken ct) =>
        (await r.EnsureSuccessThenReadAsync(SslDetailsWireReader.TypeInfo, ct).ConfigureAwait(false)).ToModel();

    private static async ValueTask<SslEnrollResult> ReadEnrollResultAsync(ScmResponse r, CancellationToken ct)
    {
        var body = await r.EnsureSuccessThenReadAsync(ScmJsonContext.Default.EnrollResponseWire, ct).ConfigureAwait(false);
        if (body.SslId <= 0)
        {
            throw r.Protocol("sslId in the enroll response is not a positive number");
        }

        return new SslEnrollResult(body.SslId, body.RenewId);
    }

    /// <summary>Downloads an issued certificate. "Not issued yet" is a result (<see cref="SslCollectResult.IsIssued"/> false), not an exception.</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="format">One of the ten documented formats; anything else is rejected before sending.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The certificate(s) with the leaf and chain, or the not-ready outcome.</returns>
    public Task<SslCollectResult> CollectAsync(long sslId, SslCollectFormat format, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        var canonical = format.Canonical
            ?? throw new ArgumentException("format must be one of x509, x509CO, base64, bin, x509IO, x509IOR, pem, pemco, pemia, x509R; got '" + format.Value + "'.", nameof(format));
        var legacy = _transport.Options.UseLegacyCollectPath;
        var op = legacy ? ScmOperations.SslCollectLegacy : ScmOperations.SslCollect;
        var uri = legacy
            ? op.Format(V, Id(sslId), canonical)
            : op.Format(V, Id(sslId)) + "?format=" + canonical;
        return _transport.SendAsync(op, uri, null, (sslId, format: new SslCollectFormat(canonical)), static async (r, s, ct) =>
        {
            var message = r.Message;
            var transport = r.Transport;
            if (message.StatusCode == HttpStatusCode.BadRequest)
            {
                var error = await ScmErrorBody.ReadAsync(message, ct).ConfigureAwait(false);
                if (error.Code is { } c && ScmErrorCodes.IsNotReady(c))
                {
                    Log.CollectNotReady(transport.Logger, s.sslId, c);
                    transport.Telemetry.CollectNotReady.Add(1, new KeyValuePair<string, object?>("scm.error_code", c));
                    return SslCollectResult.NotReady(s.format, c, transport.Sanitize(error.Description));
                }

                throw new ScmRequestException(400, error.Code, transport.Sanitize(error.Description) ?? "BadRequest (the response had no SCM error body)",
                    transport.Sanitize(error.Details), transport.SanitizeAll(error.Items), r.Operation.Method, r.Uri.AbsolutePath);
            }

            await r.EnsureSuccessAsync(ct).ConfigureAwait(false);
            byte[] bytes;
            try
            {
                bytes = await ScmTransport.ReadBytesAsync(message.Content, transport.Options.MaxCollectResponseBytes, ct).ConfigureAwait(false);
            }
            catch (ResponseTooLargeException ex)
            {
                throw r.Protocol("the certificate download exceeds the " + transport.Options.MaxCollectResponseBytes.ToString(CultureInfo.InvariantCulture) + "-byte limit", ex);
            }

            if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
            {
                Log.CollectNotReady(transport.Logger, s.sslId, null);
                transport.Telemetry.CollectNotReady.Add(1, new KeyValuePair<string, object?>("scm.error_code", "empty"));
                return SslCollectResult.NotReady(s.format, null, "Empty response body");
            }

            System.Security.Cryptography.X509Certificates.X509Certificate2Collection certificates;
            try
            {
                certificates = CertificateBundle.Parse(bytes);
            }
            catch (Exception ex) when (ex is CryptographicException or FormatException or System.Formats.Asn1.AsnContentException or ArgumentException)
            {
                throw r.Protocol("the body is not a certificate, PEM bundle or PKCS#7 structure", ex);
            }

            if (certificates.Count == 0)
            {
                throw r.Protocol("the body contains no certificate");
            }

            return SslCollectResult.Issued(s.format, bytes, certificates);
        }, cancellationToken);
    }

    /// <summary>
    /// Gets a one-time link to download the private key or keystore that SCM's Private Key Agent generated for a
    /// certificate enrolled with <see cref="EnrollWithKeyGenerationAsync"/> (<c>/ssl/v1/keystore/{sslId}/{formatType}</c>).
    /// The REST API 25.5 documents it as a GET without a body; the Admin API 25.9 as a POST whose body may carry a
    /// <paramref name="passphrase"/> (<see cref="ScmClientOptions.ApiVersion"/> decides). Each call creates a new link.
    /// </summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="format">What to download.</param>
    /// <param name="passphrase">
    /// A pass phrase for the keystore (at most 32 characters; Admin API 25.9 only: the 25.5 GET has no body, so the pass
    /// phrase given at enroll protects the download). Never logged or shown.
    /// </param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The link; fetch it with a plain HTTP client, without SCM credentials.</returns>
    /// <exception cref="ArgumentException">The format is not one of <c>key</c>, <c>p12</c>, <c>p12aes</c>, <c>jks</c>, <c>pem</c>, the pass phrase is too long, or a pass phrase was given under the REST API 25.5.</exception>
    public Task<SslKeystoreLink> GetKeystoreLinkAsync(long sslId, SslKeystoreFormat format, string? passphrase = null, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        var api = Api;
        var formatType = ScmVocabulary.Wire(api, ScmVocabulary.KeystoreFormat, format.Value, nameof(format));
        if (passphrase is not null)
        {
            if (api != ScmApiVersion.Admin25_9)
            {
                throw new ArgumentException("passphrase is sent only by the Admin API 25.9 keystore call (a POST body); under " + ScmVocabulary.Describe(api)
                    + " the call is a GET without a body and the pass phrase given at enroll protects the download.", nameof(passphrase));
            }

            if (passphrase.Length > 32)
            {
                throw new ArgumentException("passphrase must be at most 32 characters; got " + passphrase.Length.ToString(CultureInfo.InvariantCulture) + ".", nameof(passphrase));
            }
        }

        var op = api == ScmApiVersion.Admin25_9 ? ScmOperations.SslKeystoreAdmin : ScmOperations.SslKeystoreRest;
        var content = op == ScmOperations.SslKeystoreAdmin ? ScmTransport.JsonBody(new KeystoreRequestWire { Passphrase = passphrase }, ScmJsonContext.Default.KeystoreRequestWire) : null;
        return _transport.SendAsync(op, op.Format(V, Id(sslId), formatType), content, (sslId, format: new SslKeystoreFormat(formatType)), static async (r, s, ct) =>
        {
            var body = await r.EnsureSuccessThenReadAsync(ScmJsonContext.Default.KeystoreLinkWire, ct).ConfigureAwait(false);
            return string.IsNullOrWhiteSpace(body.Link)
                ? throw r.Protocol("the keystore answer has no link")
                : new SslKeystoreLink(s.sslId, s.format, body.Link);
        }, cancellationToken);
    }

    /// <summary>Approves a pending request (<c>POST /ssl/v1/approve/{sslId}</c>).</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="message">The approval message, 1..512 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes on 204.</returns>
    public Task ApproveAsync(long sslId, string message, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        Guard.Message(message, nameof(message));
        return _transport.SendNoContentAsync(ScmOperations.SslApprove, ScmOperations.SslApprove.Format(V, Id(sslId)), new MessageWire { Message = message }, ScmJsonContext.Default.MessageWire, cancellationToken);
    }

    /// <summary>Declines a pending request (<c>POST /ssl/v1/decline/{sslId}</c>).</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="message">Why, 1..512 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes on 204.</returns>
    public Task DeclineAsync(long sslId, string message, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        Guard.Message(message, nameof(message));
        return _transport.SendNoContentAsync(ScmOperations.SslDecline, ScmOperations.SslDecline.Format(V, Id(sslId)), new MessageWire { Message = message }, ScmJsonContext.Default.MessageWire, cancellationToken);
    }

    /// <summary>Revokes a certificate at the CA (<c>POST /ssl/v1/revoke/{sslId}</c>). SCM answers -159/-102 when it is already revoked.</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="reasonCode">The reason (0, 1, 3, 4 or 5).</param>
    /// <param name="reason">Text, 1..512 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes on 204.</returns>
    public Task RevokeAsync(long sslId, RevocationReason reasonCode, string reason, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        Guard.Reason(reasonCode, nameof(reasonCode));
        Guard.Message(reason, nameof(reason));
        return _transport.SendNoContentAsync(ScmOperations.SslRevoke, ScmOperations.SslRevoke.Format(V, Id(sslId)), new RevokeWire { ReasonCode = ScmWireCode.For(Api, (int)reasonCode), Reason = reason }, ScmJsonContext.Default.RevokeWire, cancellationToken);
    }

    /// <summary>Revokes a certificate at the CA by serial number (<c>POST /ssl/v1/revoke/serial/{serialNumber}</c>).</summary>
    /// <param name="serialNumber">Hex, with or without colons (e.g. <c>A9:3E:C0:61</c>).</param>
    /// <param name="reasonCode">The reason (0, 1, 3, 4 or 5).</param>
    /// <param name="reason">Text, 1..512 characters.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes on 204.</returns>
    public Task RevokeBySerialAsync(string serialNumber, RevocationReason reasonCode, string reason, CancellationToken cancellationToken = default)
    {
        Guard.Length(serialNumber, 1, 128, nameof(serialNumber));
        foreach (var c in serialNumber)
        {
            if (!(char.IsAsciiHexDigit(c) || c == ':'))
            {
                throw new ArgumentException("serialNumber must contain only hexadecimal digits and ':'.", nameof(serialNumber));
            }
        }

        Guard.Reason(reasonCode, nameof(reasonCode));
        Guard.Message(reason, nameof(reason));
        return _transport.SendNoContentAsync(ScmOperations.SslRevokeBySerial, ScmOperations.SslRevokeBySerial.Format(V, serialNumber), new RevokeWire { ReasonCode = ScmWireCode.For(Api, (int)reasonCode), Reason = reason }, ScmJsonContext.Default.RevokeWire, cancellationToken);
    }

    /// <summary>Marks a certificate revoked in SCM only; the CA is not told (<c>POST /ssl/v1/revoke/manual</c>).</summary>
    /// <param name="request">The certificate (by id, or serial + issuer) and reason.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes on 204.</returns>
    public Task RevokeManuallyAsync(SslManualRevocationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.SslId is { } id)
        {
            Guard.Id(id, "request.SslId");
        }
        else if (string.IsNullOrWhiteSpace(request.SerialNumber) || string.IsNullOrWhiteSpace(request.Issuer))
        {
            throw new ArgumentException("request.SslId, or request.SerialNumber with request.Issuer, is required.", nameof(request));
        }

        Guard.Reason(request.ReasonCode, "request.ReasonCode");
        var wire = new ManualRevokeWire
        {
            CertId = request.SslId,
            SerialNumber = request.SerialNumber,
            Issuer = request.Issuer,
            RevokeDate = request.RevokeDate,
            ReasonCode = ScmWireCode.For(Api, (int)request.ReasonCode),
        };
        return _transport.SendNoContentAsync(ScmOperations.SslRevokeManual, ScmOperations.SslRevokeManual.Format(V), wire, ScmJsonContext.Default.ManualRevokeWire, cancellationToken);
    }

    /// <summary>Renews by renew id (<c>POST /ssl/v1/renew/{renewId}</c>, answered 204 without the new id). Sent once.</summary>
    /// <param name="renewId">The renew id from enroll.</param>
    /// <param name="csr">A new CSR; null keeps the original (the body is then <c>{}</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes on 204.</returns>
    public Task RenewAsync(string renewId, string? csr = null, CancellationToken cancellationToken = default)
    {
        Guard.Length(renewId, 1, 64, nameof(renewId));
        foreach (var c in renewId)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                throw new ArgumentException("renewId must contain only letters, digits, '-' and '_'.", nameof(renewId));
            }
        }

        Guard.Csr(csr, nameof(csr), required: false);
        return _transport.SendNoContentAsync(ScmOperations.SslRenew, ScmOperations.SslRenew.Format(V, renewId), new RenewWire { Csr = csr }, ScmJsonContext.Default.RenewWire, cancellationToken);
    }

    /// <summary>Renews by id (<c>POST /ssl/v1/renewById/{sslId}</c>). Sent once.</summary>
    /// <param name="sslId">The certificate to renew.</param>
    /// <param name="request">Optional CSR and DCV settings; null sends <c>{}</c>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The NEW certificate's sslId.</returns>
    public Task<long> RenewByIdAsync(long sslId, SslRenewRequest? request = null, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        Guard.Csr(request?.Csr, "request.Csr", required: false);
        var dcvMode = Guard.Dcv(Api, request?.DcvMode, request?.DcvEmail, "request.DcvMode", "request.DcvEmail");
        var wire = new RenewWire { Csr = request?.Csr, DcvMode = dcvMode, DcvEmail = request?.DcvEmail };
        return _transport.SendAsync(ScmOperations.SslRenewById, ScmOperations.SslRenewById.Format(V, Id(sslId)), ScmTransport.JsonBody(wire, ScmJsonContext.Default.RenewWire), 0, static async (r, _, ct) =>
        {
            var body = await r.EnsureSuccessThenReadAsync(ScmJsonContext.Default.RenewByIdResponseWire, ct).ConfigureAwait(false);
            return body.SslId > 0 ? body.SslId : throw r.Protocol("sslId in the renew response is not a positive number");
        }, cancellationToken);
    }

    /// <summary>Marks a certificate as renewed by another one (<c>POST /ssl/v1/renew/manual/{sslId}</c>).</summary>
    /// <param name="sslId">The renewed certificate.</param>
    /// <param name="request">The renewing certificate's id and/or order number.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes on 204.</returns>
    public Task MarkRenewedAsync(long sslId, SslManualRenewRequest request, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        ArgumentNullException.ThrowIfNull(request);
        if (request.RenewedBySslId is null && string.IsNullOrWhiteSpace(request.OrderNumber))
        {
            throw new ArgumentException("request.RenewedBySslId or request.OrderNumber is required.", nameof(request));
        }

        if (request.RenewedBySslId is { } by)
        {
            Guard.Id(by, "request.RenewedBySslId");
        }

        var dcvMode = Guard.Dcv(Api, request.DcvMode, request.DcvEmail, "request.DcvMode", "request.DcvEmail");
        var wire = new ManualRenewWire { Id = request.RenewedBySslId, OrderNumber = request.OrderNumber, DcvMode = dcvMode, DcvEmail = request.DcvEmail };
        return _transport.SendNoContentAsync(ScmOperations.SslRenewManual, ScmOperations.SslRenewManual.Format(V, Id(sslId)), wire, ScmJsonContext.Default.ManualRenewWire, cancellationToken);
    }

    /// <summary>Re-issues a certificate with a new CSR, keeping its sslId (<c>POST /ssl/v1/replace/{sslId}</c>). Sent once.</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="request">The new CSR, reason and optional names.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes on 204.</returns>
    public Task ReplaceAsync(long sslId, SslReplaceRequest request, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        ArgumentNullException.ThrowIfNull(request);
        Guard.Csr(request.Csr, "request.Csr");
        Guard.Message(request.Reason, "request.Reason");
        Guard.CommonName(request.CommonName, "request.CommonName", required: false);
        Guard.SubjectAlternativeNames(request.SubjectAlternativeNames, "request.SubjectAlternativeNames", commaSeparatedOnWire: false);
        var dcvMode = Guard.Dcv(Api, request.DcvMode, request.DcvEmail, "request.DcvMode", "request.DcvEmail");
        var wire = new ReplaceWire
        {
            Csr = request.Csr,
            Reason = request.Reason,
            CommonName = request.CommonName,
            SubjectAlternativeNames = request.SubjectAlternativeNames,
            DcvMode = dcvMode,
            DcvEmail = request.DcvEmail,
        };
        return _transport.SendNoContentAsync(ScmOperations.SslReplace, ScmOperations.SslReplace.Format(V, Id(sslId)), wire, ScmJsonContext.Default.ReplaceWire, cancellationToken);
    }

    /// <summary>Updates a certificate record (<c>PUT /ssl/v1</c>). Sent once.</summary>
    /// <param name="request">The changes; unset properties are not sent.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The updated details.</returns>
    public Task<SslCertificateDetails> UpdateAsync(SslUpdateRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        Guard.Id(request.SslId, "request.SslId");
        if (request.Term is { } t)
        {
            Guard.Positive(t, "request.Term");
        }

        if (request.ProfileId is { } p)
        {
            Guard.Positive(p, "request.ProfileId");
        }

        if (request.OrganizationId is { } o)
        {
            Guard.Positive(o, "request.OrganizationId");
        }

        Guard.CommonName(request.CommonName, "request.CommonName", required: false);
        Guard.Csr(request.Csr, "request.Csr", required: false);
        Guard.SubjectAlternativeNames(request.SubjectAlternativeNames, "request.SubjectAlternativeNames", commaSeparatedOnWire: false);
        Guard.ExternalRequester(request.ExternalRequester, "request.ExternalRequester");
        Guard.Comments(request.Comments, "request.Comments");
        Guard.CustomFields(request.CustomFields, "request.CustomFields");
        if (request.AutoRenew?.DaysBeforeExpiration is { } d)
        {
            Guard.Positive(d, "request.AutoRenew.DaysBeforeExpiration");
        }

        var autoRenew = request.AutoRenew;
        if (autoRenew?.State is { } state)
        {
            autoRenew = new SslAutoRenewDetails
            {
                State = new AutoRenewState(ScmVocabulary.Wire(Api, ScmVocabulary.AutoRenewWritableState, state.Value, "request.AutoRenew.State")),
                DaysBeforeExpiration = autoRenew.DaysBeforeExpiration,
            };
        }

        if (request.RequesterAdminId is { } ra)
        {
            Guard.Id(ra, "request.RequesterAdminId");
        }

        if (request.ApproverAdminId is < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(request), "request.ApproverAdminId must be -1 (clear) or a positive id.");
        }

        var wire = new UpdateWire
        {
            SslId = request.SslId,
            Term = request.Term,
            CertTypeId = request.ProfileId,
            OrgId = request.OrganizationId,
            CommonName = request.CommonName,
            Csr = request.Csr,
            SubjectAlternativeNames = request.SubjectAlternativeNames,
            ExternalRequester = request.ExternalRequester,
            Comments = request.Comments,
            CustomFields = request.CustomFields,
            AutoRenewDetails = autoRenew,
            SuspendNotifications = request.SuspendNotifications,
            Requester = request.Requester,
            RequesterAdminId = request.RequesterAdminId,
            ApproverAdminId = request.ApproverAdminId,
        };
        return _transport.SendAsync(ScmOperations.SslUpdate, ScmOperations.SslUpdate.Format(V), ScmTransport.JsonBody(wire, ScmJsonContext.Default.UpdateWire), 0, static (r, _, ct) => ReadDetailsAsync(r, ct), cancellationToken);
    }

    /// <summary>Deletes an imported or discovered certificate record (<c>DELETE /ssl/v1/{sslId}</c>). Sent once.</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes on 204.</returns>
    public Task DeleteAsync(long sslId, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        return _transport.SendNoContentAsync<object?>(ScmOperations.SslDelete, ScmOperations.SslDelete.Format(V, Id(sslId)), null, null, cancellationToken);
    }

    /// <summary>Imports existing certificates (<c>POST /ssl/v2/import</c>, 1..128 items). Sent once.</summary>
    /// <param name="items">The certificates.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>One result per item, in order.</returns>
    public Task<IReadOnlyList<SslImportResult>> ImportAsync(IReadOnlyList<SslImportItem> items, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count is < 1 or > 128)
        {
            throw new ArgumentOutOfRangeException(nameof(items), items.Count, "items must hold 1..128 certificates; got " + items.Count.ToString(CultureInfo.InvariantCulture) + ".");
        }

        var wire = new ImportItemWire[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] ?? throw new ArgumentException("items[" + i.ToString(CultureInfo.InvariantCulture) + "] is null.", nameof(items));
            var name = "items[" + i.ToString(CultureInfo.InvariantCulture) + "]";
            Guard.Positive(item.OrganizationId, name + ".OrganizationId");
            if (item.Certificate.IsEmpty)
            {
                throw new ArgumentException(name + ".Certificate is empty.", nameof(items));
            }

            Guard.Length(item.Owner, 0, 128, name + ".Owner", required: false);
            Guard.ExternalRequester(item.ExternalRequester, name + ".ExternalRequester");
            Guard.Length(item.BackendCertId, 0, 255, name + ".BackendCertId", required: false);
            Guard.Comments(item.Comments, name + ".Comments");
            Guard.CustomFields(item.CustomFields, name + ".CustomFields");
            wire[i] = new ImportItemWire
            {
                OrgId = item.OrganizationId,
                Cert = Convert.ToBase64String(item.Certificate.Span),
                Csr = item.Csr is { } csr ? Convert.ToBase64String(csr.Span) : null,
                Owner = item.Owner,
                ExternalRequester = item.ExternalRequester,
                BackendCertId = item.BackendCertId,
                Comments = item.Comments,
                CustomFields = item.CustomFields,
            };
        }

        return _transport.SendAsync(ScmOperations.SslImport, ScmOperations.SslImport.Format(null), ScmTransport.JsonBody<IReadOnlyList<ImportItemWire>>(wire, ScmJsonContext.Default.IReadOnlyListImportItemWire), 0, static async (r, _, ct) =>
        {
            var results = await r.EnsureSuccessThenReadAsync(ScmJsonContext.Default.IReadOnlyListImportResultWire, ct).ConfigureAwait(false);
            var mapped = new SslImportResult[results.Count];
            for (var i = 0; i < results.Count; i++)
            {
                var w = results[i] ?? new ImportResultWire { ErrorMessage = "SCM returned no result for this item" };
                mapped[i] = new SslImportResult(w.Cert?.Id, w.Cert?.Subject, w.Cert?.SerialNumber, w.Created ?? false, w.Successful, w.BackendCertId, w.ErrorMessage);
            }

            return (IReadOnlyList<SslImportResult>)mapped;
        }, cancellationToken);
    }

    /// <summary>Gets the DCV log and instructions of a certificate (<c>GET /ssl/v1/{sslId}/dcv</c>).</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The DCV details (one object; when SCM answers with an array, their logs and instructions are merged).</returns>
    public Task<SslDcvDetails> GetDcvAsync(long sslId, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        return _transport.SendAsync(ScmOperations.SslGetDcv, ScmOperations.SslGetDcv.Format(V, Id(sslId)), null, 0, static async (r, _, ct) =>
        {
            var wire = await r.EnsureSuccessThenReadAsync(ScmJsonContext.Default.DcvResponseWire, ct).ConfigureAwait(false);
            return Merge(wire.Items);
        }, cancellationToken);
    }

    /// <summary>Asks the CA to recheck DCV (<c>POST /ssl/v1/{sslId}/dcv/recheck</c>, 202).</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The DCV details SCM returned with the 202, or null when the body was empty.</returns>
    public Task<SslDcvDetails?> RecheckDcvAsync(long sslId, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        return _transport.SendAsync(ScmOperations.SslRecheckDcv, ScmOperations.SslRecheckDcv.Format(V, Id(sslId)), null, 0, static async (r, _, ct) =>
        {
            await r.EnsureSuccessAsync(ct).ConfigureAwait(false);
            if (r.Message.Content.Headers.ContentLength == 0)
            {
                return null;
            }

            var bytes = await ScmTransport.ReadBytesAsync(r.Message.Content, r.Transport.Options.MaxJsonResponseBytes, ct).ConfigureAwait(false);
            if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
            {
                return null;
            }

            try
            {
                var wire = System.Text.Json.JsonSerializer.Deserialize(bytes, ScmJsonContext.Default.DcvResponseWire);
                return wire is null ? null : (SslDcvDetails?)Merge(wire.Items);
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw r.Protocol(ScmResponseExtensions.DescribeJsonError(ex), ex);
            }
        }, cancellationToken);
    }

    private static SslDcvDetails Merge(IReadOnlyList<SslDcvDetails> items)
    {
        if (items.Count == 1)
        {
            return items[0];
        }

        return new SslDcvDetails
        {
            Log = new SslDcvLog
            {
                Error = items.Select(i => i.Log?.Error).FirstOrDefault(e => e?.Code is not null and not 0),
                Entries = items.SelectMany(i => i.Log?.Entries ?? []).ToList(),
            },
            Instructions = items.SelectMany(i => i.Instructions ?? []).ToList(),
        };
    }

    /// <summary>Lists the locations of a certificate (<c>GET /ssl/v1/{sslId}/location</c>).</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The locations.</returns>
    public Task<IReadOnlyList<SslLocation>> ListLocationsAsync(long sslId, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        return _transport.GetJsonAsync(ScmOperations.SslListLocations, ScmOperations.SslListLocations.Format(V, Id(sslId)), ScmJsonContext.Default.IReadOnlyListSslLocation, cancellationToken);
    }

    /// <summary>Gets one location (<c>GET /ssl/v1/{sslId}/location/{locationId}</c>).</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="locationId">The location id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The location.</returns>
    public Task<SslLocation> GetLocationAsync(long sslId, long locationId, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        Guard.Id(locationId, nameof(locationId));
        return _transport.GetJsonAsync(ScmOperations.SslGetLocation, ScmOperations.SslGetLocation.Format(V, Id(sslId), Id(locationId)), ScmJsonContext.Default.SslLocation, cancellationToken);
    }

    /// <summary>Creates a custom location (<c>POST /ssl/v1/{sslId}/location</c>, 201 + Location).</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="details">At least one key/value (e.g. <c>IP</c> = <c>1.1.1.1</c>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new location's id, from the <c>Location</c> header.</returns>
    public Task<long> CreateLocationAsync(long sslId, IReadOnlyDictionary<string, string> details, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        ValidateDetails(details);
        return _transport.SendCreatedAsync(ScmOperations.SslCreateLocation, ScmOperations.SslCreateLocation.Format(V, Id(sslId)), new LocationWriteWire { Details = details }, ScmJsonContext.Default.LocationWriteWire, cancellationToken);
    }

    /// <summary>Replaces a custom location's details (<c>PUT /ssl/v1/{sslId}/location/{locationId}</c>).</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="locationId">The location id.</param>
    /// <param name="details">At least one key/value.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes on success.</returns>
    public Task UpdateLocationAsync(long sslId, long locationId, IReadOnlyDictionary<string, string> details, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        Guard.Id(locationId, nameof(locationId));
        ValidateDetails(details);
        return _transport.SendNoContentAsync(ScmOperations.SslUpdateLocation, ScmOperations.SslUpdateLocation.Format(V, Id(sslId), Id(locationId)), new LocationWriteWire { Details = details }, ScmJsonContext.Default.LocationWriteWire, cancellationToken);
    }

    /// <summary>Deletes a custom location (<c>DELETE /ssl/v1/{sslId}/location/{locationId}</c>).</summary>
    /// <param name="sslId">The certificate id.</param>
    /// <param name="locationId">The location id.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes on 204.</returns>
    public Task DeleteLocationAsync(long sslId, long locationId, CancellationToken cancellationToken = default)
    {
        Guard.Id(sslId, nameof(sslId));
        Guard.Id(locationId, nameof(locationId));
        return _transport.SendNoContentAsync<object?>(ScmOperations.SslDeleteLocation, ScmOperations.SslDeleteLocation.Format(V, Id(sslId), Id(locationId)), null, null, cancellationToken);
    }

    /// <summary>Lists certificate profiles (<c>GET /ssl/v1/types</c>) with their terms and key types.</summary>
    /// <param name="organizationId">Only the profiles available to this organization or department.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The profiles.</returns>
    public Task<IReadOnlyList<SslCertificateProfile>> ListProfilesAsync(int? organizationId = null, CancellationToken cancellationToken = default)
    {
        if (organizationId is { } org)
        {
            Guard.Positive(org, nameof(organizationId));
        }

        var uri = ScmOperations.SslListProfiles.Format(V) + new QueryBuilder().Add("organizationId", organizationId);
        return _transport.SendAsync(ScmOperations.SslListProfiles, uri, null, 0, static async (r, _, ct) =>
        {
            var rows = await r.EnsureSuccessThenReadAsync(ScmJsonContext.Default.IReadOnlyListSslCertificateProfileWire, ct).ConfigureAwait(false);
            var profiles = new SslCertificateProfile[rows.Count];
            for (var i = 0; i < profiles.Length; i++)
            {
                // A JSON null row stays null, as it did when the model was read directly.
                profiles[i] = rows[i]?.ToModel()!;
            }

            return (IReadOnlyList<SslCertificateProfile>)profiles;
        }, cancellationToken);
    }

    /// <summary>Lists the SSL custom fields (<c>GET /ssl/v1/customFields</c>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The fields.</returns>
    public Task<IReadOnlyList<SslCustomField>> ListCustomFieldsAsync(CancellationToken cancellationToken = default) =>
        _transport.GetJsonAsync(ScmOperations.SslListCustomFields, ScmOperations.SslListCustomFields.Format(V), ScmJsonContext.Default.IReadOnlyListSslCustomField, cancellationToken);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    private static string? JoinSans(IReadOnlyList<string>? names) => names is null || names.Count == 0 ? null : string.Join(',', names);

    internal static int? ParseTotal(ScmResponse r, bool required)
    {
        if (r.Message.Headers.TryGetValues("X-Total-Count", out var values))
        {
            var text = values.FirstOrDefault();
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var total))
            {
                return total;
            }

            throw r.Protocol("the X-Total-Count header is not a non-negative integer");
        }

        return required ? throw r.Protocol("the X-Total-Count header is missing") : null;
    }

    private static void ValidateDetails(IReadOnlyDictionary<string, string> details)
    {
        ArgumentNullException.ThrowIfNull(details);
        if (details.Count == 0)
        {
            throw new ArgumentException("details must hold at least one entry.", nameof(details));
        }

        foreach (var (k, v) in details)
        {
            if (string.IsNullOrWhiteSpace(k) || v is null)
            {
                throw new ArgumentException("details keys must be non-empty and values non-null.", nameof(details));
            }
        }
    }

    private void ValidateFilter(SslListFilter? f)
    {
        if (f is null)
        {
            return;
        }

        if (f.Sha256Hash is not null && Api != ScmApiVersion.Admin25_9)
        {
            // SCM 25.5 does not document the filter; an instance that ignores it would answer unfiltered rows.
            throw new ArgumentException("filter.Sha256Hash is not a filter of " + ScmVocabulary.Describe(Api) + "; it is documented by the Admin API 25.9 only (set ScmClientOptions.ApiVersion to Admin25_9).", "filter");
        }

        Guard.Length(f.Vendor, 0, 128, "filter.Vendor", required: false);
        Guard.Length(f.SerialNumber, 0, 128, "filter.SerialNumber", required: false);
        Guard.Length(f.Requester, 0, 128, "filter.Requester", required: false);
        Guard.ExternalRequester(f.ExternalRequester, "filter.ExternalRequester");
        Guard.Length(f.SignatureAlgorithm, 0, 32, "filter.SignatureAlgorithm", required: false);
        Guard.Length(f.KeyAlgorithm, 0, 32, "filter.KeyAlgorithm", required: false);
        Guard.Length(f.KeyParameter, 0, 32, "filter.KeyParameter", required: false);
        Guard.Length(f.Sha1Hash, 0, 40, "filter.Sha1Hash", required: false);
        Guard.Length(f.Md5Hash, 0, 32, "filter.Md5Hash", required: false);
        Guard.Length(f.Sha256Hash, 0, 64, "filter.Sha256Hash", required: false);
        Guard.Length(f.KeyUsage, 0, 256, "filter.KeyUsage", required: false);
        Guard.Length(f.ExtendedKeyUsage, 0, 512, "filter.ExtendedKeyUsage", required: false);
        if (f.ProfileId is { } p)
        {
            Guard.Positive(p, "filter.ProfileId");
        }

        if (f.KeySize is { } k)
        {
            Guard.Positive(k, "filter.KeySize");
        }
    }

    private void AddFilter(QueryBuilder q, SslListFilter? f)
    {
        if (f is null)
        {
            return;
        }

        var api = Api;
        q.Add("commonName", f.CommonName)
         .Add("subjectAlternativeName", f.SubjectAlternativeName)
         .Add("status", f.Status is { } status ? ScmVocabulary.Wire(api, ScmVocabulary.SslStatus, status.Value, "filter.Status") : null)
         .Add("sslTypeId", f.ProfileId)
         .Add("discoveryStatus", f.DiscoveryStatus is { } discovery ? ScmVocabulary.Wire(api, ScmVocabulary.DiscoveryStatus, discovery, "filter.DiscoveryStatus") : null)
         .Add("vendor", f.Vendor)
         .Add("orgId", f.OrganizationId)
         .Add("installStatus", f.InstallStatus is { } install ? ScmVocabulary.Wire(api, ScmVocabulary.InstallStatus, install.Value, "filter.InstallStatus") : null)
         .Add("renewalStatus", f.RenewalStatus is { } renewal ? ScmVocabulary.Wire(api, ScmVocabulary.RenewalStatus, renewal.Value, "filter.RenewalStatus") : null)
         .Add("issuer", f.Issuer)
         .Add("serialNumber", f.SerialNumber)
         .Add("requester", f.Requester)
         .Add("externalRequester", f.ExternalRequester)
         .Add("signatureAlgorithm", f.SignatureAlgorithm)
         .Add("keyAlgorithm", f.KeyAlgorithm)
         .Add("keySize", f.KeySize)
         .Add("keyParam", f.KeyParameter)
         .Add("sha1Hash", f.Sha1Hash)
         .Add("md5Hash", f.Md5Hash)
         .Add("sha256Hash", f.Sha256Hash)
         .Add("keyUsage", f.KeyUsage)
         .Add("extendedKeyUsage", f.ExtendedKeyUsage)
         .Add("requestedVia", f.RequestedVia is { } via ? ScmVocabulary.Wire(api, ScmVocabulary.RequestedVia, via.Value, "filter.RequestedVia") : null);
    }
}

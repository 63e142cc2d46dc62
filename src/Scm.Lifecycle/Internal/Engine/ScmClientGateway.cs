using System.Runtime.CompilerServices;
using System.Security.Cryptography.X509Certificates;
using Scm.Client;
using Scm.Storage;
using ClientCustomField = Scm.Client.CustomFieldValue;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>The engine's calls to SCM through <see cref="ScmClient"/>, with every failure classified.</summary>
internal sealed class ScmClientGateway : IScmGateway
{
    private readonly ScmClient _client;

    public ScmClientGateway(ScmClient client) => _client = client;

    public Task<(long SslId, string? RenewId)> EnrollAsync(EnrollCommand command, CancellationToken cancellationToken) => Call(async () =>
    {
        var result = await _client.Ssl.EnrollAsync(new SslEnrollRequest
        {
            OrganizationId = command.OrganizationId,
            ProfileId = command.ProfileId,
            Term = command.TermDays,
            Csr = command.CsrPem,
            SubjectAlternativeNames = command.SubjectAlternativeNames.Count > 0 ? command.SubjectAlternativeNames : null,
            Comments = command.Comments,
            ExternalRequester = command.ExternalRequesters.Count > 0 ? string.Join(", ", command.ExternalRequesters) : null,
            CustomFields = command.CustomFields.Count > 0 ? command.CustomFields.Select(f => new ClientCustomField(f.Name, f.Value)).ToArray() : null,
        }, cancellationToken).ConfigureAwait(false);
        return (result.SslId, result.RenewId);
    });

    public Task<long> RenewByIdAsync(long sslId, string csrPem, CancellationToken cancellationToken) =>
        Call(() => _client.Ssl.RenewByIdAsync(sslId, new SslRenewRequest { Csr = csrPem }, cancellationToken));

    public Task ReplaceAsync(long sslId, ReplaceCommand command, CancellationToken cancellationToken) => Call(async () =>
    {
        await _client.Ssl.ReplaceAsync(sslId, new SslReplaceRequest
        {
            Csr = command.CsrPem,
            Reason = command.Reason,
            CommonName = command.CommonName,
            SubjectAlternativeNames = command.SubjectAlternativeNames,
        }, cancellationToken).ConfigureAwait(false);
        return true;
    });

    public Task<ScmOrderView> GetOrderAsync(long sslId, CancellationToken cancellationToken) => Call(async () =>
    {
        var d = await _client.Ssl.GetAsync(sslId, cancellationToken).ConfigureAwait(false);
        return new ScmOrderView
        {
            SslId = sslId,
            Status = d.Status.ToString(),
            CommonName = d.CommonName,
            SubjectAlternativeNames = d.SubjectAlternativeNames ?? [],
            Comments = d.Comments,
            OrganizationId = d.OrganizationId,
            ProfileId = d.Profile?.Id,
            TermDays = d.Term,
            Requested = d.RequestedOn,
            Expires = d.ExpiresOn,
            SerialNumber = d.SerialNumber,
            Renewed = d.Renewed ?? false,
            ReplacedOn = d.ReplacedOn,
            KeyType = d.KeyType,
            AutoRenewState = d.AutoRenewDetails?.State?.ToString(),
            AutoRenewDaysBeforeExpiration = d.AutoRenewDetails?.DaysBeforeExpiration,
            OrderNumber = d.OrderNumber?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? d.BackendCertId,
            RequestedVia = d.RequestedVia?.ToString(),
        };
    });

    public Task UpdateCommentsAsync(long sslId, string comments, CancellationToken cancellationToken) =>
        Call(() => _client.Ssl.UpdateAsync(new SslUpdateRequest { SslId = sslId, Comments = comments }, cancellationToken));

    public IAsyncEnumerable<long> ListSslIdsByCommonNameAsync(string commonName, CancellationToken cancellationToken) =>
        Classified(_client.Ssl.ListAsync(new SslListFilter { CommonName = commonName }, cancellationToken), i => i.SslId, cancellationToken);

    public Task<(IReadOnlyList<long> SslIds, int? TotalCount)> ListPageAsync(string? status, int position, int size, CancellationToken cancellationToken) => Call(async () =>
    {
        var filter = status is null ? null : new SslListFilter { Status = new SslCertificateStatus(status) };
        var page = await _client.Ssl.ListPageAsync(filter, position, size, cancellationToken).ConfigureAwait(false);
        return ((IReadOnlyList<long>)page.Items.Select(i => i.SslId).ToArray(), page.TotalCount);
    });

    public Task<ScmCollectOutcome> CollectAsync(long sslId, CancellationToken cancellationToken) => Call(async () =>
    {
        using var result = await _client.Ssl.CollectAsync(sslId, SslCollectFormat.X509, cancellationToken).ConfigureAwait(false);
        if (!result.IsIssued)
        {
            return new ScmCollectOutcome(false, null, null, result.ScmErrorCode, result.Description);
        }

        // Copy out: the result owns (and disposes) its certificates. Each copy is a new handle on the already parsed
        // certificate (no second DER decode, which costs far more than the rest of an import step).
        var copies = new X509Certificate2Collection();
        X509Certificate2? leaf = null;
        foreach (var certificate in result.Certificates)
        {
            var copy = new X509Certificate2(certificate);
            copies.Add(copy);
            if (result.Leaf is not null && certificate.RawDataMemory.Span.SequenceEqual(result.Leaf.RawDataMemory.Span))
            {
                leaf = copy;
            }
        }

        return new ScmCollectOutcome(true, copies, leaf, null, null);
    });

    public Task RevokeAsync(long sslId, int reasonCode, string reason, CancellationToken cancellationToken) => Call(async () =>
    {
        await _client.Ssl.RevokeAsync(sslId, (RevocationReason)reasonCode, reason, cancellationToken).ConfigureAwait(false);
        return true;
    });

    public Task DeclineAsync(long sslId, string message, CancellationToken cancellationToken) => Call(async () =>
    {
        await _client.Ssl.DeclineAsync(sslId, message, cancellationToken).ConfigureAwait(false);
        return true;
    });

    public Task<ScmPasswordState> GetPasswordStateAsync(CancellationToken cancellationToken) => Call(async () =>
    {
        var status = await _client.Admin.GetPasswordStatusAsync(cancellationToken).ConfigureAwait(false);
        return new ScmPasswordState(status.State.ToString(), status.ExpirationDate);
    });

    public Task<IReadOnlyList<CatalogOrganization>> ListOrganizationsAsync(CancellationToken cancellationToken) => Call(async () =>
    {
        var organizations = await _client.Organizations.ListAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<CatalogOrganization>();
        foreach (var org in organizations)
        {
            result.Add(new CatalogOrganization { Id = org.Id, Name = org.Name ?? $"#{org.Id}", CertificateTypes = org.CertificateTypes ?? [] });
            foreach (var department in org.Departments ?? [])
            {
                result.Add(new CatalogOrganization { Id = department.Id, Name = department.Name ?? $"#{department.Id}", ParentId = org.Id, CertificateTypes = department.CertificateTypes ?? [] });
            }
        }

        return (IReadOnlyList<CatalogOrganization>)result;
    });

    public IAsyncEnumerable<int> ListDomainIdsAsync(CancellationToken cancellationToken) =>
        Classified(_client.Domains.ListAsync(null, cancellationToken), d => d.Id, cancellationToken);

    public Task<CatalogDomain> GetDomainAsync(int domainId, CancellationToken cancellationToken) => Call(async () =>
    {
        var d = await _client.Domains.GetAsync(domainId, cancellationToken).ConfigureAwait(false);
        return new CatalogDomain
        {
            Id = d.Id,
            Name = d.Name ?? $"#{d.Id}",
            State = d.State?.ToString(),
            DelegationStatus = d.DelegationStatus?.ToString(),
            ValidationStatus = d.ValidationStatus?.ToString(),
            ValidationMethod = d.ValidationMethod?.ToString(),
            DcvExpiration = d.DcvExpiresOn,
            Delegations = (d.Delegations ?? [])
                .Where(x => x.OrganizationId is not null)
                .Select(x => new CatalogDomainDelegation
                {
                    OrganizationId = x.OrganizationId!.Value,
                    CertificateTypes = x.CertificateTypes ?? [],
                    Status = x.Status?.ToString(),
                })
                .ToArray(),
        };
    });

    public Task<IReadOnlyList<CatalogProfile>> ListProfilesAsync(int? organizationId, CancellationToken cancellationToken) => Call(async () =>
    {
        var profiles = await _client.Ssl.ListProfilesAsync(organizationId, cancellationToken).ConfigureAwait(false);
        return (IReadOnlyList<CatalogProfile>)profiles.Select(p => new CatalogProfile
        {
            Id = p.Id,
            Name = p.Name ?? $"#{p.Id}",
            Description = p.Description,
            Terms = p.Terms,
            KeyTypes = p.KeyTypes,
        }).ToArray();
    });

    /// <summary>
    /// The SSL custom fields an enroll may carry, from <c>/customField/v2?certType=SSL</c> (active fields only; mandatory =
    /// required for the REST API channel), or from <c>/ssl/v1/customFields</c> when v2 is refused (an older instance, or a
    /// role without access: 403/404/405).
    /// </summary>
    public Task<IReadOnlyList<CatalogCustomField>> ListCustomFieldsAsync(CancellationToken cancellationToken) => Call(async () =>
    {
        try
        {
            var v2 = await _client.CustomFields.ListAsync(CustomFieldCertificateType.Ssl, cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<CatalogCustomField>)v2
                .Where(f => f.IsActive && !string.IsNullOrEmpty(f.Name))
                .Select(f => new CatalogCustomField { Id = f.Id, Name = f.Name!, Mandatory = f.IsRequiredByRestApi })
                .ToArray();
        }
        catch (ScmRequestException ex) when (ex.Status is 403 or 404 or 405)
        {
            var fields = await _client.Ssl.ListCustomFieldsAsync(cancellationToken).ConfigureAwait(false);
            return (IReadOnlyList<CatalogCustomField>)fields
                .Where(f => !string.IsNullOrEmpty(f.Name))
                .Select(f => new CatalogCustomField { Id = f.Id, Name = f.Name!, Mandatory = f.Mandatory ?? false })
                .ToArray();
        }
    });

    public Task<IReadOnlyList<ScmOrganizationValidation>> ListOrganizationValidationsAsync(int organizationId, CancellationToken cancellationToken) => Call(async () =>
    {
        var validations = await _client.Organizations.ListValidationsAsync(organizationId, cancellationToken).ConfigureAwait(false);
        return (IReadOnlyList<ScmOrganizationValidation>)validations
            .Select(v => new ScmOrganizationValidation(
                v.IsSslExtendedValidation ? "EV" : v.IsSslOrganizationValidation ? "OV" : v.Level?.ToString() ?? v.Type?.ToString() ?? "?",
                v.Status?.ToString(),
                v.Expires))
            .ToArray();
    });

    public Task<ScmDcvStatus> GetDcvStatusAsync(string domain, CancellationToken cancellationToken) => Call(async () =>
    {
        var d = await _client.Dcv.GetStatusAsync(domain, cancellationToken).ConfigureAwait(false);
        return new ScmDcvStatus(d.Status?.ToString(), d.ExpiresOn, d.OrderStatus?.ToString());
    });

    public Task<ScmDcvStep> StartDcvAsync(string domain, DomainValidation.DcvChallengeMethod method, CancellationToken cancellationToken) => Call(async () =>
    {
        switch (method)
        {
            case DomainValidation.DcvChallengeMethod.Cname:
                var cname = await _client.Dcv.StartCnameAsync(domain, cancellationToken).ConfigureAwait(false);
                return new ScmDcvStep(null, cname.Host, cname.Point, null, null, null);
            case DomainValidation.DcvChallengeMethod.Http or DomainValidation.DcvChallengeMethod.Https:
                var http = method == DomainValidation.DcvChallengeMethod.Http
                    ? await _client.Dcv.StartHttpAsync(domain, cancellationToken).ConfigureAwait(false)
                    : await _client.Dcv.StartHttpsAsync(domain, cancellationToken).ConfigureAwait(false);
                return new ScmDcvStep(null, null, null, Uri.TryCreate(http.Url, UriKind.Absolute, out var url) ? url : null, http.FirstLine, http.SecondLine);
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "Only CNAME, HTTP and HTTPS validations have a start.");
        }
    });

    public Task<ScmDcvStep> SubmitDcvAsync(string domain, DomainValidation.DcvChallengeMethod method, CancellationToken cancellationToken) => Call(async () =>
    {
        var r = method switch
        {
            DomainValidation.DcvChallengeMethod.Cname => await _client.Dcv.SubmitCnameAsync(domain, cancellationToken).ConfigureAwait(false),
            DomainValidation.DcvChallengeMethod.Http => await _client.Dcv.SubmitHttpAsync(domain, cancellationToken).ConfigureAwait(false),
            DomainValidation.DcvChallengeMethod.Https => await _client.Dcv.SubmitHttpsAsync(domain, cancellationToken).ConfigureAwait(false),
            _ => await _client.Dcv.SubmitTxtAsync(domain, cancellationToken).ConfigureAwait(false),
        };
        return new ScmDcvStep(r.Status?.ToString(), r.Host, r.Point, null, null, null);
    });

    public Task ChangePasswordAsync(string newPassword, CancellationToken cancellationToken) => Call(async () =>
    {
        await _client.Admin.ChangePasswordAsync(newPassword, cancellationToken).ConfigureAwait(false);
        return true;
    });

    public void UsePassword(string password) => _client.UpdateCredentials(new ScmCredentialUpdate { Password = password });

    /// <summary>Streams a paged SCM list, classifying a failure on any page like every other call.</summary>
    private static async IAsyncEnumerable<TOut> Classified<TIn, TOut>(IAsyncEnumerable<TIn> source, Func<TIn, TOut> select, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var enumerator = source.GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                TIn item;
                try
                {
                    if (!await enumerator.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    item = enumerator.Current;
                }
                catch (ScmRequestException ex)
                {
                    throw Classify(ex);
                }

                yield return select(item);
            }
        }
        finally
        {
            await enumerator.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (ScmRequestException ex)
        {
            throw Classify(ex);
        }
    }

    private static async Task Call(Func<Task> call)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (ScmRequestException ex)
        {
            throw Classify(ex);
        }
    }

    /// <summary>
    /// What a failure means for an order: 4xx with an SCM code = refused, nothing created (with -140, -195 or -3114, SCM's
    /// "try again later" codes, refused for now only); 401 = credentials refused;
    /// a connection that could not be opened, an open circuit or a request that timed out before its turn = never sent; 429 = reconcile first; anything else
    /// (timeout, 5xx, dropped connection, malformed body) = the server may have acted.
    /// </summary>
    internal static ScmCallException Classify(ScmRequestException ex)
    {
        var kind = ex switch
        {
            ScmRateLimitedException => SubmitFailureKind.RateLimited,
            ScmProtocolException => SubmitFailureKind.Ambiguous,
            ScmTransportException { RequestNotSent: true } => SubmitFailureKind.NotSent,
            ScmTransportException t when t.InnerException is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError } => SubmitFailureKind.NotSent,
            ScmTransportException => SubmitFailureKind.Ambiguous,
            { Status: 401 } => SubmitFailureKind.Unauthorized,
            { Status: >= 400 and < 500 } and { ScmErrorCode: ScmErrorCodes.CsrDecodingUnavailable or ScmErrorCodes.CaUnavailable or ScmErrorCodes.ModifiedByAnotherUser }
                => SubmitFailureKind.Unavailable,
            { Status: >= 400 and < 500, ScmErrorCode: not null } and not { Status: 408 } => SubmitFailureKind.Rejected,
            { Status: 403 or 404 or 409 or 422 } => SubmitFailureKind.Rejected,
            _ => SubmitFailureKind.Ambiguous,
        };
        var retryAfter = ex is ScmRateLimitedException r ? r.RetryAfter : null;
        return new ScmCallException(kind, ex.Message, ex.ScmErrorCode, ex.Status == 0 ? null : ex.Status, retryAfter, ex);
    }
}

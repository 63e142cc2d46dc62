using System.Security.Cryptography.X509Certificates;
using Scm.Testing.Internal;

namespace Scm.Testing;

/// <summary>A snapshot of one SSL certificate record as the simulator holds it (for test assertions).</summary>
public sealed class ScmSimulatorOrder
{
    private readonly byte[]? _certificate;

    internal ScmSimulatorOrder(
        long sslId,
        string status,
        string commonName,
        IReadOnlyList<string> subjectAlternativeNames,
        int organizationId,
        int profileId,
        int term,
        string comments,
        string renewId,
        long orderNumber,
        string? serialNumber,
        DateTimeOffset requested,
        DateTimeOffset? approved,
        DateTimeOffset? issued,
        DateTimeOffset? expires,
        DateTimeOffset? revoked,
        DateTimeOffset? declined,
        DateTimeOffset? replaced,
        DateTimeOffset? renewedDate,
        bool renewed,
        long? renewedFromSslId,
        int? reasonCode,
        string autoRenewState,
        bool imported,
        string? statusReason,
        IReadOnlyList<string> correlationTokens,
        byte[]? certificate)
    {
        SslId = sslId;
        Status = status;
        CommonName = commonName;
        SubjectAlternativeNames = subjectAlternativeNames;
        OrganizationId = organizationId;
        ProfileId = profileId;
        Term = term;
        Comments = comments;
        RenewId = renewId;
        OrderNumber = orderNumber;
        SerialNumber = serialNumber;
        Requested = requested;
        Approved = approved;
        Issued = issued;
        Expires = expires;
        Revoked = revoked;
        Declined = declined;
        Replaced = replaced;
        RenewedDate = renewedDate;
        Renewed = renewed;
        RenewedFromSslId = renewedFromSslId;
        ReasonCode = reasonCode;
        AutoRenewState = autoRenewState;
        Imported = imported;
        StatusReason = statusReason;
        CorrelationTokens = correlationTokens;
        _certificate = certificate;
    }

    /// <summary>Gets the sslId.</summary>
    public long SslId { get; }

    /// <summary>Gets the status as SCM spells it (<c>Requested</c>, <c>Approved</c>, <c>Applied</c>, <c>Issued</c>, ...).</summary>
    public string Status { get; }

    /// <summary>Gets the common name.</summary>
    public string CommonName { get; }

    /// <summary>Gets the names (common name first, then the other SANs).</summary>
    public IReadOnlyList<string> SubjectAlternativeNames { get; }

    /// <summary>Gets the organization or department id.</summary>
    public int OrganizationId { get; }

    /// <summary>Gets the profile id (0 for imported certificates).</summary>
    public int ProfileId { get; }

    /// <summary>Gets the term in days.</summary>
    public int Term { get; }

    /// <summary>Gets the comments.</summary>
    public string Comments { get; }

    /// <summary>Gets the renewId.</summary>
    public string RenewId { get; }

    /// <summary>Gets the CA order number.</summary>
    public long OrderNumber { get; }

    /// <summary>Gets the serial number (colon hex) once issued.</summary>
    public string? SerialNumber { get; }

    /// <summary>Gets when the order was requested.</summary>
    public DateTimeOffset Requested { get; }

    /// <summary>Gets when the order was approved.</summary>
    public DateTimeOffset? Approved { get; }

    /// <summary>Gets when the certificate was issued.</summary>
    public DateTimeOffset? Issued { get; }

    /// <summary>Gets when the certificate expires.</summary>
    public DateTimeOffset? Expires { get; }

    /// <summary>Gets when the certificate was revoked.</summary>
    public DateTimeOffset? Revoked { get; }

    /// <summary>Gets when the order was declined.</summary>
    public DateTimeOffset? Declined { get; }

    /// <summary>Gets when the certificate was last replaced.</summary>
    public DateTimeOffset? Replaced { get; }

    /// <summary>Gets when the certificate was renewed.</summary>
    public DateTimeOffset? RenewedDate { get; }

    /// <summary>Gets a value indicating whether the certificate was renewed.</summary>
    public bool Renewed { get; }

    /// <summary>Gets the sslId this order renews, if it is a renewal.</summary>
    public long? RenewedFromSslId { get; }

    /// <summary>Gets the revocation reason code.</summary>
    public int? ReasonCode { get; }

    /// <summary>Gets the SCM-side auto-renewal state (<c>Not scheduled</c>, <c>Scheduled</c>, <c>Started</c>, <c>Successful</c>, <c>Failed</c>).</summary>
    public string AutoRenewState { get; }

    /// <summary>Gets a value indicating whether the record was imported.</summary>
    public bool Imported { get; }

    /// <summary>Gets the reason given when the order was declined, rejected or invalidated.</summary>
    public string? StatusReason { get; }

    /// <summary>Gets the correlation tokens found in the comments.</summary>
    public IReadOnlyList<string> CorrelationTokens { get; }

    /// <summary>Gets a value indicating whether a certificate is present.</summary>
    public bool HasCertificate => _certificate is not null;

    /// <summary>Loads the issued certificate (public part only), or returns <see langword="null"/> before issuance.</summary>
    /// <returns>A new certificate object the caller disposes.</returns>
    public X509Certificate2? GetCertificate() => _certificate is null ? null : CertificateLoading.FromDer(_certificate);

    /// <summary>Describes the order.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"sslId {SslId} {Status} {CommonName}";
}

using System.Globalization;

namespace Scm.Storage;

/// <summary>
/// The argument checks and limits every store in this repository applies (the in-memory store in Scm.Lifecycle and the
/// relational stores): one copy, linked into each, so that the conformance kit's expectations of refused arguments hold
/// for all of them alike.
/// </summary>
internal static class StoreArguments
{
    /// <summary>The most records one list call returns.</summary>
    public const int MaxListLimit = 10_000;

    /// <summary>The largest page of a paged list.</summary>
    public const int MaxPageSize = 1_000;

    /// <summary>The longest key, lease name or owner.</summary>
    public const int MaxNameLength = 200;

    /// <summary>The most sslIds one lookup takes.</summary>
    public const int MaxSslIdLookup = 1_000;

    /// <summary>The longest lease.</summary>
    public static readonly TimeSpan MaxLeaseDuration = TimeSpan.FromDays(366);

    /// <summary>A certificate serial as stored and compared: no colons, upper case.</summary>
    public static string NormalizeSerial(string serial) => serial.Replace(":", string.Empty, StringComparison.Ordinal).ToUpperInvariant();

    public static void ValidateBatch(StoreBatch batch, string account)
    {
        if (batch.RequiredLease is { } lease)
        {
            ValidateLease(lease, nameof(batch));
        }

        foreach (var operation in batch.Operations)
        {
            switch (operation)
            {
                case InsertOrderOperation insert:
                    ValidateOrder(insert.Order, account);
                    if (insert.Order.Version != 0)
                    {
                        throw new ArgumentException($"A new order ({insert.Order.Id}) must have version 0; it has {insert.Order.Version}.", nameof(batch));
                    }

                    break;
                case UpdateOrderOperation update:
                    ValidateOrder(update.Order, account);
                    break;
                case InsertCertificateOperation insert:
                    ValidateCertificate(insert.Certificate, account);
                    if (insert.Certificate.Version != 0)
                    {
                        throw new ArgumentException($"A new certificate ({insert.Certificate.Id}) must have version 0; it has {insert.Certificate.Version}.", nameof(batch));
                    }

                    break;
                case UpdateCertificateOperation update:
                    ValidateCertificate(update.Certificate, account);
                    break;
                case AppendAuditOperation append:
                    ValidateAudit(append.Entry, nameof(batch));
                    break;
                case DeleteOrderOperation or DeleteCertificateOperation:
                    break;
                default:
                    throw new ArgumentException($"The batch holds an operation this store does not know ({operation?.GetType().Name ?? "null"}).", nameof(batch));
            }
        }
    }

    private static void ValidateOrder(CertificateOrder? order, string account)
    {
        if (order is null || order.CorrelationToken is null || order.Request is null || order.Request.CommonName is null || order.AccountId is null)
        {
            throw new ArgumentException("The batch holds an order without its id fields (correlation token, request, common name or account).", "batch");
        }

        ValidateAccount(order.AccountId, account, "order", order.Id);
    }

    private static void ValidateCertificate(ManagedCertificate? certificate, string account)
    {
        if (certificate is null || certificate.CommonName is null || certificate.SerialNumber is null || certificate.Thumbprint is null || certificate.CertificatePem is null || certificate.AccountId is null)
        {
            throw new ArgumentException("The batch holds a certificate without its required fields (common name, serial, thumbprint, PEM or account).", "batch");
        }

        ValidateAccount(certificate.AccountId, account, "certificate", certificate.Id);
    }

    private static void ValidateAccount(string recordAccount, string account, string type, Guid id)
    {
        if (!string.Equals(recordAccount, account, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The {type} {id} belongs to account '{recordAccount}'; this store holds account '{account}' only.", "batch");
        }
    }

    public static void ValidateAudit(AuditEntry? entry, string parameter)
    {
        if (entry is null || entry.Actor is null || entry.Action is null || entry.Decision is null || entry.Outcome is null)
        {
            throw new ArgumentException("An audit entry needs an actor, an action, a decision and an outcome.", parameter);
        }
    }

    public static void ValidateLease(LeaseToken? lease, string parameter)
    {
        ArgumentNullException.ThrowIfNull(lease, parameter);
        if (string.IsNullOrEmpty(lease.Name) || string.IsNullOrEmpty(lease.Owner))
        {
            throw new ArgumentException("A lease token needs a name and an owner.", parameter);
        }
    }

    public static void ValidateName(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (value.Length > MaxNameLength)
        {
            throw new ArgumentException($"The value must be 1-{MaxNameLength} characters; it has {value.Length}.", parameter);
        }
    }

    public static void ValidateLimit(int value, int max, string parameter)
    {
        if (value < 1 || value > max)
        {
            throw new ArgumentOutOfRangeException(parameter, value, $"The limit must be 1-{max.ToString("N0", CultureInfo.InvariantCulture)}.");
        }
    }

    public static void ValidateDuration(TimeSpan duration, string parameter)
    {
        if (duration <= TimeSpan.Zero || duration > MaxLeaseDuration)
        {
            throw new ArgumentOutOfRangeException(parameter, duration, "A lease duration must be positive and at most 366 days.");
        }
    }
}

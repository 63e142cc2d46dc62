using System.Globalization;

namespace Scm.Storage.Relational;

/// <summary>The relational store's argument checks: every batch, record, lease and limit is checked before a statement runs.</summary>
internal sealed partial class RelationalStore
{
    private void ValidateBatch(StoreBatch batch)
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
                    ValidateOrder(insert.Order);
                    if (insert.Order.Version != 0)
                    {
                        throw new ArgumentException($"A new order ({insert.Order.Id}) must have version 0; it has {insert.Order.Version}.", nameof(batch));
                    }

                    break;
                case UpdateOrderOperation update:
                    ValidateOrder(update.Order);
                    break;
                case InsertCertificateOperation insert:
                    ValidateCertificate(insert.Certificate);
                    if (insert.Certificate.Version != 0)
                    {
                        throw new ArgumentException($"A new certificate ({insert.Certificate.Id}) must have version 0; it has {insert.Certificate.Version}.", nameof(batch));
                    }

                    break;
                case UpdateCertificateOperation update:
                    ValidateCertificate(update.Certificate);
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

    private void ValidateOrder(CertificateOrder? order)
    {
        if (order is null || order.CorrelationToken is null || order.Request is null || order.Request.CommonName is null || order.AccountId is null)
        {
            throw new ArgumentException("The batch holds an order without its id fields (correlation token, request, common name or account).", "batch");
        }

        ValidateAccount(order.AccountId, "order", order.Id);
    }

    private void ValidateCertificate(ManagedCertificate? certificate)
    {
        if (certificate is null || certificate.CommonName is null || certificate.SerialNumber is null || certificate.Thumbprint is null || certificate.CertificatePem is null || certificate.AccountId is null)
        {
            throw new ArgumentException("The batch holds a certificate without its required fields (common name, serial, thumbprint, PEM or account).", "batch");
        }

        ValidateAccount(certificate.AccountId, "certificate", certificate.Id);
    }

    private void ValidateAccount(string recordAccount, string type, Guid id)
    {
        if (!string.Equals(recordAccount, Account, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The {type} {id} belongs to account '{recordAccount}'; this store holds account '{Account}' only.", "batch");
        }
    }

    private static void ValidateAudit(AuditEntry? entry, string parameter)
    {
        if (entry is null || entry.Actor is null || entry.Action is null || entry.Decision is null || entry.Outcome is null)
        {
            throw new ArgumentException("An audit entry needs an actor, an action, a decision and an outcome.", parameter);
        }
    }

    private static void ValidateLease(LeaseToken? lease, string parameter)
    {
        ArgumentNullException.ThrowIfNull(lease, parameter);
        if (string.IsNullOrEmpty(lease.Name) || string.IsNullOrEmpty(lease.Owner))
        {
            throw new ArgumentException("A lease token needs a name and an owner.", parameter);
        }
    }

    private static void ValidateName(string value, string parameter)
    {
        ArgumentException.ThrowIfNullOrEmpty(value, parameter);
        if (value.Length > MaxNameLength)
        {
            throw new ArgumentException($"The value must be 1-{MaxNameLength} characters; it has {value.Length}.", parameter);
        }
    }

    private static void ValidateLimit(int value, int max, string parameter)
    {
        if (value < 1 || value > max)
        {
            throw new ArgumentOutOfRangeException(parameter, value, $"The limit must be 1-{max.ToString("N0", CultureInfo.InvariantCulture)}.");
        }
    }

    private static void ValidateDuration(TimeSpan duration, string parameter)
    {
        if (duration <= TimeSpan.Zero || duration > MaxLeaseDuration)
        {
            throw new ArgumentOutOfRangeException(parameter, duration, "A lease duration must be positive and at most 366 days.");
        }
    }
}

namespace Scm.Storage;

/// <summary>
/// A set of writes a store applies atomically: all of them or none. Every update and delete carries the
/// version it expects; an optional lease condition fences the whole batch, so a node that lost its lease
/// (paused past expiry, then woke up) cannot write.
/// </summary>
public sealed class StoreBatch
{
    private readonly List<StoreOperation> _operations = [];

    /// <summary>The operations in the order they were added.</summary>
    public IReadOnlyList<StoreOperation> Operations => _operations;

    /// <summary>If set, the batch fails with <see cref="StoreConflictReason.LeaseLost"/> unless this lease is still held with this fencing token and has not expired.</summary>
    public LeaseToken? RequiredLease { get; private set; }

    /// <summary>Whether the batch has no operations.</summary>
    public bool IsEmpty => _operations.Count == 0;

    /// <summary>Fences the batch with a lease.</summary>
    /// <param name="lease">The lease that must still be held.</param>
    /// <returns>This batch.</returns>
    public StoreBatch RequireLease(LeaseToken lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        RequiredLease = lease;
        return this;
    }

    /// <summary>Inserts a new order (its <see cref="CertificateOrder.Version"/> must be 0).</summary>
    /// <param name="order">The order.</param>
    /// <returns>This batch.</returns>
    public StoreBatch InsertOrder(CertificateOrder order) => Add(new InsertOrderOperation(order));

    /// <summary>Updates an order; <see cref="CertificateOrder.Version"/> is the version expected in the store.</summary>
    /// <param name="order">The new content of the order.</param>
    /// <returns>This batch.</returns>
    public StoreBatch UpdateOrder(CertificateOrder order) => Add(new UpdateOrderOperation(order));

    /// <summary>Deletes an order.</summary>
    /// <param name="id">Order id.</param>
    /// <param name="expectedVersion">The version expected in the store.</param>
    /// <returns>This batch.</returns>
    public StoreBatch DeleteOrder(Guid id, long expectedVersion) => Add(new DeleteOrderOperation(id, expectedVersion));

    /// <summary>Inserts a new certificate (its <see cref="ManagedCertificate.Version"/> must be 0).</summary>
    /// <param name="certificate">The certificate.</param>
    /// <returns>This batch.</returns>
    public StoreBatch InsertCertificate(ManagedCertificate certificate) => Add(new InsertCertificateOperation(certificate));

    /// <summary>Updates a certificate; <see cref="ManagedCertificate.Version"/> is the version expected in the store.</summary>
    /// <param name="certificate">The new content of the certificate.</param>
    /// <returns>This batch.</returns>
    public StoreBatch UpdateCertificate(ManagedCertificate certificate) => Add(new UpdateCertificateOperation(certificate));

    /// <summary>Deletes a certificate.</summary>
    /// <param name="id">Certificate id.</param>
    /// <param name="expectedVersion">The version expected in the store.</param>
    /// <returns>This batch.</returns>
    public StoreBatch DeleteCertificate(Guid id, long expectedVersion) => Add(new DeleteCertificateOperation(id, expectedVersion));

    /// <summary>Appends an audit entry in the same transaction.</summary>
    /// <param name="entry">The entry (its sequence is assigned by the store).</param>
    /// <returns>This batch.</returns>
    public StoreBatch Audit(AuditEntry entry) => Add(new AppendAuditOperation(entry));

    private StoreBatch Add(StoreOperation operation)
    {
        _operations.Add(operation);
        return this;
    }
}

/// <summary>One write in a <see cref="StoreBatch"/>.</summary>
public abstract record StoreOperation;

/// <summary>Insert an order.</summary>
/// <param name="Order">The order, with version 0.</param>
public sealed record InsertOrderOperation(CertificateOrder Order) : StoreOperation;

/// <summary>Update an order.</summary>
/// <param name="Order">The order; its version is the expected stored version.</param>
public sealed record UpdateOrderOperation(CertificateOrder Order) : StoreOperation;

/// <summary>Delete an order.</summary>
/// <param name="Id">Order id.</param>
/// <param name="ExpectedVersion">Expected stored version.</param>
public sealed record DeleteOrderOperation(Guid Id, long ExpectedVersion) : StoreOperation;

/// <summary>Insert a certificate.</summary>
/// <param name="Certificate">The certificate, with version 0.</param>
public sealed record InsertCertificateOperation(ManagedCertificate Certificate) : StoreOperation;

/// <summary>Update a certificate.</summary>
/// <param name="Certificate">The certificate; its version is the expected stored version.</param>
public sealed record UpdateCertificateOperation(ManagedCertificate Certificate) : StoreOperation;

/// <summary>Delete a certificate.</summary>
/// <param name="Id">Certificate id.</param>
/// <param name="ExpectedVersion">Expected stored version.</param>
public sealed record DeleteCertificateOperation(Guid Id, long ExpectedVersion) : StoreOperation;

/// <summary>Append an audit entry.</summary>
/// <param name="Entry">The entry.</param>
public sealed record AppendAuditOperation(AuditEntry Entry) : StoreOperation;

/// <summary>What a committed batch stored: the records with their new versions and the audit entries with their sequences.</summary>
public sealed class StoreBatchResult
{
    /// <summary>Creates a result.</summary>
    /// <param name="orders">Orders inserted or updated, with their new versions.</param>
    /// <param name="certificates">Certificates inserted or updated, with their new versions.</param>
    /// <param name="auditEntries">Audit entries appended, with their sequences.</param>
    public StoreBatchResult(IReadOnlyList<CertificateOrder> orders, IReadOnlyList<ManagedCertificate> certificates, IReadOnlyList<AuditEntry> auditEntries)
    {
        Orders = orders;
        Certificates = certificates;
        AuditEntries = auditEntries;
    }

    /// <summary>Orders inserted or updated, with their new versions, in batch order.</summary>
    public IReadOnlyList<CertificateOrder> Orders { get; }

    /// <summary>Certificates inserted or updated, with their new versions, in batch order.</summary>
    public IReadOnlyList<ManagedCertificate> Certificates { get; }

    /// <summary>Audit entries appended, with their sequences, in batch order.</summary>
    public IReadOnlyList<AuditEntry> AuditEntries { get; }

    /// <summary>The stored version of an order written by the batch.</summary>
    /// <param name="id">Order id.</param>
    /// <returns>The order as stored.</returns>
    public CertificateOrder Order(Guid id) => Orders.Last(o => o.Id == id);

    /// <summary>The stored version of a certificate written by the batch.</summary>
    /// <param name="id">Certificate id.</param>
    /// <returns>The certificate as stored.</returns>
    public ManagedCertificate Certificate(Guid id) => Certificates.Last(c => c.Id == id);
}

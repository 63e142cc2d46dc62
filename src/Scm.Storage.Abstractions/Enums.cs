namespace Scm.Storage;

/// <summary>Why an order exists.</summary>
public enum OrderKind
{
    /// <summary>A new certificate (SCM enroll).</summary>
    New = 0,

    /// <summary>A renewal of an existing certificate (SCM renewById), with a new key unless reuse was asked for.</summary>
    Renewal = 1,

    /// <summary>A reissue of an existing certificate (SCM replace): same sslId, new key and CSR.</summary>
    Reissue = 2,

    /// <summary>An order that already existed in SCM and was imported; there is no local key.</summary>
    Import = 3,
}

/// <summary>
/// The persisted state machine of an order. Each step is stored before the next side effect,
/// so a process killed at any point resumes without a duplicate order and without losing a key.
/// </summary>
public enum OrderState
{
    /// <summary>The intent is recorded; no key exists yet.</summary>
    Planned = 0,

    /// <summary>The protected private key and the CSR are stored; nothing was sent to SCM.</summary>
    KeyPersisted = 1,

    /// <summary>The request is about to be, or is being, sent to SCM (correlation token and fence recorded).</summary>
    Submitting = 2,

    /// <summary>The outcome of a submission is unknown; the order must be reconciled with SCM before anything is re-sent.</summary>
    Ambiguous = 3,

    /// <summary>SCM accepted the order (its sslId is stored); waiting for issuance.</summary>
    Submitted = 4,

    /// <summary>SCM holds the order for an administrator's approval.</summary>
    AwaitingApproval = 5,

    /// <summary>The certificate was issued and verified but the inventory's licence cap is reached; it is installed when capacity frees.</summary>
    Parked = 6,

    /// <summary>The order needs an operator's attention (for example it has waited too long); it is never re-ordered automatically.</summary>
    Stuck = 7,

    /// <summary>Terminal: the certificate was collected, verified and installed into the inventory.</summary>
    Completed = 8,

    /// <summary>Terminal: the collected certificate did not match the key, the requested names or was expired; it was not installed.</summary>
    InvalidCertificate = 9,

    /// <summary>Terminal: SCM or the CA declined, rejected or invalidated the order, or it failed before submission.</summary>
    Failed = 10,

    /// <summary>Terminal: the order was cancelled.</summary>
    Cancelled = 11,
}

/// <summary>Helpers over <see cref="OrderState"/> shared by every store implementation.</summary>
public static class OrderStates
{
    /// <summary>
    /// Whether an order in <paramref name="state"/> is open (non-terminal). A store holds at most one open
    /// order per <see cref="CertificateOrder.CertificateId"/>.
    /// </summary>
    /// <param name="state">The state to classify.</param>
    /// <returns><see langword="true"/> for every state except Completed, InvalidCertificate, Failed and Cancelled.</returns>
    public static bool IsOpen(OrderState state) =>
        state is not (OrderState.Completed or OrderState.InvalidCertificate or OrderState.Failed or OrderState.Cancelled);
}

/// <summary>Key algorithms the SDK generates keys for.</summary>
public enum KeyAlgorithm
{
    /// <summary>RSA, with a key size in bits.</summary>
    Rsa = 0,

    /// <summary>Elliptic curve (ECDSA), with a named curve such as P-256.</summary>
    EC = 1,
}

/// <summary>How the certificate and its private key are packaged.</summary>
public enum KeystoreType
{
    /// <summary>PEM: certificate chain and a PKCS#8 private key.</summary>
    Pem = 0,

    /// <summary>PKCS#12 (.pfx/.p12), encrypted with PBES2 AES-256/SHA-256.</summary>
    Pkcs12 = 1,

    /// <summary>Java KeyStore (.jks).</summary>
    Jks = 2,
}

/// <summary>State of a certificate in the inventory.</summary>
public enum CertificateStatus
{
    /// <summary>In service: counted against the licence cap and watched for renewal.</summary>
    Active = 0,

    /// <summary>Replaced by a renewal or a reissue that was collected and verified (see the lineage links).</summary>
    Superseded = 1,

    /// <summary>Revoked at the CA (SCM confirmed it).</summary>
    Revoked = 2,
}

/// <summary>Per-certificate auto-renewal choice.</summary>
public enum AutoRenewMode
{
    /// <summary>Follow the engine's auto-renewal policy selection.</summary>
    Inherit = 0,

    /// <summary>Always auto-renew this certificate (when the policy is enabled).</summary>
    Enabled = 1,

    /// <summary>Never auto-renew this certificate.</summary>
    Disabled = 2,
}

/// <summary>Where a managed certificate came from.</summary>
public enum CertificateOrigin
{
    /// <summary>Ordered through this SDK with a locally generated key.</summary>
    Ordered = 0,

    /// <summary>Imported from SCM's existing orders; there may be no local key (observe-only).</summary>
    Imported = 1,
}

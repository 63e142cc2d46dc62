namespace Scm.Client;

/// <summary>Well-known SCM error codes (the <c>code</c> of an error body; see <see cref="ScmRequestException.ScmErrorCode"/>).</summary>
/// <remarks>SCM reuses some numbers for different messages; combine the code with the operation when deciding.</remarks>
public static class ScmErrorCodes
{
    /// <summary>0: "Being processed by Sectigo" (older answer to collect before issuance).</summary>
    public const int BeingProcessedLegacy = 0;

    /// <summary>-1: Unknown error.</summary>
    public const int UnknownError = -1;

    /// <summary>-2: Internal error.</summary>
    public const int InternalError = -2;

    /// <summary>-3: Not authorized to perform the action.</summary>
    public const int NotAuthorized = -3;

    /// <summary>-7: A required field is missing.</summary>
    public const int RequiredFieldMissing = -7;

    /// <summary>-10: Error while decoding the CSR.</summary>
    public const int CsrDecodingError = -10;

    /// <summary>-16: Unknown user (bad credentials; HTTP 401).</summary>
    public const int UnknownUser = -16;

    /// <summary>-36: The term is not valid for the certificate profile.</summary>
    public const int InvalidTerm = -36;

    /// <summary>-62: A mandatory custom field is missing.</summary>
    public const int MissingMandatoryCustomField = -62;

    /// <summary>-102: Only issued certificates can be revoked.</summary>
    public const int OnlyIssuedCanBeRevoked = -102;

    /// <summary>-103: The certificate has not been collected yet.</summary>
    public const int NotCollectedYet = -103;

    /// <summary>-107: DCV incomplete or expired.</summary>
    public const int DcvIncomplete = -107;

    /// <summary>-109: The certificate is not available now; try again later.</summary>
    public const int NotAvailableNow = -109;

    /// <summary>-110: The certificate has been revoked and cannot be downloaded.</summary>
    public const int RevokedCannotDownload = -110;

    /// <summary>-111: No certificate profile found by that id.</summary>
    public const int ProfileNotFound = -111;

    /// <summary>-124: Wrong SSL certificate id.</summary>
    public const int WrongSslId = -124;

    /// <summary>-126: Unknown certificate file format requested.</summary>
    public const int UnknownFormat = -126;

    /// <summary>-138: Invalid CSR.</summary>
    public const int InvalidCsr = -138;

    /// <summary>-140: CSR decoding temporarily unavailable; retry later.</summary>
    public const int CsrDecodingUnavailable = -140;

    /// <summary>-159: The certificate is already revoked (also reused for a custom-field limit).</summary>
    public const int AlreadyRevoked = -159;

    /// <summary>-169: The certificate is not available; contact the administrator.</summary>
    public const int CertificateNotAvailable = -169;

    /// <summary>-180: The profile does not allow renewal.</summary>
    public const int RenewNotAllowed = -180;

    /// <summary>-183: The certificate is not collectable (not issued yet).</summary>
    public const int NotCollectable = -183;

    /// <summary>-188: The maximum number of valid certificates is reached.</summary>
    public const int CertificateQuotaReached = -188;

    /// <summary>-195: The CA is not available now; retry later.</summary>
    public const int CaUnavailable = -195;

    /// <summary>-639: The organization id is invalid.</summary>
    public const int InvalidOrganization = -639;

    /// <summary>-727: The domain does not exist.</summary>
    public const int DomainDoesNotExist = -727;

    /// <summary>-737: Domain(s) not validated; complete DCV first.</summary>
    public const int DomainNotValidated = -737;

    /// <summary>-970: Incorrect login credentials.</summary>
    public const int IncorrectCredentials = -970;

    /// <summary>-1002: Cannot parse the message body.</summary>
    public const int CannotParseBody = -1002;

    /// <summary>-1010: The domain is not allowed.</summary>
    public const int DomainNotAllowed = -1010;

    /// <summary>-1112: The certificate cannot be approved in its current state.</summary>
    public const int CannotApproveInState = -1112;

    /// <summary>-1137: Domain(s) not validated under DCV (enroll or renew for a name whose DCV is missing or expired).</summary>
    public const int DomainNotValidatedUnderDcv = -1137;

    /// <summary>-1603: Error validating the domain (a DCV submit whose check failed).</summary>
    public const int DomainValidationFailed = -1603;

    /// <summary>-1608: DCV is not enabled for this customer.</summary>
    public const int DcvNotEnabled = -1608;

    /// <summary>-1400: The request is being processed by Sectigo.</summary>
    public const int BeingProcessed = -1400;

    /// <summary>-1450: Unsupported certificate format.</summary>
    public const int UnsupportedFormat = -1450;

    /// <summary>-3114: Modified by another user.</summary>
    public const int ModifiedByAnotherUser = -3114;

    /// <summary>-3115: Deleted by another user.</summary>
    public const int DeletedByAnotherUser = -3115;

    /// <summary>-5101: Certificate not found.</summary>
    public const int CertificateNotFound = -5101;

    /// <summary>Whether <paramref name="code"/> on a collect means "not issued yet, poll again" (0, -183, -1400, -109, -103).</summary>
    /// <param name="code">The SCM error code.</param>
    /// <returns>True for the "not ready" family.</returns>
    public static bool IsNotReady(int code) => code is BeingProcessedLegacy or NotCollectable or BeingProcessed or NotAvailableNow or NotCollectedYet;

    /// <summary>Whether <paramref name="code"/> is an authentication failure (-16, -970).</summary>
    /// <param name="code">The SCM error code.</param>
    /// <returns>True for credential errors.</returns>
    public static bool IsAuthenticationFailure(int code) => code is UnknownUser or IncorrectCredentials;
}

namespace Scm.Client;

/// <summary>
/// Which of Sectigo's two API documents the client's request vocabulary follows, where they differ: filter values
/// (<c>status</c>, <c>installStatus</c>, <c>renewalStatus</c>, <c>requestedVia</c>), JSON types of codes
/// (<c>reasonCode</c>, report codes), a few paths and verbs (<c>managedBy</c> vs <c>managed-by</c>, the keystore link),
/// and values only one version documents. Where both documents agree the request is the same in either mode.
/// See docs/configuration.md for the table of differences.
/// </summary>
public enum ScmApiVersion
{
    /// <summary>
    /// Sectigo's "Certificate Manager 25.5 REST API" document (the default): UPPER_SNAKE filter values
    /// (<c>KEY_READY</c>, <c>NOT_SCHEDULED</c>, <c>WEB_FORM</c>), <c>SAApproved</c>, numeric <c>reasonCode</c> and report
    /// codes, <c>organization/v1/managedBy/{role}</c>, the keystore link by GET. Every instance up to 25.5 documents these.
    /// </summary>
    Rest25_5 = 0,

    /// <summary>
    /// Sectigo's "Admin Operations" OpenAPI document 25.9.2: display-string filter values (<c>Key and CSR ready</c>,
    /// <c>Not scheduled</c>, <c>Enrollment Form</c>), <c>SA Approved</c>, string <c>reasonCode</c> and report codes,
    /// <c>organization/v1/managed-by/{role}</c>, the keystore link by POST (with an optional pass phrase), and the values
    /// only 25.9 documents (<c>dcvMode</c> <c>AUTO</c>, the <c>sha256Hash</c> filter).
    /// </summary>
    Admin25_9 = 1,
}

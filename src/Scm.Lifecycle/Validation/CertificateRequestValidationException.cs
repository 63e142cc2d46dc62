namespace Scm.Lifecycle;

/// <summary>One rule a request broke.</summary>
/// <param name="Field">The request field, e.g. <c>CommonName</c> or <c>SubjectAlternativeNames[2]</c>.</param>
/// <param name="Rule">A stable rule id, e.g. <c>dns-name</c>, <c>term-not-offered</c>.</param>
/// <param name="Message">A message that names the field, the rule and what is allowed (never a secret).</param>
public sealed record ValidationError(string Field, string Rule, string Message);

/// <summary>
/// A request was rejected before anything was sent to SCM. <see cref="Errors"/> lists every rule that was broken;
/// the message joins them. Nothing was stored.
/// </summary>
public sealed class CertificateRequestValidationException : ArgumentException
{
    /// <summary>Creates an exception from one or more errors.</summary>
    /// <param name="errors">The errors (at least one).</param>
    public CertificateRequestValidationException(IReadOnlyList<ValidationError> errors)
        : base(BuildMessage(errors), errors.Count > 0 ? errors[0].Field : null)
    {
        Errors = errors;
    }

    /// <summary>Every rule the request broke.</summary>
    public IReadOnlyList<ValidationError> Errors { get; }

    /// <summary>Whether a given field has an error.</summary>
    /// <param name="field">Field name (prefix match, so <c>SubjectAlternativeNames</c> matches <c>SubjectAlternativeNames[1]</c>).</param>
    /// <returns><see langword="true"/> when it has.</returns>
    public bool HasErrorFor(string field) => Errors.Any(e => e.Field.StartsWith(field, StringComparison.Ordinal));

    private static string BuildMessage(IReadOnlyList<ValidationError> errors) =>
        errors.Count == 1 ? errors[0].Message : $"{errors.Count} problems: " + string.Join(" ", errors.Select(e => e.Message));
}

namespace Scm.Lifecycle.DomainValidation;

/// <summary>How a domain's control is proved to SCM when the engine revalidates it.</summary>
public enum DcvChallengeMethod
{
    /// <summary>A DNS CNAME record (<see cref="DcvChallenge.RecordName"/> pointing to <see cref="DcvChallenge.RecordValue"/>).</summary>
    Cname = 0,

    /// <summary>A file served over HTTP on port 80 at <see cref="DcvChallenge.FileUrl"/> with <see cref="DcvChallenge.FileContent"/>.</summary>
    Http = 1,

    /// <summary>A file served over HTTPS on port 443 at <see cref="DcvChallenge.FileUrl"/> with <see cref="DcvChallenge.FileContent"/>.</summary>
    Https = 2,

    /// <summary>A DNS TXT record (<see cref="DcvChallenge.RecordName"/> with the value <see cref="DcvChallenge.RecordValue"/>).</summary>
    Txt = 3,
}

/// <summary>What a <see cref="IDcvResponder"/> must put in place (and later remove) so that SCM can check control of a domain.</summary>
public sealed record DcvChallenge
{
    /// <summary>The registered domain being validated, e.g. <c>example.com</c>.</summary>
    public required string Domain { get; init; }

    /// <summary>The method; it says which of the other members are set.</summary>
    public required DcvChallengeMethod Method { get; init; }

    /// <summary>For <see cref="DcvChallengeMethod.Cname"/> and <see cref="DcvChallengeMethod.Txt"/>: the record's owner name as SCM gave it (may end with a dot).</summary>
    public string? RecordName { get; init; }

    /// <summary>For <see cref="DcvChallengeMethod.Cname"/>: the CNAME target; for <see cref="DcvChallengeMethod.Txt"/>: the TXT value.</summary>
    public string? RecordValue { get; init; }

    /// <summary>For <see cref="DcvChallengeMethod.Http"/> and <see cref="DcvChallengeMethod.Https"/>: where SCM fetches the file.</summary>
    public Uri? FileUrl { get; init; }

    /// <summary>For <see cref="DcvChallengeMethod.Http"/> and <see cref="DcvChallengeMethod.Https"/>: the file's content (two lines, <c>\n</c>-separated).</summary>
    public string? FileContent { get; init; }
}

/// <summary>
/// Publishes domain control validation challenges for the engine: a DNS record or an HTTP(S) file the host puts in place
/// so that SCM can revalidate a domain before an order or renewal needs it. Register one with
/// <c>builder.AddDcvResponder&lt;T&gt;()</c>. Without one, the engine warns ahead of time (<see cref="DcvExpiringEvent"/>,
/// the health check, the audit trail) and defers orders whose domain validation would have lapsed.
/// </summary>
public interface IDcvResponder
{
    /// <summary>The methods this responder can publish, most preferred first (must not be empty).</summary>
    IReadOnlyList<DcvChallengeMethod> SupportedMethods { get; }

    /// <summary>Puts the challenge in place; return once it is visible to SCM (DNS propagated, file served).</summary>
    /// <param name="challenge">What to publish.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the challenge is published.</returns>
    Task PublishAsync(DcvChallenge challenge, CancellationToken cancellationToken);

    /// <summary>Removes what <see cref="PublishAsync"/> put in place. Called after every attempt, also a failed one.</summary>
    /// <param name="challenge">What was published.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the challenge is removed.</returns>
    Task RemoveAsync(DcvChallenge challenge, CancellationToken cancellationToken);
}

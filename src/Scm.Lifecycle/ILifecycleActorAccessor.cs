namespace Scm.Lifecycle;

/// <summary>
/// Tells the engine who is acting, for the audit trail. A host that serves people (a web dashboard, an API with signed-in
/// users) registers one in DI (<c>services.AddSingleton&lt;ILifecycleActorAccessor, MyAccessor&gt;()</c>); the engine
/// reads it once at the start of every operation a host calls (order, renew, reissue, revoke, cancel, delete, status
/// checks, import, auto-renewal policy and runs, deployment, password change, account check) and records the value as
/// <see cref="Scm.Storage.AuditEntry.Actor"/> of the entries that operation writes. Work the engine starts by itself
/// (the scheduler's jobs) keeps the actor <c>scheduler</c>. Optional: without an accessor, or when it returns
/// <see langword="null"/> or an empty string, the actor is <c>api</c>.
/// </summary>
/// <remarks>
/// The value must be at most <see cref="CertificateRequestLimits.MaxActorLength"/> (128) characters, not only white space, and free of control
/// characters; otherwise the operation is refused with a <see cref="CertificateRequestValidationException"/> (field
/// <c>Actor</c>, rules <c>actor-length</c>, <c>actor-blank</c>, <c>actor-control-characters</c>) before anything is stored
/// or sent to SCM. The accessor is called on the caller's execution context, so an implementation may read ambient
/// state such as the current HTTP request's user (work moved to a background task must carry the user itself).
/// </remarks>
public interface ILifecycleActorAccessor
{
    /// <summary>Who is acting now (for example the signed-in user's name), or <see langword="null"/> for the default <c>api</c>.</summary>
    string? Actor { get; }
}

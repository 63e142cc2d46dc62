namespace Scm.Lifecycle;

/// <summary>
/// Where the host keeps the SCM admin password its configuration reads (a secret store, user secrets, a file): the SDK
/// cannot write the host's configuration, so <see cref="ICertificateLifecycle.ChangeScmPasswordAsync"/> hands the new
/// password to this hook at each step, and the host decides how to store it.
/// </summary>
/// <remarks>
/// The order makes a lost password impossible: the new password is saved as pending <b>before</b> SCM is asked to change
/// it (if saving fails nothing is sent), committed after SCM accepted it and <b>before</b> the engine relies on it, and
/// discarded when SCM did not change it. After a commit the configuration's next reload (or the next start) reads the new
/// password; the running engine already uses it. Implementations must never log the password.
/// See docs/operations.md, "Rotating the SCM API password".
/// </remarks>
public interface IScmPasswordStore
{
    /// <summary>
    /// Saves the new password durably as pending, beside the current one (not yet the configured password: SCM does not
    /// know it yet). Called before anything is sent; when this throws the change is abandoned.
    /// </summary>
    /// <param name="change">The account, the new password and the configuration key it replaces.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes when the pending password is stored.</returns>
    Task SavePendingAsync(ScmPasswordChange change, CancellationToken cancellationToken);

    /// <summary>
    /// Makes the new password the configured one (for example writes <see cref="ScmPasswordChange.ConfigurationKey"/> in the
    /// secret store). Called once SCM accepted it, before the engine depends on it.
    /// </summary>
    /// <param name="change">The change SCM accepted.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes when the configuration holds the new password.</returns>
    Task CommitAsync(ScmPasswordChange change, CancellationToken cancellationToken);

    /// <summary>Drops the pending password: SCM did not change the password, the current one stays valid.</summary>
    /// <param name="change">The change SCM refused or never received.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>A task that completes when the pending password is gone.</returns>
    Task DiscardAsync(ScmPasswordChange change, CancellationToken cancellationToken);
}

/// <summary>A new SCM admin password on its way to SCM and to the host's configuration. <see cref="ToString"/> never shows the password.</summary>
public sealed class ScmPasswordChange
{
    /// <summary>The configuration key the engine reads the password from: <c>Sectigo:Client:Password</c>.</summary>
    public const string DefaultConfigurationKey = SectigoCertificateManagementOptions.SectionName + ":Client:Password";

    /// <summary>Creates a change.</summary>
    /// <param name="accountId">The engine's account id.</param>
    /// <param name="newPassword">The new password.</param>
    /// <param name="generated">Whether the engine generated it.</param>
    /// <param name="requestedAt">When the change was started.</param>
    /// <param name="configurationKey">The configuration key of the account's password (default <see cref="DefaultConfigurationKey"/>; <c>Sectigo:Accounts:{name}:Client:Password</c> for an account of <c>Sectigo:Accounts</c>).</param>
    public ScmPasswordChange(string accountId, string newPassword, bool generated, DateTimeOffset requestedAt, string? configurationKey = null)
    {
        ArgumentNullException.ThrowIfNull(accountId);
        ArgumentException.ThrowIfNullOrEmpty(newPassword);
        AccountId = accountId;
        ConfigurationKey = string.IsNullOrWhiteSpace(configurationKey) ? DefaultConfigurationKey : configurationKey;
        NewPassword = newPassword;
        Generated = generated;
        RequestedAt = requestedAt;
    }

    /// <summary>The engine's account id (<see cref="SectigoCertificateManagementOptions.AccountId"/>), for hosts serving several accounts.</summary>
    public string AccountId { get; }

    /// <summary>The new password. A secret: store it, never log or print it.</summary>
    public string NewPassword { get; }

    /// <summary>Whether the engine generated the password (the host's store is then the only place that knows it).</summary>
    public bool Generated { get; }

    /// <summary>When the change was started.</summary>
    public DateTimeOffset RequestedAt { get; }

    /// <summary>
    /// The configuration key the new password belongs under: <see cref="DefaultConfigurationKey"/> (environment variable
    /// <c>Sectigo__Client__Password</c>) for a single-account host, <c>Sectigo:Accounts:{name}:Client:Password</c> for an
    /// account of <c>Sectigo:Accounts</c>.
    /// </summary>
    public string ConfigurationKey { get; }

    /// <summary>Describes the change without the password.</summary>
    /// <returns>For example <c>ScmPasswordChange { AccountId = default, ConfigurationKey = Sectigo:Client:Password, NewPassword = *** }</c>.</returns>
    public override string ToString() => "ScmPasswordChange { AccountId = " + AccountId + ", ConfigurationKey = " + ConfigurationKey + ", NewPassword = *** }";
}

/// <summary>How a password change ended.</summary>
public enum ScmPasswordChangeOutcome
{
    /// <summary>SCM holds the new password; the engine uses it and the host's store committed it (see <see cref="ScmPasswordChangeResult.Saved"/>).</summary>
    Changed = 0,

    /// <summary>SCM refused the new password (for example its password policy, code -7306) or the current credentials; nothing changed.</summary>
    Refused = 1,

    /// <summary>The request never reached SCM, or SCM was shown to still hold the current password; nothing changed.</summary>
    NotChanged = 2,

    /// <summary>SCM's answer was lost and could not be settled (SCM unreachable); the pending password is kept in the host's store.</summary>
    Unknown = 3,
}

/// <summary>The outcome of <see cref="ICertificateLifecycle.ChangeScmPasswordAsync"/>. Never contains the password.</summary>
public sealed record ScmPasswordChangeResult
{
    /// <summary>How it ended.</summary>
    public required ScmPasswordChangeOutcome Outcome { get; init; }

    /// <summary>What happened and what to do, in words safe to show.</summary>
    public required string Message { get; init; }

    /// <summary>SCM's error code when SCM refused the change.</summary>
    public int? ScmErrorCode { get; init; }

    /// <summary>Whether the host's <see cref="IScmPasswordStore.CommitAsync"/> stored the new password (only with <see cref="ScmPasswordChangeOutcome.Changed"/>).</summary>
    public bool Saved { get; init; }

    /// <summary>Whether the engine generated the password (it is only in the host's store).</summary>
    public bool Generated { get; init; }

    /// <summary>The password state SCM reports after a change, when read.</summary>
    public string? PasswordState { get; init; }

    /// <summary>When the new password expires, when SCM reports it.</summary>
    public DateOnly? PasswordExpires { get; init; }
}

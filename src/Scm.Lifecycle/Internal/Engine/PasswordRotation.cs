using System.Security.Cryptography;
using Scm.Client;
using Scm.Storage;

namespace Scm.Lifecycle.Internal.Engine;

/// <summary>
/// Changes the SCM API admin's password (<c>POST /admin/v1/changepassword</c>) without ever losing it: pending in the
/// host's store before SCM is asked, committed once SCM holds it, discarded when SCM does not. A lost answer is settled by
/// asking SCM which password it accepts (the current one still works: not changed; it is refused and the new one works:
/// changed). The password never reaches a log, an audit entry, an exception or the result.
/// </summary>
internal sealed class PasswordRotation
{
    internal const string Action = "PasswordChange";
    private const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789-_.";

    private readonly EngineContext _ctx;

    public PasswordRotation(EngineContext context) => _ctx = context;

    public async Task<ScmPasswordChangeResult> ChangeAsync(IScmPasswordStore store, string? newPassword, string actor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var client = _ctx.Options.Client;
        if (client.AuthenticationMode != ScmAuthenticationMode.Password)
        {
            throw new InvalidOperationException("Changing the SCM admin password needs password authentication (Sectigo:Client:AuthenticationMode = Password); this engine uses "
                + client.AuthenticationMode + ", whose requests carry no admin password.");
        }

        var generated = newPassword is null;
        newPassword ??= Generate(client.Login);
        Validate(newPassword, client.Login);
        var change = new ScmPasswordChange(_ctx.Options.AccountId, newPassword, generated, _ctx.Now, _ctx.PasswordConfigurationKey);

        // 1. Durable before anything is sent: if this throws, SCM is never asked.
        await store.SavePendingAsync(change, cancellationToken).ConfigureAwait(false);
        Log.PasswordChangeStarted(_ctx.Logger, generated);

        ScmCallException? failure;
        try
        {
            await _ctx.RawGateway.ChangePasswordAsync(newPassword, cancellationToken).ConfigureAwait(false);
            failure = null;
        }
        catch (ArgumentException)
        {
            // A rule only the client could check (the new password equals the current one): nothing was sent.
            _ = await TryDiscardAsync(store, change).ConfigureAwait(false);
            throw;
        }
        catch (ScmCallException ex)
        {
            failure = ex;
        }

        if (failure is null)
        {
            return await ChangedAsync(store, change, actor, "SCM accepted the new password", cancellationToken).ConfigureAwait(false);
        }

        switch (failure.Kind)
        {
            case SubmitFailureKind.Rejected or SubmitFailureKind.Unavailable or SubmitFailureKind.Unauthorized:
                var refused = failure.Kind == SubmitFailureKind.Unauthorized
                    ? $"SCM refused the current credentials ({failure.Message}); the password was not changed."
                    : $"SCM refused the new password ({failure.Message}); the current password stays valid.";
                refused += await TryDiscardAsync(store, change).ConfigureAwait(false);
                return await FinishAsync(ScmPasswordChangeOutcome.Refused, refused, failure.ScmErrorCode, generated, actor, cancellationToken).ConfigureAwait(false);
            case SubmitFailureKind.NotSent:
                var notSent = $"The request did not reach SCM ({failure.Message}); the password was not changed." + await TryDiscardAsync(store, change).ConfigureAwait(false);
                return await FinishAsync(ScmPasswordChangeOutcome.NotChanged, notSent, null, generated, actor, cancellationToken).ConfigureAwait(false);
        }

        // The answer was lost (timeout, 5xx, 429, dropped connection): ask SCM which password it now accepts.
        try
        {
            _ = await _ctx.RawGateway.GetPasswordStateAsync(cancellationToken).ConfigureAwait(false);
            var kept = "SCM's answer was lost, but SCM still accepts the current password: the password was not changed." + await TryDiscardAsync(store, change).ConfigureAwait(false);
            return await FinishAsync(ScmPasswordChangeOutcome.NotChanged, kept, null, generated, actor, cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException probe) when (probe.Kind == SubmitFailureKind.Unauthorized)
        {
            _ctx.RawGateway.UsePassword(newPassword);
            try
            {
                _ = await _ctx.RawGateway.GetPasswordStateAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ScmCallException)
            {
                return await FinishAsync(ScmPasswordChangeOutcome.Unknown,
                    "SCM's answer was lost and SCM now refuses the current password, but the new one could not be confirmed; the new password is kept as pending in the password store: check the account and commit it by hand if SCM accepts it.",
                    null, generated, actor, cancellationToken).ConfigureAwait(false);
            }

            return await ChangedAsync(store, change, actor, "SCM's answer was lost, but SCM now accepts only the new password", cancellationToken).ConfigureAwait(false);
        }
        catch (ScmCallException probe)
        {
            return await FinishAsync(ScmPasswordChangeOutcome.Unknown,
                $"SCM's answer was lost and SCM could not be asked which password it holds ({probe.Message}); the new password is kept as pending in the password store and the current one is still in use: run the change again once SCM is reachable (it is refused if SCM already holds it), or check the account.",
                null, generated, actor, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ScmPasswordChangeResult> ChangedAsync(IScmPasswordStore store, ScmPasswordChange change, string actor, string what, CancellationToken cancellationToken)
    {
        // 2. SCM holds the new password (the client already signs with it): make it the configured one.
        var saved = true;
        string? saveProblem = null;
        try
        {
            await store.CommitAsync(change, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The host's message may quote the secret: only its type is reported.
            saved = false;
            saveProblem = ex.GetType().Name;
        }

        ScmPasswordState? state = null;
        try
        {
            state = await _ctx.RawGateway.GetPasswordStateAsync(cancellationToken).ConfigureAwait(false);
            if (!string.Equals(state.State, "EXPIRED", StringComparison.OrdinalIgnoreCase))
            {
                // The credentials work again (an expired password opened the circuit): resume SCM work on every instance.
                _ctx.AuthCircuit.Close();
                if (await _ctx.Store.GetValueAsync(_ctx.AuthCircuitKey, cancellationToken).ConfigureAwait(false) is not null)
                {
                    await _ctx.Store.SetValueAsync(_ctx.AuthCircuitKey, null, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (ScmCallException)
        {
            // The change itself stands; the state is only informative.
        }

        var message = saved
            ? $"{what}; the engine uses it and the password store committed it under {change.ConfigurationKey}."
            : $"{what} and the engine uses it, but committing it to the password store failed ({saveProblem}): the pending copy saved before the change holds it; store it under {change.ConfigurationKey} before the next start.";
        var result = await FinishAsync(ScmPasswordChangeOutcome.Changed, message, null, change.Generated, actor, cancellationToken).ConfigureAwait(false);
        return result with { Saved = saved, PasswordState = state?.State, PasswordExpires = state?.ExpirationDate };
    }

    /// <summary>Discards the pending password; returns a sentence to append when the host's store failed (its type only: its message may quote the secret).</summary>
    private static async Task<string> TryDiscardAsync(IScmPasswordStore store, ScmPasswordChange change)
    {
        try
        {
            await store.DiscardAsync(change, CancellationToken.None).ConfigureAwait(false);
            return string.Empty;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return $" Discarding the pending password in the password store failed ({ex.GetType().Name}); it is not valid in SCM.";
        }
    }

    private async Task<ScmPasswordChangeResult> FinishAsync(ScmPasswordChangeOutcome outcome, string message, int? code, bool generated, string actor, CancellationToken cancellationToken)
    {
        Log.PasswordChangeFinished(_ctx.Logger, outcome, code);
        await _ctx.Store.AppendAuditAsync(new AuditEntry
        {
            AccountId = _ctx.Options.AccountId,
            Timestamp = _ctx.Now,
            Actor = actor,
            Action = Action,
            Decision = outcome.ToString(),
            Outcome = outcome == ScmPasswordChangeOutcome.Changed ? "Succeeded" : outcome == ScmPasswordChangeOutcome.Unknown ? "Unknown" : "Failed",
            Reason = message,
        }, CancellationToken.None).ConfigureAwait(false);
        return new ScmPasswordChangeResult { Outcome = outcome, Message = message, ScmErrorCode = code, Generated = generated };
    }

    /// <summary>The rules SCM documents (1..32 characters, not the login) and ours (no control characters), checked before anything is stored or sent.</summary>
    internal static void Validate(string newPassword, string? login)
    {
        if (newPassword.Length is 0 or > AdminClient.MaxPasswordLength || string.IsNullOrWhiteSpace(newPassword))
        {
            throw new ArgumentException("newPassword must be 1..32 characters and not blank (SCM -976).", nameof(newPassword));
        }

        if (newPassword.Any(char.IsControl))
        {
            throw new ArgumentException("newPassword must not contain control characters.", nameof(newPassword));
        }

        if (!string.IsNullOrEmpty(login) && newPassword.Contains(login, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("newPassword must not contain the login (SCM -982).", nameof(newPassword));
        }
    }

    /// <summary>24 random characters with an upper-case letter, a lower-case letter, a digit and one of <c>-_.</c>, not containing the login.</summary>
    internal static string Generate(string? login)
    {
        while (true)
        {
            var candidate = RandomNumberGenerator.GetString(Alphabet, 24);
            if (candidate.Any(char.IsUpper) && candidate.Any(char.IsLower) && candidate.Any(char.IsDigit) && candidate.Any(c => c is '-' or '_' or '.')
                && (string.IsNullOrEmpty(login) || !candidate.Contains(login, StringComparison.OrdinalIgnoreCase)))
            {
                return candidate;
            }
        }
    }
}

using System.Security.Cryptography;
using Microsoft.AspNetCore.Identity;
using Scm.Samples.Web.Hosting;

namespace Scm.Samples.Web.Security;

/// <summary>What a sign-in attempt came to.</summary>
public enum SignInOutcome
{
    /// <summary>User name and password match the administrator.</summary>
    Accepted,

    /// <summary>Wrong user name or password (the page does not say which).</summary>
    Refused,

    /// <summary>Too many failures in a row for this user name or client address: refused without checking.</summary>
    LockedOut,
}

/// <summary>
/// Checks the administrator's password against the configured hash (ASP.NET Core Identity's PBKDF2 format) and slows
/// guessing down: after <see cref="DashboardSettings.MaxFailedSignIns"/> failures in a row for one user name or one client
/// address, sign-in is refused for <see cref="DashboardSettings.SignInLockout"/>. An unknown user name costs the same
/// hash computation as a known one. Passwords are never kept, logged or compared as text.
/// </summary>
public sealed class AdministratorSignIn
{
    private static readonly PasswordHasher<string> s_hasher = new();

    private readonly AdministratorSettings _administrator;
    private readonly TimeProvider _time;
    private readonly int _maxFailures;
    private readonly TimeSpan _lockout;
    private readonly string _dummyHash;
    private readonly Dictionary<string, (int Failures, DateTimeOffset LockedUntil)> _failures = new(StringComparer.Ordinal);

    public AdministratorSignIn(AdministratorSettings administrator, DashboardSettings settings, TimeProvider time)
    {
        _administrator = administrator;
        _time = time;
        _maxFailures = Math.Max(1, settings.MaxFailedSignIns);
        _lockout = settings.SignInLockout > TimeSpan.Zero ? settings.SignInLockout : TimeSpan.FromMinutes(1);
        _dummyHash = s_hasher.HashPassword(string.Empty, Convert.ToBase64String(RandomNumberGenerator.GetBytes(16)));
    }

    /// <summary>Whether password sign-in is possible at all.</summary>
    public bool IsConfigured => _administrator.IsConfigured;

    /// <summary>The administrator's user name, if configured.</summary>
    public string? UserName => _administrator.UserName;

    /// <summary>Checks one attempt.</summary>
    /// <param name="userName">The user name typed.</param>
    /// <param name="password">The password typed.</param>
    /// <param name="clientAddress">The client's address (its failures count too).</param>
    /// <returns>The outcome.</returns>
    public SignInOutcome Check(string? userName, string? password, string? clientAddress)
    {
        var userKey = "user:" + (userName ?? string.Empty).Trim().ToUpperInvariant();
        var clientKey = "client:" + (clientAddress ?? "unknown");
        var now = _time.GetUtcNow();
        lock (_failures)
        {
            if (IsLocked(userKey, now) || IsLocked(clientKey, now))
            {
                return SignInOutcome.LockedOut;
            }
        }

        var knownUser = _administrator.IsConfigured && string.Equals(userName?.Trim(), _administrator.UserName, StringComparison.Ordinal);
        var hash = knownUser ? _administrator.PasswordHash! : _dummyHash;
        PasswordVerificationResult verified;
        try
        {
            verified = s_hasher.VerifyHashedPassword(string.Empty, hash, password ?? string.Empty);
        }
        catch (FormatException)
        {
            // A malformed configured hash never lets anyone in.
            verified = PasswordVerificationResult.Failed;
        }

        var accepted = knownUser && !string.IsNullOrEmpty(password) && verified != PasswordVerificationResult.Failed;
        lock (_failures)
        {
            if (accepted)
            {
                _failures.Remove(userKey);
                _failures.Remove(clientKey);
                return SignInOutcome.Accepted;
            }

            Fail(userKey, now);
            Fail(clientKey, now);
            return SignInOutcome.Refused;
        }
    }

    /// <summary>Hashes a password in the format <see cref="AdministratorSettings.PasswordHash"/> takes.</summary>
    public static string HashPassword(string password) => s_hasher.HashPassword(string.Empty, password);

    private bool IsLocked(string key, DateTimeOffset now) => _failures.TryGetValue(key, out var f) && f.LockedUntil > now;

    private void Fail(string key, DateTimeOffset now)
    {
        var failures = (_failures.TryGetValue(key, out var f) && f.LockedUntil <= now && f.Failures >= _maxFailures ? 0 : f.Failures) + 1;
        _failures[key] = (failures, failures >= _maxFailures ? now + _lockout : DateTimeOffset.MinValue);
        if (_failures.Count > 10_000)
        {
            // Bounded memory under a flood of made-up user names: forget the expired entries.
            foreach (var stale in _failures.Where(p => p.Value.LockedUntil <= now && p.Key != key).Select(p => p.Key).ToList())
            {
                _failures.Remove(stale);
            }
        }
    }
}

/// <summary>The one-time administrator password generated in simulator mode (printed once at start, only its hash kept).</summary>
public sealed class OneTimeLogin
{
    private string? _password;

    public OneTimeLogin(string userName, string password)
    {
        UserName = userName;
        _password = password;
    }

    /// <summary>The user name.</summary>
    public string UserName { get; }

    /// <summary>The password, the first time only; <see langword="null"/> afterwards.</summary>
    public string? TakePassword() => Interlocked.Exchange(ref _password, null);

    /// <inheritdoc />
    public override string ToString() => $"OneTimeLogin {{ UserName = {UserName}, Password = *** }}";
}

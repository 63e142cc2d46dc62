using Microsoft.Extensions.Options;

namespace Scm.Lifecycle.Internal;

/// <summary>Validates <see cref="SectigoCertificateManagementOptions"/>; every message names the option.</summary>
internal sealed class LifecycleOptionsValidator : IValidateOptions<SectigoCertificateManagementOptions>
{
    public ValidateOptionsResult Validate(string? name, SectigoCertificateManagementOptions options)
    {
        var errors = Collect(options);
        if (options.Accounts is { Count: 0 } && options.DefaultAccount && options.Client is not null)
        {
            // The single-account host's client is validated with the engine's options at start (a multi-account host
            // validates each account's client in Collect, and may have no client options of its own).
            errors.AddRange(options.Client.Validate());
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static void ThrowIfInvalid(SectigoCertificateManagementOptions options)
    {
        var errors = Collect(options);
        if (errors.Count > 0)
        {
            throw new OptionsValidationException(nameof(SectigoCertificateManagementOptions), typeof(SectigoCertificateManagementOptions), errors);
        }
    }

    internal static List<string> Collect(SectigoCertificateManagementOptions o)
    {
        var e = new List<string>();
        if (o.Accounts is null)
        {
            e.Add("Sectigo:Accounts must be a dictionary (empty when unused).");
            return e;
        }

        if (o.Accounts.Count > 0)
        {
            // Several accounts: this section holds the host-wide settings and the accounts' defaults; each account is
            // validated whole, client included, under its own path.
            e.AddRange(CollectOne(o, "Sectigo:", client: false));
            foreach (var (name, account) in o.Accounts)
            {
                if (!IsAccountName(name))
                {
                    e.Add($"Sectigo:Accounts: the account name '{name}' must be 1-64 letters, digits, '.', '_' or '-'.");
                    continue;
                }

                if (account is null)
                {
                    e.Add($"Sectigo:Accounts:{name} is null.");
                    continue;
                }

                e.AddRange(CollectAccount(name, account));
            }

            return e;
        }

        e.AddRange(CollectOne(o, "Sectigo:", client: false));
        return e;
    }

    /// <summary>One account of a multi-account host (also what <see cref="IScmAccountRegistry"/> checks before adding one).</summary>
    internal static List<string> CollectAccount(string name, SectigoCertificateManagementOptions account)
    {
        var e = new List<string>();
        if (!IsAccountName(name))
        {
            e.Add($"The account name '{name}' must be 1-64 letters, digits, '.', '_' or '-'.");
            return e;
        }

        if (account.Accounts is { Count: > 0 })
        {
            e.Add($"Sectigo:Accounts:{name}:Accounts: an account cannot hold accounts.");
        }

        e.AddRange(CollectOne(account, $"Sectigo:Accounts:{name}:", client: true));
        return e;
    }

    internal static bool IsAccountName(string? name) =>
        name is { Length: >= 1 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-');

    private static List<string> CollectOne(SectigoCertificateManagementOptions o, string P, bool client)
    {
        var e = new List<string>();
        if (string.IsNullOrWhiteSpace(o.AccountId) || o.AccountId.Length > 100)
        {
            e.Add($"{P}AccountId must be 1-100 characters.");
        }

        if (client && o.Client is not null)
        {
            // The client's own rules (credentials, addresses, timeouts), under this account's path.
            e.AddRange(o.Client.Validate().Select(problem => P + "Client: " + problem));
        }

        if (o.InstanceName is { Length: 0 or > 200 })
        {
            e.Add($"{P}InstanceName must be 1-200 characters when set.");
        }

        if (o.Client is null)
        {
            e.Add($"{P}Client is required.");
        }

        Range(e, $"{P}Ordering:MaxSubjectAlternativeNames", o.Ordering.MaxSubjectAlternativeNames, 1, 1000);
        Range(e, $"{P}Ordering:MinKeystorePasswordLength", o.Ordering.MinKeystorePasswordLength, 1, 1024);
        Range(e, $"{P}Ordering:Pkcs12Iterations", o.Ordering.Pkcs12Iterations, 1000, 300_000);
        Positive(e, $"{P}Polling:InitialDelay", o.Polling.InitialDelay);
        Positive(e, $"{P}Polling:MaxDelay", o.Polling.MaxDelay);
        Positive(e, $"{P}Polling:FollowUpWindow", o.Polling.FollowUpWindow);
        Positive(e, $"{P}Polling:SlowDelay", o.Polling.SlowDelay);
        Positive(e, $"{P}Polling:StuckAfterSubmitted", o.Polling.StuckAfterSubmitted);
        Positive(e, $"{P}Polling:StuckAfterAwaitingApproval", o.Polling.StuckAfterAwaitingApproval);
        Positive(e, $"{P}Polling:RetryDelay", o.Polling.RetryDelay);
        if (o.Polling.MaxDelay < o.Polling.InitialDelay)
        {
            e.Add($"{P}Polling:MaxDelay must not be less than Polling:InitialDelay.");
        }

        Positive(e, $"{P}Reconcile:AmbiguityWindow", o.Reconcile.AmbiguityWindow);
        Positive(e, $"{P}Reconcile:RetryDelay", o.Reconcile.RetryDelay);
        Positive(e, $"{P}Reconcile:EscalateAfter", o.Reconcile.EscalateAfter);
        Range(e, $"{P}Reconcile:MaxConcurrency", o.Reconcile.MaxConcurrency, 1, 16);
        if (o.Inventory.MaxManagedCertificates is < 0)
        {
            e.Add($"{P}Inventory:MaxManagedCertificates must be 0 or more when set.");
        }

        Range(e, $"{P}Import:MaxConcurrency", o.Import.MaxConcurrency, 1, 32);
        Positive(e, $"{P}Scheduling:CatalogSyncInterval", o.Scheduling.CatalogSyncInterval);
        Positive(e, $"{P}Scheduling:StatusCheckInterval", o.Scheduling.StatusCheckInterval);
        Positive(e, $"{P}Scheduling:FollowUpInterval", o.Scheduling.FollowUpInterval);
        Positive(e, $"{P}Scheduling:AutoRenewalInterval", o.Scheduling.AutoRenewalInterval);
        Positive(e, $"{P}Scheduling:JobLeaseDuration", o.Scheduling.JobLeaseDuration);
        Range(e, $"{P}Scheduling:MaxConcurrentAccounts", o.Scheduling.MaxConcurrentAccounts, 1, 64);
        Positive(e, $"{P}Leases:CertificateLeaseDuration", o.Leases.CertificateLeaseDuration);
        if (o.Leases.MinimumRemainingBeforePost is { } min && (min <= TimeSpan.Zero || min >= o.Leases.CertificateLeaseDuration))
        {
            e.Add($"{P}Leases:MinimumRemainingBeforePost must be positive and less than Leases:CertificateLeaseDuration.");
        }

        else if (o.Client is not null && o.Leases.MinimumRemainingBeforePost is null && o.Leases.CertificateLeaseDuration <= o.Client.PostTimeout + TimeSpan.FromSeconds(15))
        {
            e.Add($"{P}Leases:CertificateLeaseDuration ({o.Leases.CertificateLeaseDuration}) must exceed Client:PostTimeout + 15 s ({o.Client.PostTimeout + TimeSpan.FromSeconds(15)}): a POST to SCM only starts while that much of the lease remains.");
        }

        if (o.AutoRenewal.RenewBefore is null)
        {
            Range(e, $"{P}AutoRenewal:RenewBeforeDays", o.AutoRenewal.RenewBeforeDays, 1, 3650);
        }
        else
        {
            Positive(e, $"{P}AutoRenewal:RenewBefore", o.AutoRenewal.RenewBefore.Value);
        }

        if (!(o.AutoRenewal.MaxShareOfLifetime is > 0 and <= 1))
        {
            e.Add($"{P}AutoRenewal:MaxShareOfLifetime must be more than 0 and at most 1; got {o.AutoRenewal.MaxShareOfLifetime.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
        }

        if (o.AutoRenewal.MaxJitter < TimeSpan.Zero)
        {
            e.Add($"{P}AutoRenewal:MaxJitter must be zero or positive; got {o.AutoRenewal.MaxJitter}.");
        }

        if (!Enum.IsDefined(o.AutoRenewal.Selection))
        {
            e.Add($"{P}AutoRenewal:Selection must be one of {string.Join(", ", Enum.GetNames<AutoRenewSelection>())}; got {(int)o.AutoRenewal.Selection}.");
        }

        if (o.AutoRenewal.CertificateIds is null || o.AutoRenewal.Tags is null || o.AutoRenewal.Tags.Any(string.IsNullOrWhiteSpace))
        {
            e.Add($"{P}AutoRenewal:CertificateIds and AutoRenewal:Tags must be lists (empty when unused) without blank tags.");
        }

        Positive(e, $"{P}Credentials:ProbeInterval", o.Credentials.ProbeInterval);
        if (o.BulkWork.MaxPause < TimeSpan.Zero || o.BulkWork.MaxPause > TimeSpan.FromDays(1))
        {
            e.Add($"{P}BulkWork:MaxPause must be between 00:00:00 and 1.00:00:00; got {o.BulkWork.MaxPause}.");
        }

        if (o.Dcv.RevalidateBefore < TimeSpan.Zero)
        {
            e.Add($"{P}Dcv:RevalidateBefore must not be negative; got {o.Dcv.RevalidateBefore}.");
        }

        Positive(e, $"{P}Dcv:LookAhead", o.Dcv.LookAhead);
        Positive(e, $"{P}Dcv:PollInterval", o.Dcv.PollInterval);
        Positive(e, $"{P}Dcv:Timeout", o.Dcv.Timeout);


        if (o.KeyProtection.Key is { } key)
        {
            Span<byte> buffer = stackalloc byte[64];
            if (!Convert.TryFromBase64String(key, buffer, out var written) || written != 32)
            {
                e.Add($"{P}KeyProtection:Key must be a base64-encoded 256-bit (32-byte) key.");
            }

            buffer.Clear();
        }

        if (o.KeyProtection.PreviousKeys is null)
        {
            e.Add($"{P}KeyProtection:PreviousKeys must be a list (empty when unused).");
        }
        else
        {
            Span<byte> buffer = stackalloc byte[64];
            for (var i = 0; i < o.KeyProtection.PreviousKeys.Count; i++)
            {
                if (o.KeyProtection.PreviousKeys[i] is not { } previous || !Convert.TryFromBase64String(previous, buffer, out var written) || written != 32)
                {
                    e.Add($"{P}KeyProtection:PreviousKeys[{i}] must be a base64-encoded 256-bit (32-byte) key.");
                }

                buffer.Clear();
            }
        }

        return e;
    }

    private static void Positive(List<string> e, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            e.Add($"{name} must be positive; got {value}.");
        }
    }

    private static void Range(List<string> e, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            e.Add($"{name} must be between {min} and {max}; got {value}.");
        }
    }
}

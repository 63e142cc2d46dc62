using Scm.Lifecycle;

namespace Scm.Samples.Web.Hosting;

/// <summary>The last account check (in memory), shown on the Account page.</summary>
public sealed class AccountCheckResults
{
    private volatile Entry? _last;

    /// <summary>The last check, if any.</summary>
    public Entry? Last => _last;

    public void Record(AccountCheckResult result, string actor, DateTimeOffset at) => _last = new Entry(result, actor, at);

    public void Clear() => _last = null;

    /// <summary>A check: its findings, who ran it, when.</summary>
    public sealed record Entry(AccountCheckResult Result, string Actor, DateTimeOffset At);
}

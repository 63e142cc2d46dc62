namespace Scm.Tests.Shared;

/// <summary>
/// The browser of the browser tests: Debian's <c>chromium</c>, at the path in <c>SCM_TEST_CHROMIUM</c> (set by
/// .ci/steps/07-chromium.sh, which installs the package when it is absent) or else <c>/usr/bin/chromium</c>. Without it
/// a test skips with that explanation on a developer machine, and fails in CI (<c>CI=true</c>), where the browser must
/// be there. The tests never download a browser of their own.
/// </summary>
internal static class ChromiumTestBrowser
{
    public const string Variable = "SCM_TEST_CHROMIUM";

    public const string DefaultPath = "/usr/bin/chromium";

    /// <summary>The browser executable, or <see langword="null"/> and why not.</summary>
    public static string? Find(out string reason)
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        var path = string.IsNullOrWhiteSpace(configured) ? DefaultPath : configured;
        if (File.Exists(path))
        {
            reason = string.Empty;
            return path;
        }

        reason = string.IsNullOrWhiteSpace(configured)
            ? $"no chromium at {DefaultPath} ({Variable} is not set)"
            : $"{Variable} names {configured}, which does not exist";
        return null;
    }

    /// <summary>A skip (a failure in CI) naming what to do, for the reason <see cref="Find"/> gave.</summary>
    public static Exception Unavailable(string reason)
    {
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return new InvalidOperationException($"CI: the browser tests cannot run: {reason}; .ci/steps/07-chromium.sh must install Debian's chromium.");
        }

        return new Xunit.SkipException($"Browser tests skipped: {reason}. Install it with: sudo bash .ci/steps/07-chromium.sh (Debian's chromium package), or set {Variable}.");
    }
}

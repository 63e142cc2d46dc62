namespace Scm.Lifecycle.Tests.Faults;

/// <summary>
/// The secret canary check of docs/reliability.md goal 10 (F50): none of the canaries (SCM passwords and client secrets, keystore
/// passwords, any PEM private key) may appear in captured logs (Trace level), exception messages and stack texts,
/// <c>ToString()</c> of results, records, requests and events, or telemetry.
/// </summary>
internal static class SecretCanary
{
    /// <summary>A keystore password the fault scenarios order with; it must never surface anywhere.</summary>
    public const string KeystorePassword = "ksp-canary-5e1f0c9a7b31";

    /// <summary>Fails when any secret occurs in any text, naming the secret's kind and where it was found (never the secret).</summary>
    /// <param name="texts">Named texts: (where, text).</param>
    /// <param name="secrets">Named secrets: (kind, value); empty or very short values are ignored.</param>
    public static void AssertAbsent(IEnumerable<(string Where, string? Text)> texts, IEnumerable<(string Kind, string? Value)> secrets)
    {
        var canaries = secrets.Where(s => s.Value is { Length: >= 6 }).Append(("a PEM private key", "PRIVATE KEY")).ToArray();
        var leaks = new List<string>();
        var checkedTexts = 0;
        foreach (var (where, text) in texts)
        {
            if (string.IsNullOrEmpty(text))
            {
                continue;
            }

            checkedTexts++;
            foreach (var (kind, value) in canaries)
            {
                if (text.Contains(value!, StringComparison.Ordinal))
                {
                    leaks.Add($"{kind} found in {where}");
                }
            }
        }

        Assert.True(checkedTexts > 0, "The canary check had nothing to look at.");
        Assert.True(leaks.Count == 0, "Secret canaries leaked: " + string.Join("; ", leaks.Distinct()));
    }
}

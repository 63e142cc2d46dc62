namespace Scm.Testing.Internal;

/// <summary>Picks the fault (if any) for a request from the active rules; percentages come from the seeded random.</summary>
internal sealed class FaultEngine
{
    private readonly ScmFaultRules _rules;
    private readonly SeededRandom _random;

    public FaultEngine(ScmFaultRules rules, SeededRandom random)
    {
        _rules = rules;
        _random = random;
    }

    public (TimeSpan Latency, ScmFaultRule? Rule) Evaluate(string method, string path, string? query = null)
    {
        var rules = _rules.Snapshot;
        if (rules.Length == 0)
        {
            return (TimeSpan.Zero, null);
        }

        var latency = TimeSpan.Zero;
        foreach (var rule in rules)
        {
            if (rule.IsExhausted)
            {
                continue;
            }

            if (rule.Method is not null && !string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!rule.Matcher.IsMatch(path))
            {
                continue;
            }

            if (rule.PercentChance < 100 && _random.NextDouble() * 100 >= rule.PercentChance)
            {
                continue;
            }

            if (!(rule.PerRequestLimit is null ? rule.TryConsume() : rule.TryConsume(method.ToUpperInvariant() + " " + path + query)))
            {
                continue;
            }

            if (rule.Kind == ScmFaultKind.Latency)
            {
                var span = rule.MaximumDelay - rule.MinimumDelay;
                latency += rule.MinimumDelay + TimeSpan.FromTicks((long)(span.Ticks * _random.NextDouble()));
                continue;
            }

            return (latency, rule);
        }

        return (latency, null);
    }

    public string RetryAfterValue(ScmFaultRule rule, DateTimeOffset now, out bool present)
    {
        var style = rule.RetryAfterStyle;
        if (style == ScmRetryAfterStyle.Random)
        {
            style = (ScmRetryAfterStyle)_random.Next(0, 3);
        }

        present = style != ScmRetryAfterStyle.Absent;
        var seconds = Math.Max(0, (long)Math.Ceiling(rule.MinimumDelay.TotalSeconds));
        return style switch
        {
            ScmRetryAfterStyle.Seconds => seconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ScmRetryAfterStyle.HttpDate => now.AddSeconds(seconds).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
            ScmRetryAfterStyle.Garbage => "soon-ish, maybe",
            _ => "",
        };
    }
}

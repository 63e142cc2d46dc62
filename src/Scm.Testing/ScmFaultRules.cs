using System.Collections;

namespace Scm.Testing;

/// <summary>The simulator's active fault rules, evaluated in the order added (thread-safe).</summary>
/// <remarks>
/// For each request, latency rules that fire add their delay and evaluation goes on; the first other rule that fires
/// decides the fault. Exhausted rules (Once/Times used up) stay listed with their <see cref="ScmFaultRule.Hits"/> but never fire again.
/// </remarks>
public sealed class ScmFaultRules : IReadOnlyCollection<ScmFaultRule>
{
    private readonly object _gate = new();
    private ScmFaultRule[] _rules = [];

    internal ScmFaultRules()
    {
    }

    /// <summary>Gets the number of rules.</summary>
    public int Count => Volatile.Read(ref _rules).Length;

    internal ScmFaultRule[] Snapshot => Volatile.Read(ref _rules);

    /// <summary>Adds a rule at the end.</summary>
    /// <param name="rule">The rule, from <see cref="ScmFault"/>.</param>
    /// <returns>The same rule, to read its <see cref="ScmFaultRule.Hits"/> later.</returns>
    public ScmFaultRule Add(ScmFaultRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        lock (_gate)
        {
            _rules = [.. _rules, rule];
        }

        return rule;
    }

    /// <summary>Removes a rule.</summary>
    /// <param name="rule">The rule.</param>
    /// <returns><see langword="true"/> when it was present.</returns>
    public bool Remove(ScmFaultRule rule) => Remove(rule?.Id ?? "");

    /// <summary>Removes a rule by id.</summary>
    /// <param name="id">The rule id.</param>
    /// <returns><see langword="true"/> when it was present.</returns>
    public bool Remove(string id)
    {
        lock (_gate)
        {
            var kept = _rules.Where(r => r.Id != id).ToArray();
            var removed = kept.Length != _rules.Length;
            _rules = kept;
            return removed;
        }
    }

    /// <summary>Removes every rule.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _rules = [];
        }
    }

    /// <inheritdoc/>
    public IEnumerator<ScmFaultRule> GetEnumerator() => ((IEnumerable<ScmFaultRule>)Snapshot).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

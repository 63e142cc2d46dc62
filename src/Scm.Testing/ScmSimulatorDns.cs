using System.Collections.Concurrent;

namespace Scm.Testing;

/// <summary>The DNS record types the simulator's DCV checks look up.</summary>
public enum ScmSimulatorDnsRecordType
{
    /// <summary>A CNAME record (CNAME validation).</summary>
    Cname = 0,

    /// <summary>A TXT record (TXT validation).</summary>
    Txt = 1,
}

/// <summary>
/// Where the simulator's DCV checks look up DNS records (see <see cref="ScmSimulatorOptions.DnsResolver"/>): a CNAME or
/// TXT submit asks it for the records of the challenge's host. Tests implement it, or use <see cref="ScmSimulatorDnsZone"/>.
/// Called under the simulator's lock: answer from memory, quickly, without calling back into the simulator.
/// </summary>
public interface IScmSimulatorDnsResolver
{
    /// <summary>The values of the records of <paramref name="type"/> at <paramref name="name"/>; empty when there are none.</summary>
    /// <param name="name">The fully qualified name, lower case, without the trailing dot (<c>_pki-validation.example.com</c>).</param>
    /// <param name="type">The record type.</param>
    /// <returns>The record values as published (a CNAME target with or without its trailing dot).</returns>
    IReadOnlyList<string> Resolve(string name, ScmSimulatorDnsRecordType type);
}

/// <summary>A thread-safe in-memory DNS zone for the simulator's DCV checks: records tests set and remove.</summary>
public sealed class ScmSimulatorDnsZone : IScmSimulatorDnsResolver
{
    private readonly ConcurrentDictionary<(string Name, ScmSimulatorDnsRecordType Type), string[]> _records = new();

    /// <summary>Sets (replaces) the records of <paramref name="type"/> at <paramref name="name"/>.</summary>
    /// <param name="name">The name; case and a trailing dot are ignored.</param>
    /// <param name="type">The record type.</param>
    /// <param name="values">The values.</param>
    public void Set(string name, ScmSimulatorDnsRecordType type, params string[] values)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(values);
        _records[(Normalize(name), type)] = [.. values];
    }

    /// <summary>Removes the records of <paramref name="type"/> at <paramref name="name"/>.</summary>
    /// <param name="name">The name; case and a trailing dot are ignored.</param>
    /// <param name="type">The record type.</param>
    /// <returns>Whether there were any.</returns>
    public bool Remove(string name, ScmSimulatorDnsRecordType type)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return _records.TryRemove((Normalize(name), type), out _);
    }

    /// <inheritdoc />
    public IReadOnlyList<string> Resolve(string name, ScmSimulatorDnsRecordType type)
        => _records.TryGetValue((Normalize(name), type), out var values) ? values : [];

    internal static string Normalize(string name) => name.Trim().TrimEnd('.').ToLowerInvariant();
}

namespace Scm.Storage;

/// <summary>
/// A store that keeps several SCM accounts' records apart in one database: every order, certificate, audit entry, job
/// state value and lease belongs to one account, and a store returned by <see cref="ForAccount"/> reads and writes that
/// account's only (the same sslId in two accounts is two records). The shipped stores (SQLite, PostgreSQL, in-memory)
/// implement it; a host serving several accounts needs a store that does.
/// </summary>
public interface IPartitionedScmStore : IScmStore
{
    /// <summary>The account this instance reads and writes.</summary>
    string Account { get; }

    /// <summary>The same store for another account (sharing connections and schema with this one).</summary>
    /// <param name="account">The account (1-200 characters).</param>
    /// <returns>The store of that account.</returns>
    /// <exception cref="ArgumentException">The account name is empty or too long.</exception>
    IScmStore ForAccount(string account);
}

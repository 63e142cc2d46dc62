namespace Scm.Lifecycle.Worker;

/// <summary>
/// Where an order's submission stops once for a pause test (docs/reliability.md, F40). At each point the worker holds the
/// certificate's lease and is about to write: it prints "PAUSE POINT" and waits for a line "continue" on standard input.
/// The test stops the process there (SIGSTOP), lets the lease expire and a peer take over, then continues it (SIGCONT)
/// and releases the wait; the worker goes on exactly where it stopped.
/// </summary>
public enum PausePoint
{
    /// <summary>No pause.</summary>
    None = 0,

    /// <summary>After the key and CSR are stored; next the engine re-checks its lease, writes "Submitting" and posts.</summary>
    AfterKeyStored = 1,

    /// <summary>After "Submitting" is stored (the lease was checked just before); next is the POST to SCM.</summary>
    BeforePost = 2,

    /// <summary>After SCM answered the POST; next is the write of its outcome (the sslId).</summary>
    AfterPost = 3,
}

namespace Scm.Testing.Internal;

/// <summary>A capped ring buffer of request log entries.</summary>
internal sealed class RequestLog
{
    private readonly ScmSimulatorRequest?[] _entries;
    private readonly object _gate = new();
    private long _written;

    public RequestLog(int capacity) => _entries = new ScmSimulatorRequest?[Math.Max(0, capacity)];

    public void Add(ScmSimulatorRequest entry)
    {
        if (_entries.Length == 0)
        {
            return;
        }

        lock (_gate)
        {
            _entries[_written % _entries.Length] = entry;
            _written++;
        }
    }

    public IReadOnlyList<ScmSimulatorRequest> Snapshot()
    {
        lock (_gate)
        {
            var count = (int)Math.Min(_written, _entries.Length);
            var result = new ScmSimulatorRequest[count];
            var start = _written - count;
            for (var i = 0; i < count; i++)
            {
                result[i] = _entries[(start + i) % _entries.Length]!;
            }

            return result;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            Array.Clear(_entries);
            _written = 0;
        }
    }
}

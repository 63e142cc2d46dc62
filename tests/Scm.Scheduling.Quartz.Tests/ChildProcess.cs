using System.Diagnostics;

namespace Scm.Scheduling.Quartz.Tests;

/// <summary>
/// One engine host (tests/Scm.Scheduling.Quartz.Worker) as a child process. Every line it prints is kept, and a test
/// waits for the line it needs (bounded), never for time to pass. Only this process, by its PID, is ever killed.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private readonly object _gate = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];
    private readonly Process _process;

    public ChildProcess(string name, IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        Name = name;
        var dll = Path.Combine(AppContext.BaseDirectory, "worker", "Scm.Scheduling.Quartz.Worker.dll");
        Assert.True(File.Exists(dll), $"The worker was not built next to the tests: {dll}");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(dll);
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data is null ? null : "stderr: " + e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    /// <summary>Raised for every line, in order, under the process's lock (keep handlers short).</summary>
    public event Action<ChildProcess, string>? LineReceived;

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>The first line (already printed or still to come) that matches; fails with the output's tail after <paramref name="timeout"/>.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        TaskCompletionSource<string> found;
        lock (_gate)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return line;
            }

            found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
        }

        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"{Name} (pid {Pid}, exited: {_process.HasExited}) did not print {what} within {timeout}. Last lines:{Environment.NewLine}{Tail()}");
        }
    }

    /// <summary>kill -9 of this process (its PID only), then waits for it to be gone.</summary>
    public void Kill()
    {
        if (_process.HasExited)
        {
            return;
        }

        _process.Kill(entireProcessTree: false);
        if (!_process.WaitForExit(15_000))
        {
            throw new InvalidOperationException($"{Name} (pid {Pid}) did not exit within 15 s of SIGKILL.");
        }
    }

    public string Tail(int count = 40)
    {
        lock (_gate)
        {
            return string.Join(Environment.NewLine, _lines.TakeLast(count));
        }
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _lines.Add(line);
            LineReceived?.Invoke(this, line);
            foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
            {
                waiter.Found.TrySetResult(line);
                _waiters.Remove(waiter);
            }
        }
    }
}

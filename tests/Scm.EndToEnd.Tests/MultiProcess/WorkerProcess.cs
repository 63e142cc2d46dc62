using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Scm.EndToEnd.Tests.MultiProcess;

/// <summary>
/// One engine instance (tests/Scm.Lifecycle.Worker) as a child process, restartable under the same instance name.
/// Its output goes to a log file per instance (every incarnation appended); the last lines are kept for failure messages,
/// and every line is kept for <see cref="WaitForLineAsync"/>. Only this process, by its PID, is ever signalled or killed.
/// </summary>
internal sealed partial class WorkerProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly object _gate = new();
    private readonly List<string> _lines = [];
    private TaskCompletionSource _lineAdded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _dll;
    private readonly IReadOnlyList<string> _arguments;
    private readonly IReadOnlyDictionary<string, string> _environment;
    private readonly StreamWriter _log;
    private readonly Queue<string> _tail = new();
    private Process? _process;
    private bool _stopping;

    public WorkerProcess(string name, string dll, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        Name = name;
        _dll = dll;
        _arguments = arguments;
        _environment = environment;
        LogPath = logPath;
        _log = new StreamWriter(new FileStream(logPath, FileMode.Append, FileAccess.Write, FileShare.Read)) { AutoFlush = true };
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Starts { get; private set; }

    public int? Pid => _process?.Id;

    /// <summary>Whether the current incarnation exited although nobody stopped it.</summary>
    public bool ExitedUnexpectedly
    {
        get
        {
            lock (_gate)
            {
                return _process is { HasExited: true } && !_stopping;
            }
        }
    }

    public int? ExitCode => _process is { HasExited: true } p ? p.ExitCode : null;

    /// <summary>Starts a new incarnation; <paramref name="overrides"/> are appended to the arguments (a later "--Key=value" wins).</summary>
    public void Start(params string[] overrides)
    {
        lock (_gate)
        {
            if (_process is { HasExited: false })
            {
                throw new InvalidOperationException($"{Name} is already running (pid {_process.Id}).");
            }

            _process?.Dispose();
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(_dll);
            foreach (var argument in _arguments.Concat(overrides))
            {
                info.ArgumentList.Add(argument);
            }

            foreach (var (key, value) in _environment)
            {
                info.Environment[key] = value;
            }

            info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            var process = new Process { StartInfo = info, EnableRaisingEvents = true };
            process.OutputDataReceived += (_, e) => Append(e.Data);
            process.ErrorDataReceived += (_, e) => Append(e.Data is null ? null : "stderr: " + e.Data);
            _stopping = false;
            Starts++;
            Append($"==== {Name} start #{Starts} {string.Join(" ", overrides)}");
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
        }
    }

    /// <summary>kill -9 of this worker's process (only its PID), then waits for it to be gone.</summary>
    public void Kill()
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
            _stopping = true;
        }

        if (process is null || process.HasExited)
        {
            return;
        }

        Append($"==== {Name} pid {process.Id}: KILL (SIGKILL)");
        process.Kill(entireProcessTree: false);
        if (!process.WaitForExit(15_000))
        {
            throw new InvalidOperationException($"{Name} (pid {process.Id}) did not exit within 15 s of SIGKILL.");
        }
    }

    /// <summary>SIGTERM (a graceful host shutdown); SIGKILL if it has not exited within <paramref name="grace"/>. Returns whether it exited by itself.</summary>
    public async Task<bool> StopAsync(TimeSpan grace)
    {
        Process? process;
        lock (_gate)
        {
            process = _process;
            _stopping = true;
        }

        if (process is null || process.HasExited)
        {
            return true;
        }

        Append($"==== {Name} pid {process.Id}: STOP (SIGTERM)");
        if (SendSignal(process.Id, SigTerm) == 0)
        {
            using var timeout = new CancellationTokenSource(grace);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
            }
        }

        Kill();
        return false;
    }

    /// <summary>SIGSTOP: the process stops where it is, every thread, until <see cref="Continue"/>. Linux and macOS only.</summary>
    public void Stop()
    {
        var pid = RunningPid("SIGSTOP");
        Append($"==== {Name} pid {pid}: SIGSTOP");
        if (SysKill(pid, OperatingSystem.IsLinux() ? 19 : 17) != 0)
        {
            throw new InvalidOperationException($"kill(SIGSTOP) of {Name} (pid {pid}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>SIGCONT: a stopped process goes on from where it stopped.</summary>
    public void Continue()
    {
        var pid = RunningPid("SIGCONT");
        Append($"==== {Name} pid {pid}: SIGCONT");
        if (SysKill(pid, OperatingSystem.IsLinux() ? 18 : 19) != 0)
        {
            throw new InvalidOperationException($"kill(SIGCONT) of {Name} (pid {pid}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>
    /// The process's scheduling state from /proc (Linux): 'T' once a SIGSTOP has taken effect, 'S' or 'R' when running;
    /// null where there is no /proc.
    /// </summary>
    public char? SchedulingState()
    {
        var path = $"/proc/{RunningPid("read the state of")}/stat";
        if (!File.Exists(path))
        {
            return null;
        }

        // "pid (comm) S ...": the state is the first field after the command name, which may itself contain spaces.
        var stat = File.ReadAllText(path);
        return stat[(stat.LastIndexOf(')') + 2)..][0];
    }

    /// <summary>Writes one line to the process's standard input.</summary>
    public void SendLine(string line)
    {
        Process process;
        lock (_gate)
        {
            process = _process ?? throw new InvalidOperationException($"{Name} was never started.");
        }

        Append($"==== {Name} stdin: {line}");
        process.StandardInput.WriteLine(line);
        process.StandardInput.Flush();
    }

    /// <summary>How many output lines were seen so far (a position for <see cref="WaitForLineAsync"/>).</summary>
    public int LineCount
    {
        get
        {
            lock (_tail)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>The output lines from position <paramref name="from"/> on.</summary>
    public IReadOnlyList<string> LinesSince(int from)
    {
        lock (_tail)
        {
            return _lines.Skip(from).ToList();
        }
    }

    /// <summary>
    /// Waits for an output line (from <paramref name="from"/> on) that matches; fails with the process's last lines when
    /// <paramref name="timeout"/> passes or the process exits first.
    /// </summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> match, TimeSpan timeout, string what, int from = 0)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var next = from;
        while (true)
        {
            Task changed;
            lock (_tail)
            {
                for (; next < _lines.Count; next++)
                {
                    if (match(_lines[next]))
                    {
                        return _lines[next];
                    }
                }

                changed = _lineAdded.Task;
            }

            if (_process is { HasExited: true } exited && !_stopping)
            {
                // Output may still be draining: one more look after the streams close.
                exited.WaitForExit();
                lock (_tail)
                {
                    if (next == _lines.Count)
                    {
                        throw new InvalidOperationException($"{Name} exited (code {exited.ExitCode}) before printing {what}. Last lines:{Environment.NewLine}{Tail()}");
                    }
                }

                continue;
            }

            var now = Stopwatch.GetTimestamp();
            if (now >= deadline)
            {
                throw new TimeoutException($"{Name} did not print {what} within {timeout.TotalSeconds:0} s. Last lines:{Environment.NewLine}{Tail()}");
            }

            var remaining = Stopwatch.GetElapsedTime(now, deadline);

            try
            {
                // Woken by the next line, or after a second at most to notice an exit.
                await changed.WaitAsync(remaining < TimeSpan.FromSeconds(1) ? remaining : TimeSpan.FromSeconds(1));
            }
            catch (TimeoutException)
            {
            }
        }
    }

    /// <summary>Waits for the current incarnation to exit by itself; false on timeout (it is then killed).</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        var process = _process ?? throw new InvalidOperationException($"{Name} was never started.");
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            lock (_gate)
            {
                _stopping = true;
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            Kill();
            return false;
        }
    }

    public string Tail()
    {
        lock (_tail)
        {
            return string.Join(Environment.NewLine, _tail);
        }
    }

    public void Dispose()
    {
        try
        {
            Kill();
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            Append("==== kill on dispose failed: " + ex.Message);
        }

        _process?.Dispose();
        lock (_tail)
        {
            _log.Dispose();
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        TaskCompletionSource added;
        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > 60)
            {
                _tail.Dequeue();
            }

            _lines.Add(line);
            added = _lineAdded;
            _lineAdded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }

        added.TrySetResult();
    }

    private int RunningPid(string action)
    {
        lock (_gate)
        {
            return _process is { HasExited: false } p ? p.Id : throw new InvalidOperationException($"Cannot {action} {Name}: it is not running.");
        }
    }

    private static int SendSignal(int pid, int signal) => OperatingSystem.IsWindows() ? -1 : SysKill(pid, signal);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}

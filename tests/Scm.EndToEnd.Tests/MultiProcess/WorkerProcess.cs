using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Scm.EndToEnd.Tests.MultiProcess;

/// <summary>
/// One engine instance (tests/Scm.Lifecycle.Worker) as a child process, restartable under the same instance name.
/// Its output goes to a log file per instance (every incarnation appended); the last lines are kept for failure messages.
/// Only this process, by its PID, is ever signalled or killed.
/// </summary>
internal sealed partial class WorkerProcess : IDisposable
{
    private const int SigTerm = 15;
    private readonly object _gate = new();
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

        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > 60)
            {
                _tail.Dequeue();
            }

            try
            {
                _log.WriteLine(line);
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }

    private static int SendSignal(int pid, int signal) => OperatingSystem.IsWindows() ? -1 : SysKill(pid, signal);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SysKill(int pid, int signal);
}

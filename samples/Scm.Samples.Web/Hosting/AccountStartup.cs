using Scm.Testing;

namespace Scm.Samples.Web.Hosting;

/// <summary>
/// At start: in simulator mode, starts the in-process SCM simulator and links it as the account; otherwise links the
/// account saved by an earlier run, if any. Stops the simulator and removes the temporary data folder at the end.
/// </summary>
public sealed class AccountStartup : IHostedService
{
    private readonly DashboardSettings _settings;
    private readonly DashboardPaths _paths;
    private readonly AccountLinks _links;
    private readonly TimeProvider _time;
    private readonly ILogger<AccountStartup> _logger;

    public AccountStartup(DashboardSettings settings, DashboardPaths paths, AccountLinks links, TimeProvider time, ILogger<AccountStartup> logger)
    {
        _settings = settings;
        _paths = paths;
        _links = links;
        _time = time;
        _logger = logger;
    }

    /// <summary>The simulator, in simulator mode once started.</summary>
    public ScmSimulator? Simulator { get; private set; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_settings.Simulator)
        {
            await _links.RestoreAsync(cancellationToken);
            return;
        }

        Simulator = await ScmSimulator.StartAsync(new ScmSimulatorOptions
        {
            TimeProvider = _time,
            ApplyDelay = _settings.SimulatorApplyDelay,
            IssueDelay = _settings.SimulatorIssueDelay,
            Log = null,
        }, cancellationToken);
        Log.SimulatorStarted(_logger, Simulator.BaseAddress, _paths.DataDirectory);
        var credentials = Simulator.Credentials;
        var linked = await _links.LinkAsync(new AccountLinkRequest
        {
            Mode = LinkMode.Password,
            BaseAddress = Simulator.BaseAddress.ToString(),
            CustomerUri = credentials.CustomerUri,
            Login = credentials.Login,
            Password = credentials.Password,
        }, "simulator", cancellationToken);
        if (!linked.Linked)
        {
            throw new InvalidOperationException("Linking the simulator failed: " + string.Join(" ", linked.Errors.Values));
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Simulator is not null)
        {
            await Simulator.DisposeAsync();
        }
    }
}

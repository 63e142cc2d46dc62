using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Scm.Storage;

namespace Scm.Lifecycle.Worker;

/// <summary>
/// Places this worker's share of the orders through the engine's public API, spread over time, while the scheduler
/// already runs. Names the store already holds are skipped, so a worker restarted after a kill places only what is
/// missing; an order whose record was stored before the kill is carried on by whichever instance's scheduler finds it.
/// </summary>
internal sealed class OrderPlacer : BackgroundService
{
    private const int MaxAttempts = 5;

    private readonly ICertificateLifecycle _lifecycle;
    private readonly IScmStore _store;
    private readonly WorkerSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IHostApplicationLifetime _lifetime;

    public OrderPlacer(ICertificateLifecycle lifecycle, IScmStore store, WorkerSettings settings, TimeProvider time, ILogger<OrderPlacer> logger, IHostApplicationLifetime lifetime)
    {
        _lifecycle = lifecycle;
        _store = store;
        _settings = settings;
        _time = time;
        _logger = logger;
        _lifetime = lifetime;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await PlaceAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            WorkerLog.OrderingFailed(_logger, ex);
            Environment.ExitCode = 2;
            _lifetime.StopApplication();
        }
    }

    private async Task PlaceAsync(CancellationToken cancellationToken)
    {
        var existing = await ExistingNamesAsync(cancellationToken);
        var missing = Enumerable.Range(_settings.OrderStart, _settings.OrderCount).Select(_settings.CommonName).Where(n => !existing.Contains(n)).ToList();
        WorkerLog.Placing(_logger, missing.Count, _settings.OrderCount);

        // Paced by a schedule, not by sleeping after each order: slow orders do not stretch the spread further.
        var interval = _settings.OrderSpread / Math.Max(1, _settings.OrderCount);
        var started = _time.GetTimestamp();
        var placed = 0;
        for (var index = 0; index < missing.Count; index++)
        {
            var name = missing[index];
            var wait = (interval * index) - _time.GetElapsedTime(started);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, cancellationToken);
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var result = await _lifecycle.OrderAsync(Request(name), cancellationToken);
                    WorkerLog.Placed(_logger, name, result.State.ToString(), result.SslId);
                    placed++;
                    break;
                }
                catch (Exception ex) when (ex is not (OperationCanceledException or CertificateRequestValidationException) && attempt < MaxAttempts)
                {
                    WorkerLog.OrderRetry(_logger, name, attempt, ex.Message);
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
                    if ((await ExistingNamesAsync(cancellationToken)).Contains(name))
                    {
                        // Its record was stored before the failure: the scheduler carries it on; ordering again would duplicate it.
                        break;
                    }
                }
            }
        }

        WorkerLog.AllPlaced(_logger, placed, missing.Count);
    }

    private OrderCertificateRequest Request(string commonName)
    {
        var field = _settings.CustomField.Split('=', 2);
        return new OrderCertificateRequest
        {
            CommonName = commonName,
            OrganizationId = _settings.OrganizationId,
            ProfileId = _settings.ProfileId,
            TermDays = _settings.TermDays,
            KeyAlgorithm = KeyAlgorithm.EC,
            Curve = "P-256",
            KeystoreType = KeystoreType.Pem,
            CustomFields = field.Length == 2 ? [new CustomFieldValue(field[0], field[1])] : [],
            Comments = "multi-process end-to-end test",
        };
    }

    private async Task<HashSet<string>> ExistingNamesAsync(CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string? token = null;
        do
        {
            var page = await _store.ListOrdersAsync(new OrderQuery { PageSize = 1000, ContinuationToken = token }, cancellationToken);
            foreach (var order in page.Items.Where(o => o.Kind == OrderKind.New))
            {
                names.Add(order.Request.CommonName);
            }

            token = page.ContinuationToken;
        }
        while (token is not null);
        return names;
    }
}

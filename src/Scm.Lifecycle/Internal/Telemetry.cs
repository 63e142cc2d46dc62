using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Scm.Lifecycle.Internal;

/// <summary>The engine's meter and activity source, both named <c>Scm.Lifecycle</c>. No certificate ids or names as tags.</summary>
internal sealed class LifecycleTelemetry : IDisposable
{
    public const string Name = "Scm.Lifecycle";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(LifecycleTelemetry).Assembly.GetName().Version?.ToString());

    private readonly Meter _meter;

    /// <param name="meterFactory">The host's meter factory, if any.</param>
    /// <param name="account">The account whose engine this is: every measurement carries it as the meter's tag <c>scm.account</c> (an account name, never a certificate).</param>
    public LifecycleTelemetry(IMeterFactory? meterFactory = null, string account = "default")
    {
        var options = new MeterOptions(Name) { Tags = [new KeyValuePair<string, object?>("scm.account", account)] };
        _meter = meterFactory?.Create(options) ?? new Meter(options);
        Orders = _meter.CreateCounter<long>("scm.lifecycle.orders", "{order}", "Orders by kind and outcome (submitted, issued, failed, parked, invalid).");
        Renewals = _meter.CreateCounter<long>("scm.lifecycle.renewals", "{renewal}", "Auto-renewal decisions by outcome.");
        StateTransitions = _meter.CreateCounter<long>("scm.lifecycle.order.transitions", "{transition}", "Order state transitions by target state.");
        JobRuns = _meter.CreateCounter<long>("scm.lifecycle.jobs", "{run}", "Scheduled job runs by job and outcome.");
        TimeToIssue = _meter.CreateHistogram<double>("scm.lifecycle.order.time_to_issue", "s", "Time from submission to installation.");
    }

    public Counter<long> Orders { get; }

    public Counter<long> Renewals { get; }

    public Counter<long> StateTransitions { get; }

    public Counter<long> JobRuns { get; }

    public Histogram<double> TimeToIssue { get; }

    /// <summary>Registers observable gauges backed by the engine (pending orders, days to the nearest expiry).</summary>
    public void ObserveGauges(Func<long> pendingOrders, Func<double?> daysToNearestExpiry)
    {
        _meter.CreateObservableGauge("scm.lifecycle.orders.pending", pendingOrders, "{order}", "Open orders in the store (last observed).");
        _meter.CreateObservableGauge(
            "scm.lifecycle.certificates.nearest_expiry",
            () => daysToNearestExpiry() is { } d ? [new Measurement<double>(d)] : Array.Empty<Measurement<double>>(),
            "d",
            "Days until the nearest active certificate expires (last observed).");
    }

    public void Dispose() => _meter.Dispose();
}

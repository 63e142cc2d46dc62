using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Scm.Client.Internal;

/// <summary>The one Meter and ActivitySource of Scm.Client, both named <c>Scm.Client</c>. Tags never carry ids or names of certificates.</summary>
internal sealed class ScmTelemetry : IDisposable
{
    public const string Name = "Scm.Client";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(ScmTelemetry).Assembly.GetName().Version?.ToString());

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    public ScmTelemetry(IMeterFactory? meterFactory = null)
    {
        if (meterFactory is not null)
        {
            _meter = meterFactory.Create(Name);
        }
        else
        {
            _meter = new Meter(Name);
            _ownsMeter = true;
        }

        Requests = _meter.CreateCounter<long>("scm.client.requests", "{request}", "SCM requests by operation, method, status and outcome.");
        Duration = _meter.CreateHistogram<double>("scm.client.request.duration", "s", "Duration of SCM requests including retries.");
        CollectNotReady = _meter.CreateCounter<long>("scm.client.collect.not_ready", "{answer}", "Collect answers meaning the certificate is not issued yet.");
        TokenRequests = _meter.CreateCounter<long>("scm.client.token.requests", "{request}", "OAuth2 token requests by outcome.");
    }

    public Meter Meter => _meter;

    public Counter<long> Requests { get; }

    public Histogram<double> Duration { get; }

    public Counter<long> CollectNotReady { get; }

    public Counter<long> TokenRequests { get; }

    public void Record(ScmOperation op, int status, string outcome, TimeSpan elapsed)
    {
        if (!Requests.Enabled && !Duration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "scm.operation", op.Name },
            { "http.request.method", op.Method.Method },
            { "http.response.status_code", status },
            { "scm.outcome", outcome },
        };
        Requests.Add(1, tags);
        Duration.Record(elapsed.TotalSeconds, tags);
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}

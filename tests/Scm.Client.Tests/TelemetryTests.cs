using System.Diagnostics;
using System.Diagnostics.Metrics;
using Scm.Client.Internal;
using Scm.Client.Tests.Infrastructure;
using static Scm.Client.Tests.Infrastructure.Responses;

namespace Scm.Client.Tests;

public sealed class TelemetryTests
{
    [Fact]
    public void Names_MeterAndActivitySource_ArePinned()
    {
        using var telemetry = new ScmTelemetry();

        Assert.Equal("Scm.Client", telemetry.Meter.Name);
        Assert.Equal("Scm.Client", ScmTelemetry.ActivitySource.Name);
    }

    [Fact]
    public async Task Requests_RecordMetricsAndActivities_WithoutCertificateIds()
    {
        using var server = ScmServer.Start();
        server.Stub(Get("/api/ssl/v1/3000000123"), Json("""{"sslId":3000000123,"commonName":"secret-cn.example"}"""));
        var tags = new List<KeyValuePair<string, object?>>();
        var instruments = new List<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == "Scm.Client")
            {
                l.EnableMeasurementEvents(i);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, _, t, _) => { lock (tags) { instruments.Add(i.Name); tags.AddRange(t.ToArray()); } });
        listener.SetMeasurementEventCallback<double>((i, _, t, _) => { lock (tags) { instruments.Add(i.Name); tags.AddRange(t.ToArray()); } });
        listener.Start();
        var activities = new List<Activity>();
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == "Scm.Client",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { lock (activities) { activities.Add(a); } },
        };
        ActivitySource.AddActivityListener(activityListener);
        using var client = TestClient.Create(server);

        // The listener sees every test's activities (tests run in parallel): this test's are the children of its own parent.
        using var parent = new Activity("telemetry-test").Start();
        await client.Ssl.GetAsync(3000000123);
        parent.Stop();

        // Other tests running in parallel keep adding measurements: read a snapshot taken under the lock.
        string[] seenInstruments;
        KeyValuePair<string, object?>[] seenTags;
        lock (tags)
        {
            seenInstruments = [.. instruments];
            seenTags = [.. tags];
        }

        Assert.Contains("scm.client.requests", seenInstruments);
        Assert.Contains("scm.client.request.duration", seenInstruments);
        Assert.Contains(seenTags, t => t.Key == "scm.operation" && (string?)t.Value == "ssl.get");
        Assert.Contains(seenTags, t => t.Key == "http.response.status_code" && (int?)t.Value == 200);
        Assert.DoesNotContain(seenTags, t => t.Value?.ToString()?.Contains("3000000123", StringComparison.Ordinal) == true || t.Value?.ToString()?.Contains("secret-cn", StringComparison.Ordinal) == true);
        Activity activity;
        lock (activities)
        {
            activity = Assert.Single(activities, a => a.OperationName == "ssl.get" && a.TraceId == parent.TraceId);
        }

        Assert.Equal("ssl/v1/{sslId}", activity.GetTagItem("url.template"));
    }
}

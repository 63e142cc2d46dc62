using System.Globalization;

namespace Scm.Lifecycle.Worker;

/// <summary>Prints each lifecycle event as one "EVENT" line (type, order, sslId; the duplicates of a duplicate report), for the tests to wait on.</summary>
internal sealed class EventPrinter : ILifecycleEventHandler
{
    public ValueTask HandleAsync(LifecycleEvent lifecycleEvent, CancellationToken cancellationToken)
    {
        var duplicates = lifecycleEvent is DuplicateOrderDetectedEvent duplicate
            ? " duplicates [" + string.Join(",", duplicate.DuplicateSslIds.Select(id => id.ToString(CultureInfo.InvariantCulture))) + "]"
            : string.Empty;
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"EVENT {lifecycleEvent.GetType().Name} order {lifecycleEvent.OrderId} sslId {lifecycleEvent.SslId?.ToString(CultureInfo.InvariantCulture) ?? "-"}{duplicates}"));
        return ValueTask.CompletedTask;
    }
}

using Microsoft.Extensions.Logging;

namespace Scm.Lifecycle.Internal;

/// <summary>Delivers events to registered handlers and the engine's .NET event; a failing handler is logged, never fatal.</summary>
internal sealed class EventDispatcher
{
    private readonly IReadOnlyList<ILifecycleEventHandler> _handlers;
    private readonly ILogger _logger;

    public EventDispatcher(IEnumerable<ILifecycleEventHandler> handlers, ILogger logger)
    {
        _handlers = handlers.ToArray();
        _logger = logger;
    }

    public event EventHandler<LifecycleEvent>? Raised;

    public async Task RaiseAsync(object sender, LifecycleEvent lifecycleEvent, CancellationToken cancellationToken)
    {
        try
        {
            Raised?.Invoke(sender, lifecycleEvent);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.EventHandlerFailed(_logger, lifecycleEvent.GetType().Name, ex);
        }

        foreach (var handler in _handlers)
        {
            try
            {
                await handler.HandleAsync(lifecycleEvent, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.EventHandlerFailed(_logger, lifecycleEvent.GetType().Name, ex);
            }
        }
    }
}

using Microsoft.Extensions.Logging;

namespace Scm.Lifecycle.Internal;

/// <summary>Delivers events to registered handlers and the engine's .NET event; a failing handler is logged, never fatal.</summary>
internal sealed class EventDispatcher
{
    private readonly IReadOnlyList<ILifecycleEventHandler> _handlers;
    private readonly ILogger _logger;
    private readonly string? _account;

    /// <param name="handlers">The host's handlers.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="account">The account whose engine raises the events: stamped on each (<see cref="LifecycleEvent.AccountId"/>).</param>
    public EventDispatcher(IEnumerable<ILifecycleEventHandler> handlers, ILogger logger, string? account = null)
    {
        _handlers = handlers.ToArray();
        _logger = logger;
        _account = account;
    }

    public event EventHandler<LifecycleEvent>? Raised;

    public async Task RaiseAsync(object sender, LifecycleEvent lifecycleEvent, CancellationToken cancellationToken)
    {
        if (lifecycleEvent.AccountId is null && _account is not null)
        {
            lifecycleEvent = lifecycleEvent with { AccountId = _account };
        }

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

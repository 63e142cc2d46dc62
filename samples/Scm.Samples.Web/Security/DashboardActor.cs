using Scm.Lifecycle;

namespace Scm.Samples.Web.Security;

/// <summary>
/// The engine's audit actor: the signed-in user of the current request, or the user who started a piece of background
/// work (<see cref="Use"/>, which flows into the work's tasks). Outside both (the scheduler's own jobs) it returns
/// <see langword="null"/> and the engine records its default.
/// </summary>
public sealed class DashboardActor : ILifecycleActorAccessor
{
    private static readonly AsyncLocal<string?> s_current = new();
    private readonly IHttpContextAccessor _http;

    public DashboardActor(IHttpContextAccessor http) => _http = http;

    /// <inheritdoc />
    public string? Actor => s_current.Value ?? NameOf(_http.HttpContext?.User);

    /// <summary>The name the dashboard shows and records for a user.</summary>
    public static string? NameOf(System.Security.Claims.ClaimsPrincipal? user) =>
        user?.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : null;

    /// <summary>Makes <paramref name="actor"/> the actor for the calling flow and what it starts, until disposed.</summary>
    public static IDisposable Use(string actor)
    {
        var previous = s_current.Value;
        s_current.Value = actor;
        return new Restore(previous);
    }

    private sealed class Restore(string? previous) : IDisposable
    {
        public void Dispose() => s_current.Value = previous;
    }
}

namespace Scm.Testing;

/// <summary>One entry of the simulator's request log: never a header, a query string or a body.</summary>
public sealed class ScmSimulatorRequest
{
    internal ScmSimulatorRequest(string method, string path, int statusCode, DateTimeOffset time, ScmFaultKind? fault)
    {
        Method = method;
        Path = path;
        StatusCode = statusCode;
        Time = time;
        Fault = fault;
    }

    /// <summary>Gets the HTTP method.</summary>
    public string Method { get; }

    /// <summary>Gets the path, without the query string.</summary>
    public string Path { get; }

    /// <summary>Gets the status code answered, or 0 when the connection was dropped.</summary>
    public int StatusCode { get; }

    /// <summary>Gets the simulator time the request arrived.</summary>
    public DateTimeOffset Time { get; }

    /// <summary>Gets the fault applied, if any.</summary>
    public ScmFaultKind? Fault { get; }

    /// <summary>Describes the entry.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => $"{Method} {Path} -> {StatusCode}{(Fault is null ? "" : " (" + Fault + ")")}";
}

namespace Scm.Samples.Web.Work;

/// <summary>The kinds of long work and their titles (a kind is also the prefix of its progress hooks, e.g. <c>import-progress</c>).</summary>
public static class WorkKinds
{
    public const string Import = "import";
    public const string StatusScan = "status-scan";
    public const string AutoRenewal = "auto-renewal";

    public static string Title(string kind) => kind switch
    {
        Import => "Import of existing SCM orders",
        StatusScan => "Status check of every open order",
        AutoRenewal => "Auto-renewal run",
        _ => kind,
    };
}

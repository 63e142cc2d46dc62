namespace Scm.Scheduling.Quartz.Worker;

/// <summary>Lines the tests wait for: written and flushed at once (never through the buffered console logger).</summary>
internal static class Output
{
    private static readonly object s_gate = new();

    public static void Line(string text)
    {
        lock (s_gate)
        {
            Console.Out.WriteLine(text);
            Console.Out.Flush();
        }
    }
}

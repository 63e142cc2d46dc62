using BenchmarkDotNet.Running;

namespace Scm.Benchmarks;

/// <summary>
/// Entry point: <c>dotnet run -c Release --project benchmarks/Scm.Benchmarks -- --filter *</c>; the scripted import
/// comparison against a simulator with latency: <c>... -- import-latency --orders 10000 --latency 50,200</c>; rounds of the
/// many-accounts benchmark without BenchmarkDotNet: <c>... -- accounts-rounds --layout 100x100 --rounds 5</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "import-latency")
        {
            return Lifecycle.ImportLatencyComparison.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "accounts-rounds")
        {
            return Lifecycle.ManyAccountsRounds.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}

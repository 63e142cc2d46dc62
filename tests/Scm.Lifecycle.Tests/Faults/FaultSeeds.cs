using System.Globalization;

namespace Scm.Lifecycle.Tests.Faults;

/// <summary>
/// The seeds every fault scenario runs with: 5 by default (CI), or N when the environment variable
/// <c>SCM_FAULT_SEEDS</c> is set (the soak mode, e.g. <c>SCM_FAULT_SEEDS=200</c>). A seed drives the scenario's
/// randomized aspects (which call fails, which variant, the hostile preset's noise, timing); consecutive seeds cover
/// every variant of a scenario that has at most five.
/// </summary>
public static class FaultSeeds
{
    public const string EnvironmentVariable = "SCM_FAULT_SEEDS";

    public const int DefaultCount = 5;

    public static int Count
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(EnvironmentVariable);
            return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultCount;
        }
    }

    /// <summary>For <c>[MemberData(nameof(FaultSeeds.All), MemberType = typeof(FaultSeeds))]</c>.</summary>
    public static IEnumerable<object[]> All => Enumerable.Range(1, Count).Select(seed => new object[] { seed });

    /// <summary>Picks one of <paramref name="items"/> for a seed (seed 1 the first, seed 2 the second, ...).</summary>
    public static T Pick<T>(int seed, params T[] items) => items[(seed - 1) % items.Length];
}

namespace Scm.Testing.Internal;

/// <summary>A thread-safe <see cref="Random"/> seeded from the simulator's seed.</summary>
internal sealed class SeededRandom
{
    private const string Alphanumeric = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private readonly Random _random;
    private readonly object _gate = new();

    public SeededRandom(int seed) => _random = new Random(seed);

    public int Next(int minInclusive, int maxExclusive)
    {
        lock (_gate)
        {
            return _random.Next(minInclusive, maxExclusive);
        }
    }

    public long NextInt64(long minInclusive, long maxExclusive)
    {
        lock (_gate)
        {
            return _random.NextInt64(minInclusive, maxExclusive);
        }
    }

    public double NextDouble()
    {
        lock (_gate)
        {
            return _random.NextDouble();
        }
    }

    public void NextBytes(Span<byte> buffer)
    {
        lock (_gate)
        {
            _random.NextBytes(buffer);
        }
    }

    public string NextString(int length, string alphabet = Alphanumeric)
    {
        Span<char> chars = stackalloc char[length];
        lock (_gate)
        {
            for (var i = 0; i < length; i++)
            {
                chars[i] = alphabet[_random.Next(alphabet.Length)];
            }
        }

        return new string(chars);
    }
}

using Scm.Lifecycle.Internal;

namespace Scm.Lifecycle.Tests.Unit;

public sealed class RecordIdTests
{
    [Fact]
    public void New_IsAVersion7UuidWithTheRfcVariant()
    {
        for (var i = 0; i < 100; i++)
        {
            var id = RecordId.New();
            Assert.Equal(7, id.Version);
            Assert.Equal(0x8, id.Variant & 0xC);
        }
    }

    [Fact]
    public void New_TextStartsWithTheCurrentUnixMilliseconds()
    {
        var before = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        var id = RecordId.New();
        var after = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

        var milliseconds = Convert.ToInt64(id.ToString("N")[..12], 16);
        Assert.InRange(milliseconds, before, after);
    }

    [Fact]
    public void Create_MatchesTheRuntimesVersion7LayoutForTheSameTime()
    {
        var at = new DateTimeOffset(2026, 11, 29, 10, 49, 38, 123, TimeSpan.Zero);
        var random = new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };

        var ours = RecordId.Create(at, random);
        var runtime = Guid.CreateVersion7(at);

        Assert.Equal(runtime.ToString("N")[..12], ours.ToString("N")[..12]);
        Assert.Equal(7, ours.Version);
        Assert.Equal(0x8, ours.Variant & 0xC);
        Assert.Equal("01a226ecba4b7fffbfffffffffffffff", ours.ToString("N"));
    }

    [Fact]
    public void Create_TextOrderFollowsTimeWhateverTheRandomBits()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var rng = new Random(5);
        var ids = new List<string>();
        for (var i = 0; i < 500; i++)
        {
            var random = new byte[10];
            rng.NextBytes(random);
            ids.Add(RecordId.Create(start.AddMilliseconds(i * 7), random).ToString("N"));
        }

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Create_FewerThanTenRandomBytes_Throws() =>
        Assert.Throws<ArgumentException>(() => RecordId.Create(DateTimeOffset.UnixEpoch, new byte[9]));
}

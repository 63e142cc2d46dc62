using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Scm.Lifecycle.Storage;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Lifecycle.Tests.EndToEnd;

/// <summary>The engine without dependency injection.</summary>
public sealed class FactoryTests
{
    [Fact]
    public async Task Create_WithoutDi_OrdersAndInstallsAgainstSimulator()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 28, 9, 0, 0, TimeSpan.Zero));
        await using var sim = await ScmSimulator.StartAsync(new ScmSimulatorOptions { TimeProvider = time, Log = null });
        var options = new SectigoCertificateManagementOptions();
        options.Client.BaseAddress = sim.BaseAddress;
        options.Client.Login = sim.Credentials.Login;
        options.Client.Password = sim.Credentials.Password;
        options.Client.CustomerUri = sim.Credentials.CustomerUri;

        await using var lifecycle = CertificateLifecycleFactory.Create(options, new InMemoryScmStore(time), timeProvider: time);
        var ordered = await lifecycle.OrderAsync(EngineHarness.Request());
        time.Advance(TimeSpan.FromSeconds(10));
        var check = await lifecycle.CheckStatusAsync(ordered.OrderId);
        Assert.Equal(OrderState.Completed, check.Order.State);
        Assert.NotNull((await lifecycle.GetKeystoreAsync(ordered.CertificateId)).Password);
    }

    [Fact]
    public void Create_InvalidOptions_ThrowsNamingTheOption()
    {
        var options = new SectigoCertificateManagementOptions();
        options.Client.Login = "api";
        options.Client.Password = "pw";
        options.Client.CustomerUri = "acme";
        options.Scheduling.FollowUpInterval = TimeSpan.Zero;
        var ex = Assert.Throws<OptionsValidationException>(() => CertificateLifecycleFactory.Create(options, new InMemoryScmStore()));
        Assert.Contains("Sectigo:Scheduling:FollowUpInterval", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_InvalidClientOptions_ThrowsNamingTheOption()
    {
        var options = new SectigoCertificateManagementOptions();
        options.Client.Login = "api";
        options.Client.CustomerUri = "acme";
        var ex = Assert.ThrowsAny<Exception>(() => CertificateLifecycleFactory.Create(options, new InMemoryScmStore()));
        Assert.Contains("Password", ex.Message, StringComparison.Ordinal);
    }
}

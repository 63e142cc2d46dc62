using Microsoft.Playwright;
using Scm.Testing;

namespace Scm.Samples.Web.Tests;

/// <summary>Importing the orders SCM already has (made by another tool), with the live progress bar.</summary>
[Collection(DashboardCollection.Name)]
public sealed class ImportTests(DashboardFixture fixture)
{
    [SkippableFact(Timeout = 120_000)]
    public Task ImportExistingOrders_ProgressReachesCompleted_ImportedOrdersListed() => fixture.RunAsync(nameof(ImportExistingOrders_ProgressReachesCompleted_ImportedOrdersListed), async page =>
    {
        var sim = fixture.Simulator;
        var tag = Guid.NewGuid().ToString("N")[..8];
        var issued = new[] { $"imp-{tag}-1.acme.example", $"imp-{tag}-2.acme.example", $"imp-{tag}-3.acme.example" };
        foreach (var name in issued)
        {
            await Ui.OrderInScmAsync(sim, name, profileId: 101, termDays: 365);
        }

        // An EV order waiting for SCM's approval: imported as an open order.
        var waiting = $"imp-{tag}-ev.acme.example";
        var waitingSslId = await Ui.OrderInScmAsync(sim, waiting, profileId: 103, termDays: 365, issue: false);
        var enrollsBefore = sim.Counters.EnrollPosts;

        // SCM answers its list slowly for the duration of the import, so the page shows the import running first and
        // then, without being reloaded (the mark set in the page survives), completed: the live update (server-sent
        // events) moved it.
        await page.GotoAsync("/orders");
        var slowList = sim.Faults.Add(ScmFault.On("GET", "/ssl/v1").Latency(TimeSpan.FromSeconds(4)));
        var status = page.GetByTestId("import-status");
        try
        {
            await page.Locator("#import-start").ClickAsync();
            await Assertions.Expect(status).ToHaveTextAsync("Running");
            await page.EvaluateAsync("() => { window.scmTestMark = 'same page'; }");
            await Assertions.Expect(status).ToHaveTextAsync("Completed");
            Assert.Equal("same page", await page.EvaluateAsync<string>("() => window.scmTestMark"));
            Assert.True(slowList.Hits > 0, "The import did not list SCM's orders.");
        }
        finally
        {
            sim.Faults.Remove(slowList);
        }

        var progress = page.Locator("progress[data-testid=import-progress]");
        var max = await progress.GetAttributeAsync("max");
        Assert.False(string.IsNullOrEmpty(max), "The progress bar has no max.");
        await Assertions.Expect(progress).ToHaveAttributeAsync("value", max!);
        Assert.True(double.Parse(max!, System.Globalization.CultureInfo.InvariantCulture) >= issued.Length + 1, $"progress max {max} is below the {issued.Length + 1} orders seeded");

        // Importing never orders anything; the issued ones are in the inventory, the waiting one is an open order.
        Assert.Equal(enrollsBefore, sim.Counters.EnrollPosts);
        foreach (var name in issued)
        {
            await page.GotoAsync("/certificates?q=" + Uri.EscapeDataString(name));
            await Assertions.Expect(page.Locator("tr[data-certificate-id]", new() { HasText = name })).ToHaveCountAsync(1);
        }

        await page.GotoAsync("/orders");
        var open = page.GetByTestId("orders").Locator("tr[data-order-id]", new() { HasText = waiting });
        await Assertions.Expect(open).ToHaveCountAsync(1);
        await Assertions.Expect(open.GetByTestId("order-state")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("AwaitingApproval|Approval", System.Text.RegularExpressions.RegexOptions.IgnoreCase));
        Assert.Equal("Requested", sim.GetOrder(waitingSslId)!.Status);
    });
}

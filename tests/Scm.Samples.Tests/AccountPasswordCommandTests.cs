using Scm.Testing;

namespace Scm.Samples.Tests;

/// <summary><c>scm account change-password</c> against a fresh in-process simulator: the new password goes to a file, never to the screen.</summary>
public sealed class AccountPasswordCommandTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "scm-cli-password-" + Guid.NewGuid().ToString("N"));

    public AccountPasswordCommandTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task ChangePassword_Generated_WrittenToTheSecretFileOnly_AndScmHoldsIt()
    {
        ScmSimulator? simulator = null;
        var secretFile = Path.Combine(_folder, "api-password");

        var result = await CliRun.RunAsync(["--simulator", "account", "change-password", "--secret-file", secretFile], CliRun.Isolated(simulatorStarted: s => simulator = s));

        Assert.True(result.ExitCode == 0, result.ToString());
        var stored = (await File.ReadAllTextAsync(secretFile)).Trim();
        Assert.Equal(24, stored.Length);
        Assert.Equal(stored, simulator!.Credentials.Password);
        Assert.False(File.Exists(secretFile + ".pending"));
        Assert.Contains("SCM accepted the new password", result.Output, StringComparison.Ordinal);
        Assert.Contains(secretFile, result.Output, StringComparison.Ordinal);
        Assert.Contains("Sectigo:Client:Password", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(stored, result.All, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(secretFile));
        }
    }

    [Fact]
    public async Task ChangePassword_FromFile_PolicyViolated_ExitsOneWithScmsReason_NothingLeftBehind()
    {
        var source = Path.Combine(_folder, "wanted");
        await File.WriteAllTextAsync(source, "no-upper-case-7\n");
        var secretFile = Path.Combine(_folder, "api-password");

        var result = await CliRun.RunAsync("--simulator", "account", "change-password", "--new-password-file", source, "--secret-file", secretFile);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("-7306", result.Output, StringComparison.Ordinal);
        Assert.Contains("refused", result.ErrorLine, StringComparison.Ordinal);
        Assert.DoesNotContain("no-upper-case-7", result.All, StringComparison.Ordinal);
        Assert.False(File.Exists(secretFile));
        Assert.False(File.Exists(secretFile + ".pending"));
    }

    [Fact]
    public async Task ChangePassword_FromFile_Accepted_TheFileHoldsTheChosenPassword()
    {
        ScmSimulator? simulator = null;
        var source = Path.Combine(_folder, "wanted");
        await File.WriteAllTextAsync(source, "Chosen-Password-2026\n");
        var secretFile = Path.Combine(_folder, "api-password");

        var result = await CliRun.RunAsync(["--simulator", "account", "change-password", "--new-password-file", source, "--secret-file", secretFile], CliRun.Isolated(simulatorStarted: s => simulator = s));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal("Chosen-Password-2026", (await File.ReadAllTextAsync(secretFile)).Trim());
        Assert.Equal("Chosen-Password-2026", simulator!.Credentials.Password);
        Assert.DoesNotContain("Chosen-Password-2026", result.All, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChangePassword_NewPasswordFileMissing_UsageError()
    {
        var result = await CliRun.RunAsync("--simulator", "account", "change-password", "--new-password-file", Path.Combine(_folder, "absent"));

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--new-password-file", result.ErrorLine, StringComparison.Ordinal);
    }
}

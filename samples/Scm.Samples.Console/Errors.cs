using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using Scm.Client;
using Scm.Lifecycle;
using Scm.Storage;
using Spectre.Console;

namespace Scm.Samples.Console;

/// <summary>Turns a failure into ONE line on the error console and an exit code; the stack trace only with --verbose.</summary>
internal static partial class Errors
{
    /// <summary>Request fields and the options that set them, so a validation error names what to change.</summary>
    private static readonly Dictionary<string, string> OptionForField = new(StringComparer.Ordinal)
    {
        ["CommonName"] = "--cn",
        ["SubjectAlternativeNames"] = "--san",
        ["OrganizationId"] = "--org",
        ["ProfileId"] = "--profile",
        ["TermDays"] = "--term",
        ["KeyAlgorithm"] = "--key",
        ["KeySize"] = "--key-size",
        ["Curve"] = "--curve",
        ["KeystoreType"] = "--keystore",
        ["KeystorePassword"] = "--keystore-password",
        ["Comments"] = "--comments",
        ["ExternalRequesters"] = "--requester",
        ["CustomFields"] = "--custom-field",
        ["Tags"] = "--tag",
        ["ReasonCode"] = "--reason-code",
    };

    public static int Report(CommandContext context, Exception exception)
    {
        var (code, message) = Describe(exception);
        context.Err.MarkupLine($"[red]error:[/] {Render.E(OneLine(message))}");
        if (context.Verbose)
        {
            context.Err.WriteException(exception, ExceptionFormats.ShortenEverything);
        }

        return code;
    }

    public static (int ExitCode, string Message) Describe(Exception exception) => exception switch
    {
        CliException cli => (cli.ExitCode, cli.Message),
        CertificateRequestValidationException validation => (ExitCodes.Usage, "invalid request: " + string.Join("; ", validation.Errors.Select(Field))),
        ScmTransportException transport => (ExitCodes.Failure, $"cannot reach SCM: {transport.Description} ({transport.Method} {transport.Path})."),
        ScmRequestException scm => (ExitCodes.Failure, Scm(scm)),
        OptionsValidationException options => (ExitCodes.Usage, Configuration(options.Failures)),
        AggregateException { InnerExceptions: [OptionsValidationException, ..] } many =>
            (ExitCodes.Usage, Configuration(many.InnerExceptions.OfType<OptionsValidationException>().SelectMany(o => o.Failures))),
        ScmStoreException store => (ExitCodes.Failure, $"store: {store.Message}"),
        KeyProtectionException key => (ExitCodes.Failure, $"key protection: {key.Message}"),
        OperationCanceledException => (ExitCodes.Failure, "cancelled."),
        InvalidOperationException invalid => (ExitCodes.Failure, invalid.Message),
        _ => (ExitCodes.Failure, $"{exception.GetType().Name}: {exception.Message}"),
    };

    /// <summary>Collapses line breaks and runs of white space so that an error is always one line.</summary>
    public static string OneLine(string message) => Whitespace().Replace(message, " ").Trim();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    private static string Field(ValidationError error) =>
        OptionForField.TryGetValue(error.Field.Split('[', '.')[0], out var option)
            ? $"{option} ({error.Field}): {error.Message} [{error.Rule}]"
            : $"{error.Field}: {error.Message} [{error.Rule}]";

    private static string Scm(ScmRequestException e)
    {
        var code = e.ScmErrorCode is { } c ? $"SCM error {c}" : $"SCM error (HTTP {e.Status})";
        return $"{code}: {e.Description ?? "no description"} ({e.Method} {e.Path}{(e.Status != 0 ? $", HTTP {e.Status}" : string.Empty)}).";
    }

    private static string Configuration(IEnumerable<string> failures) =>
        "configuration: " + string.Join(" ", failures.Distinct()).Replace("ScmClientOptions.", "Sectigo:Client:", StringComparison.Ordinal) +
        " (set it in appsettings.json, as an environment variable such as Sectigo__Client__Login, or with dotnet user-secrets; or try --simulator)";
}

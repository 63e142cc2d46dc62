using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Scm.Lifecycle;
using Scm.Storage;

namespace Scm.Samples.Web.Pages;

/// <summary>
/// The order form: every field of an order. On submit the engine itself validates the request against the synced catalog
/// (<see cref="ICertificateLifecycle.OrderAsync"/> throws <see cref="CertificateRequestValidationException"/> naming each
/// field and rule before anything is stored or sent to SCM); its messages are shown next to their fields.
/// </summary>
public sealed class NewOrderModel : DashboardPageModel
{
    /// <summary>The prefix of custom field inputs (<c>custom:Cost Center</c>).</summary>
    public const string CustomFieldPrefix = "custom:";

    [BindProperty]
    public OrderForm Form { get; set; } = new();

    public ScmAccountCatalog? Catalog { get; private set; }

    /// <summary>Messages by form field (the engine's field names, <c>SubjectAlternativeNames[2]</c> shown at <c>SubjectAlternativeNames</c>).</summary>
    public Dictionary<string, List<string>> Errors { get; } = new(StringComparer.Ordinal);

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var messages) ? string.Join(" ", messages) : null;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Engine is not { } engine)
        {
            Error("No SCM account is linked yet: link one on the Account page.");
            return Redirect("/account");
        }

        Catalog = await engine.GetCatalogAsync(cancellationToken);
        if (Catalog is not null)
        {
            var organization = Catalog.Organizations.FirstOrDefault();
            var profile = Catalog.Profiles.FirstOrDefault(p => organization is null || p.OrganizationIds.Count == 0 || p.OrganizationIds.Contains(organization.Id));
            Form.OrganizationId = organization?.Id.ToString(CultureInfo.InvariantCulture);
            Form.ProfileId = profile?.Id.ToString(CultureInfo.InvariantCulture);
            Form.TermDays = profile?.Terms.FirstOrDefault() is int term and > 0 ? term.ToString(CultureInfo.InvariantCulture) : null;
        }

        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken cancellationToken)
    {
        if (Engine is not { } engine)
        {
            Error("No SCM account is linked yet: link one on the Account page.");
            return Redirect("/account");
        }

        var keystorePassword = string.IsNullOrEmpty(Form.KeystorePassword) ? null : Form.KeystorePassword;
        Form.KeystorePassword = null;
        var request = BuildRequest(keystorePassword);
        if (request is not null)
        {
            try
            {
                var result = await engine.OrderAsync(request, cancellationToken);
                var notices = result.Notices.Count > 0 ? " " + string.Join(" ", result.Notices) : string.Empty;
                Flash($"Order for {result.Order.Request.CommonName} placed: {result.State}{(result.SslId is { } sslId ? $", SCM sslId {sslId}" : string.Empty)}.{notices}" +
                    (result.GeneratedKeystorePassword is not null ? " Its keystore password was generated and is kept protected; download the keystore with a password of your choice from the certificate's page." : string.Empty));
                return Redirect($"/orders/{result.OrderId}");
            }
            catch (CertificateRequestValidationException ex)
            {
                foreach (var error in ex.Errors)
                {
                    Add(FormField(error.Field), error.Message);
                }
            }
            catch (Exception ex) when (IsExpected(ex))
            {
                Add(string.Empty, "The order was not placed: " + ex.Message);
            }
        }

        Catalog = await engine.GetCatalogAsync(cancellationToken);
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    /// <summary>The custom field values typed (inputs named <c>custom:{name}</c>).</summary>
    public string? CustomValue(string name) => Request.HasFormContentType ? Request.Form[CustomFieldPrefix + name].ToString() : null;

    /// <summary>
    /// Turns the form into the engine's request. Only what the form itself cannot express is checked here (a number
    /// that is not a number); every rule about the values is the engine's.
    /// </summary>
    private OrderCertificateRequest? BuildRequest(string? keystorePassword)
    {
        var organizationId = Number(Form.OrganizationId, "OrganizationId");
        var profileId = Number(Form.ProfileId, "ProfileId");
        var termDays = Number(Form.TermDays, "TermDays");
        var algorithm = string.Equals(Form.KeyAlgorithm, "RSA", StringComparison.OrdinalIgnoreCase) ? KeyAlgorithm.Rsa : KeyAlgorithm.EC;
        int? keySize = null;
        string? curve = null;
        var size = Form.KeySize?.Trim();
        if (!string.IsNullOrEmpty(size))
        {
            if (algorithm == KeyAlgorithm.Rsa)
            {
                if (int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var bits))
                {
                    keySize = bits;
                }
                else
                {
                    Add("KeySize", $"KeySize must be a number of bits for an RSA key (such as 2048); got '{size}'.");
                }
            }
            else
            {
                curve = size;
            }
        }

        if (!Enum.TryParse<KeystoreType>(Form.KeystoreType, ignoreCase: true, out var keystoreType) || !Enum.IsDefined(keystoreType))
        {
            Add("KeystoreType", "KeystoreType must be Pkcs12, Pem or Jks.");
        }

        if (!Enum.TryParse<AutoRenewMode>(Form.AutoRenew, ignoreCase: true, out var autoRenew) || !Enum.IsDefined(autoRenew))
        {
            autoRenew = AutoRenewMode.Inherit;
        }

        if (Errors.Count > 0)
        {
            return null;
        }

        var customFields = Request.Form.Keys
            .Where(k => k.StartsWith(CustomFieldPrefix, StringComparison.Ordinal))
            .Select(k => (Name: k[CustomFieldPrefix.Length..], Value: Request.Form[k].ToString().Trim()))
            .Where(f => f.Value.Length > 0)
            .Select(f => new CustomFieldValue(f.Name, f.Value))
            .ToList();
        return new OrderCertificateRequest
        {
            CommonName = Form.CommonName?.Trim() ?? string.Empty,
            SubjectAlternativeNames = Lines(Form.SubjectAlternativeNames),
            OrganizationId = organizationId,
            ProfileId = profileId,
            TermDays = termDays,
            KeyAlgorithm = algorithm,
            KeySize = keySize,
            Curve = curve,
            KeystoreType = keystoreType,
            KeystorePassword = keystorePassword,
            Comments = string.IsNullOrWhiteSpace(Form.Comments) ? null : Form.Comments.Trim(),
            ExternalRequesters = List(Form.ExternalRequesters),
            CustomFields = customFields,
            Tags = List(Form.Tags),
            AutoRenew = autoRenew,
        };
    }

    private int Number(string? value, string field)
    {
        if (int.TryParse(value?.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number))
        {
            return number;
        }

        Add(field, $"{field} must be a whole number; got '{value}'.");
        return 0;
    }

    private void Add(string field, string message)
    {
        if (!Errors.TryGetValue(field, out var messages))
        {
            Errors[field] = messages = [];
        }

        messages.Add(message);
    }

    /// <summary>The form field an engine field belongs to: <c>SubjectAlternativeNames[2]</c> -> <c>SubjectAlternativeNames</c>, <c>Curve</c> -> <c>KeySize</c>.</summary>
    public static string FormField(string engineField)
    {
        var bracket = engineField.IndexOf('[', StringComparison.Ordinal);
        var field = bracket >= 0 ? engineField[..bracket] : engineField;
        return field switch
        {
            "Curve" => "KeySize",
            "CommonName" or "SubjectAlternativeNames" or "OrganizationId" or "ProfileId" or "TermDays" or "KeyAlgorithm" or "KeySize"
                or "KeystoreType" or "KeystorePassword" or "Comments" or "ExternalRequesters" or "CustomFields" or "Tags" => field,
            _ => string.Empty,
        };
    }

    private static IReadOnlyList<string> Lines(string? text) =>
        (text ?? string.Empty).Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();

    private static IReadOnlyList<string> List(string? text) =>
        (text ?? string.Empty).Split([',', ';', '\n'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>The order form's fields (strings, as typed: the engine judges them).</summary>
    public sealed class OrderForm
    {
        public string? CommonName { get; set; }

        public string? SubjectAlternativeNames { get; set; }

        public string? OrganizationId { get; set; }

        public string? ProfileId { get; set; }

        public string? TermDays { get; set; }

        public string? KeyAlgorithm { get; set; } = "EC";

        public string? KeySize { get; set; } = "P-256";

        public string? KeystoreType { get; set; } = nameof(Scm.Storage.KeystoreType.Pkcs12);

        /// <summary>Bound from the post, never rendered back.</summary>
        public string? KeystorePassword { get; set; }

        public string? Comments { get; set; }

        public string? ExternalRequesters { get; set; }

        public string? Tags { get; set; }

        public string? AutoRenew { get; set; } = nameof(AutoRenewMode.Inherit);

        /// <inheritdoc />
        public override string ToString() => $"OrderForm {{ CommonName = {CommonName}, ProfileId = {ProfileId}, KeystorePassword = *** }}";
    }
}

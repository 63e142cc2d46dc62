using Microsoft.AspNetCore.Mvc;
using Scm.Samples.Web.Hosting;

namespace Scm.Samples.Web.Pages;

/// <summary>Links the SCM account (password, OAuth2 client credentials or client certificate) and checks it.</summary>
[RequestFormLimits(MultipartBodyLengthLimit = 256 * 1024)]
public sealed class AccountModel : DashboardPageModel
{
    private const long MaxCertificateBytes = 64 * 1024;
    private readonly AccountLinks _links;
    private readonly AccountCheckResults _checks;

    public AccountModel(AccountLinks links, AccountCheckResults checks)
    {
        _links = links;
        _checks = checks;
    }

    /// <summary>The link form. Its secrets are bound from the post and never rendered back.</summary>
    [BindProperty]
    public LinkForm Form { get; set; } = new();

    public AccountLinkView? Link => _links.Current;

    public AccountCheckResults.Entry? Check => _checks.Last;

    public IReadOnlyDictionary<string, string> Errors { get; private set; } = new Dictionary<string, string>();

    public string? ErrorFor(string field) => Errors.TryGetValue(field, out var message) ? message : null;

    public void OnGet() => FillFromLink();

    public async Task<IActionResult> OnPostLinkAsync(IFormFile? certificateFile, CancellationToken cancellationToken)
    {
        byte[]? certificate = null;
        if (certificateFile is { Length: > 0 })
        {
            if (certificateFile.Length > MaxCertificateBytes)
            {
                return Refuse("CertificateFile", $"CertificateFile must be a PKCS#12 file of at most {MaxCertificateBytes / 1024} KiB.");
            }

            using var buffer = new MemoryStream();
            await certificateFile.CopyToAsync(buffer, cancellationToken);
            certificate = buffer.ToArray();
        }

        var request = new AccountLinkRequest
        {
            Mode = Form.Mode,
            BaseAddress = Form.BaseAddress,
            CustomerUri = Form.CustomerUri,
            Login = Form.Login,
            Password = Form.Password,
            ClientId = Form.ClientId,
            ClientSecret = Form.ClientSecret,
            TokenEndpoint = Form.TokenEndpoint,
            CertificateFile = certificate,
            CertificatePassword = Form.CertificatePassword,
        };
        Form.ClearSecrets();
        var result = await _links.LinkAsync(request, UserName, cancellationToken);
        if (!result.Linked)
        {
            Errors = result.Errors;
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }

        _checks.Clear();
        Flash("The SCM account is linked. Check it, then sync the catalog.");
        return Redirect("/account");
    }

    public async Task<IActionResult> OnPostCheckAsync(CancellationToken cancellationToken) => await RunAsync("Account check", async engine =>
    {
        var result = await engine.CheckAccountAsync(cancellationToken);
        _checks.Record(result, UserName, Now);
        return result.IsReady ? "The account is ready to order." : "The account check found problems (see below).";
    }, "/account");

    public async Task<IActionResult> OnPostUnlinkAsync(CancellationToken cancellationToken)
    {
        await _links.UnlinkAsync(UserName, cancellationToken);
        _checks.Clear();
        Flash("The SCM account is unlinked; its certificates and orders stay in the store.");
        return Redirect("/account");
    }

    private IActionResult Refuse(string field, string message)
    {
        Form.ClearSecrets();
        Errors = new Dictionary<string, string> { [field] = message };
        Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
        return Page();
    }

    private void FillFromLink()
    {
        if (Link is { } link)
        {
            Form = new LinkForm
            {
                Mode = link.Mode,
                BaseAddress = link.BaseAddress.ToString(),
                CustomerUri = link.CustomerUri,
                Login = link.Login,
                ClientId = link.ClientId,
                TokenEndpoint = link.TokenEndpoint?.ToString(),
            };
        }
    }

    /// <summary>The link form's fields.</summary>
    public sealed class LinkForm
    {
        public LinkMode Mode { get; set; }

        public string? BaseAddress { get; set; }

        public string? CustomerUri { get; set; }

        public string? Login { get; set; }

        public string? Password { get; set; }

        public string? ClientId { get; set; }

        public string? ClientSecret { get; set; }

        public string? TokenEndpoint { get; set; }

        public string? CertificatePassword { get; set; }

        /// <summary>Forgets the secrets once used (the page never renders them, and neither does anything else).</summary>
        public void ClearSecrets()
        {
            Password = null;
            ClientSecret = null;
            CertificatePassword = null;
        }

        /// <inheritdoc />
        public override string ToString() => $"LinkForm {{ Mode = {Mode}, BaseAddress = {BaseAddress}, CustomerUri = {CustomerUri}, Login = {Login}, ClientId = {ClientId} }}";
    }
}

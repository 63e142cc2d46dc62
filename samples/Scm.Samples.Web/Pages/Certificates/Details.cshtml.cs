using Microsoft.AspNetCore.Mvc;
using Scm.Client;
using Scm.Lifecycle;
using Scm.Samples.Web.Hosting;
using Scm.Samples.Web.Rendering;
using Scm.Storage;

namespace Scm.Samples.Web.Pages;

/// <summary>One certificate: details, renew, reissue, revoke, delete, keystore download, auto-renewal choice, its audit.</summary>
public sealed class CertificateDetailsModel : DashboardPageModel
{
    [BindProperty(SupportsGet = true)]
    public Guid Id { get; set; }

    public ManagedCertificate? Certificate { get; private set; }

    public CertificateOrder? OpenOrder { get; private set; }

    public IReadOnlyList<AuditEntry> Audit { get; private set; } = [];

    private string Self => "/certificates/" + Id;

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken)
    {
        if (Engine is not { } engine)
        {
            Error("No SCM account is linked yet: link one on the Account page.");
            return Redirect("/account");
        }

        Certificate = await engine.GetCertificateAsync(Id, cancellationToken);
        if (Certificate is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }

        await foreach (var order in engine.ListOrdersAsync(Enum.GetValues<OrderState>().Where(OrderStates.IsOpen).ToList(), cancellationToken))
        {
            // The certificate's own order, or a renewal or reissue of it still in flight (they carry its id).
            if (order.CertificateId == Id)
            {
                OpenOrder = order;
            }
        }

        Audit = (await engine.QueryAuditAsync(new AuditQuery { CertificateId = Id, Limit = 1000 }, cancellationToken)).Reverse().ToList();
        return Page();
    }

    public Task<IActionResult> OnPostRenewAsync(bool reuseKey, CancellationToken cancellationToken) => RunAsync("Renew", async engine =>
    {
        var result = await engine.RenewAsync(Id, new RenewCertificateRequest { ReuseKey = reuseKey }, cancellationToken);
        return $"Renewal: {result.Outcome}. {result.Message}";
    }, Self);

    /// <summary>The reissue form. A bound property, not a handler argument: MVC logs handler arguments at Trace level.</summary>
    [BindProperty]
    public ReissueForm Reissue { get; set; } = new();

    public Task<IActionResult> OnPostReissueAsync(CancellationToken cancellationToken) => RunAsync("Reissue", async engine =>
    {
        var reissue = Reissue;
        var password = string.IsNullOrEmpty(reissue.KeystorePassword) ? null : reissue.KeystorePassword;
        reissue.KeystorePassword = null;
        var algorithm = reissue.KeyAlgorithm switch
        {
            "EC" => KeyAlgorithm.EC,
            "RSA" => KeyAlgorithm.Rsa,
            _ => (KeyAlgorithm?)null,
        };
        int? keySize = null;
        string? curve = null;
        if (!string.IsNullOrWhiteSpace(reissue.KeySize))
        {
            if (algorithm == KeyAlgorithm.Rsa)
            {
                keySize = int.TryParse(reissue.KeySize, out var bits) ? bits : throw new ArgumentException($"KeySize must be a number of bits for an RSA key; got '{reissue.KeySize}'.");
            }
            else
            {
                curve = reissue.KeySize.Trim();
            }
        }

        var names = (reissue.SubjectAlternativeNames ?? string.Empty).Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var result = await engine.ReissueAsync(Id, new ReissueCertificateRequest
        {
            Reason = reissue.Reason ?? string.Empty,
            CommonName = string.IsNullOrWhiteSpace(reissue.CommonName) ? null : reissue.CommonName.Trim(),
            SubjectAlternativeNames = names.Length == 0 ? null : names,
            KeyAlgorithm = algorithm,
            KeySize = keySize,
            Curve = curve,
            KeystoreType = Enum.TryParse<KeystoreType>(reissue.KeystoreType, out var type) && Enum.IsDefined(type) ? type : null,
            KeystorePassword = password,
        }, cancellationToken);
        return $"Reissue: {result.Outcome}. {result.Message}";
    }, Self);

    public Task<IActionResult> OnPostRevokeAsync(int revokeReason, string? revokeComments, bool revokeRemove, CancellationToken cancellationToken) => RunAsync("Revoke", async engine =>
    {
        var result = await engine.RevokeAsync(Id, new RevokeCertificateRequest
        {
            ReasonCode = (RevocationReason)revokeReason,
            Reason = revokeComments ?? string.Empty,
            RemoveFromInventory = revokeRemove,
        }, cancellationToken);
        return $"Revoke: {result.Outcome}. {result.Message}";
    }, revokeRemove ? "/certificates" : Self);

    public Task<IActionResult> OnPostDeleteAsync(CancellationToken cancellationToken) => RunAsync("Delete", async engine =>
    {
        var result = await engine.DeleteCertificateAsync(Id, cancellationToken);
        return result.Message;
    }, "/certificates");

    public Task<IActionResult> OnPostAutoRenewAsync(AutoRenewMode mode, CancellationToken cancellationToken) => RunAsync("Auto-renewal choice", async engine =>
    {
        var certificate = await engine.SetCertificateAutoRenewAsync(Id, Enum.IsDefined(mode) ? mode : throw new ArgumentException("The auto-renewal choice must be Inherit, Enabled or Disabled."), cancellationToken);
        return $"Auto-renewal for {certificate.CommonName}: {certificate.AutoRenew}.";
    }, Self);

    public Task<IActionResult> OnPostDeployAsync(CancellationToken cancellationToken) => RunAsync("Deploy", async engine =>
    {
        var outcomes = await engine.DeployAsync(Id, cancellationToken);
        return outcomes.Count == 0 ? "No deployment target is registered." : "Deployed: " + string.Join("; ", outcomes.Select(o => o.ToString()));
    }, Self);

    /// <summary>The keystore, re-encrypted with the password typed in the prompt (never the stored one, never shown).</summary>
    public async Task<IActionResult> OnPostDownloadAsync(CancellationToken cancellationToken)
    {
        // Read from the form here, not bound as a handler argument: MVC logs handler arguments at Trace level.
        string? keystorePassword = Request.Form["keystorePassword"];
        if (Engine is not { } engine)
        {
            Error("No SCM account is linked yet: link one on the Account page.");
            return Redirect("/account");
        }

        if (KeystoreExport.CheckPassword(keystorePassword) is { } problem)
        {
            Error("Download refused: " + problem);
            return Redirect(Self);
        }

        try
        {
            var keystore = await engine.GetKeystoreAsync(Id, cancellationToken);
            var (content, fileName, contentType) = KeystoreExport.Rewrap(keystore, keystorePassword!);
            Log.Action(Logger, "Keystore download", UserName, $"{keystore.Type} of certificate {Id}");
            return File(content, contentType, fileName);
        }
        catch (Exception ex) when (IsExpected(ex) || ex is System.Security.Cryptography.CryptographicException)
        {
            Error("Download failed: " + (ex is System.Security.Cryptography.CryptographicException ? "the keystore could not be re-encrypted." : ex.Message));
            return Redirect(Self);
        }
    }

    /// <summary>The reissue form (its password is never rendered back).</summary>
    public sealed class ReissueForm
    {
        public string? Reason { get; set; }

        public string? CommonName { get; set; }

        public string? SubjectAlternativeNames { get; set; }

        public string? KeyAlgorithm { get; set; }

        public string? KeySize { get; set; }

        public string? KeystoreType { get; set; }

        public string? KeystorePassword { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"ReissueForm {{ Reason = {Reason}, CommonName = {CommonName}, KeystorePassword = *** }}";
    }
}

using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Scm.Lifecycle;
using Scm.Storage;
using Scm.Testing;

namespace Scm.Benchmarks.Lifecycle;

/// <summary>
/// What the lifecycle benchmarks share: an in-process simulator with zero stage delays, the engine built the way a host
/// builds it (<c>AddSectigoCertificateManagement</c>, scheduler off, no deployment targets), and a bare
/// <see cref="HttpClient"/> speaking the same wire (same three auth headers, same paths, same bodies) for the baselines.
/// </summary>
internal static class LifecycleBenchmarkEnvironment
{
    public const int Org = 2001;
    public const int Profile = 102;
    public const int ApprovalProfile = 190;
    public const int Term = 365;
    public const string CostCenter = "Cost Center";
    public const string Comments = "ordered by the lifecycle benchmark";

    /// <summary>Starts a quiet simulator: zero stage delays, request log off, plus an EC profile that needs approval (orders on it stay Requested).</summary>
    public static Task<ScmSimulator> StartSimulatorAsync()
    {
        var account = ScmSimulatorAccount.CreateDefault();
        account.Profiles.Add(new ScmSimulatorProfile
        {
            Id = ApprovalProfile,
            Name = "Bench EC (approval required)",
            Description = "EC profile whose orders wait for an administrator",
            Terms = { Term },
            KeyTypes = new Dictionary<string, IList<string>> { ["EC"] = ["P-256"] },
            RequiresApproval = true,
        });
        return ScmSimulator.StartAsync(new ScmSimulatorOptions
        {
            Seed = 5,
            Log = null,
            Account = account,
            AutoApprovalDelay = TimeSpan.Zero,
            ApplyDelay = TimeSpan.Zero,
            IssueDelay = TimeSpan.Zero,
            RequestLogCapacity = 0,
        });
    }

    /// <summary>The engine as a host builds it; in-memory store unless <paramref name="sqlitePath"/> is given; <paramref name="configure"/> changes the options.</summary>
    public static ServiceProvider BuildEngine(ScmSimulator simulator, string? sqlitePath = null, Action<SectigoCertificateManagementOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        var builder = services.AddSectigoCertificateManagement(o =>
        {
            o.Client.BaseAddress = simulator.BaseAddress;
            o.Client.Login = simulator.Credentials.Login;
            o.Client.Password = simulator.Credentials.Password;
            o.Client.CustomerUri = simulator.Credentials.CustomerUri;
            o.Scheduling.Enabled = false;
            o.KeyProtection.Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
            configure?.Invoke(o);
        });
        if (sqlitePath is null)
        {
            builder.UseInMemoryStorage();
        }
        else
        {
            builder.UseSqliteStorage(sqlitePath);
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>A raw client with the simulator's three credential headers on every request.</summary>
    public static HttpClient CreateBareClient(ScmSimulator simulator)
    {
        var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, AutomaticDecompression = DecompressionMethods.None })
        {
            BaseAddress = new Uri(simulator.BaseAddress.AbsoluteUri.TrimEnd('/') + "/"),
        };
        http.DefaultRequestHeaders.Add("login", simulator.Credentials.Login);
        http.DefaultRequestHeaders.Add("password", simulator.Credentials.Password);
        http.DefaultRequestHeaders.Add("customerUri", simulator.Credentials.CustomerUri);
        return http;
    }

    /// <summary>The order request the engine gets: EC P-256, one extra name, PKCS#12 with a generated password.</summary>
    public static OrderCertificateRequest OrderRequest(int index) => new()
    {
        CommonName = CommonName(index),
        SubjectAlternativeNames = [AltName(index)],
        OrganizationId = Org,
        ProfileId = Profile,
        TermDays = Term,
        KeyAlgorithm = KeyAlgorithm.EC,
        Curve = "P-256",
        KeystoreType = KeystoreType.Pkcs12,
        CustomFields = [new CustomFieldValue(CostCenter, "CC-42")],
        Comments = Comments,
    };

    public static string CommonName(int index) => $"host{index}.acme.example";

    public static string AltName(int index) => $"host{index}-alt.acme.example";

    /// <summary>An EC P-256 CSR the way the engine makes one (.NET CertificateRequest, CN plus SAN extension).</summary>
    public static string CreateCsr(ECDsa key, string commonName, string altName)
    {
        var subject = new X500DistinguishedNameBuilder();
        subject.AddCommonName(commonName);
        var request = new CertificateRequest(subject.Build(), key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(altName);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSigningRequestPem();
    }

    /// <summary>Pre-generated CSRs (fresh key each) for the HTTP baselines and seeding; not part of any measurement.</summary>
    public static string[] CreateCsrs(int count, string prefix)
    {
        var csrs = new string[count];
        Parallel.For(0, count, i =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            csrs[i] = CreateCsr(key, $"{prefix}{i}.acme.example", $"{prefix}{i}-alt.acme.example");
        });
        return csrs;
    }

    /// <summary>
    /// The enroll body the engine's client sends: same fields; with <paramref name="marker"/> the comment carries a
    /// correlation marker like the engine's (same length), without it the comment is what an order placed outside the
    /// SDK would carry.
    /// </summary>
    public static byte[] EnrollBody(string csr, string altName, int profileId, bool marker = true)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("orgId", Org);
            w.WriteString("csr", csr);
            w.WriteString("subjAltNames", altName);
            w.WriteNumber("certType", profileId);
            w.WriteNumber("term", Term);
            w.WriteString("comments", marker ? Comments + " [scm-sdk:" + Guid.NewGuid().ToString("N") + "]" : "ordered in the SCM web UI");
            w.WriteStartArray("customFields");
            w.WriteStartObject();
            w.WriteString("name", CostCenter);
            w.WriteString("value", "CC-42");
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>POST ssl/v1/enroll; returns the sslId.</summary>
    public static async Task<long> EnrollAsync(HttpClient http, byte[] body, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var response = await http.PostAsync("ssl/v1/enroll", content, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"enroll answered {(int)response.StatusCode}: {Encoding.UTF8.GetString(bytes)}");
        }

        return ReadNumber(bytes, "sslId");
    }

    /// <summary>GET ssl/v1/{sslId}; parses the body and returns its status.</summary>
    public static async Task<string> GetStatusAsync(HttpClient http, long sslId, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync("ssl/v1/" + sslId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"details answered {(int)response.StatusCode}");
        }

        using var doc = JsonDocument.Parse(bytes);
        return doc.RootElement.GetProperty("status").GetString() ?? string.Empty;
    }

    /// <summary>GET ssl/v1/collect/{sslId}?format=x509; returns the PEM bundle's length.</summary>
    public static async Task<int> CollectAsync(HttpClient http, long sslId, CancellationToken cancellationToken = default)
    {
        using var response = await http.GetAsync("ssl/v1/collect/" + sslId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "?format=x509", cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK || bytes.Length == 0)
        {
            throw new InvalidOperationException($"collect answered {(int)response.StatusCode}");
        }

        return bytes.Length;
    }

    /// <summary>GET ssl/v1?position=&amp;size=; returns the page's sslIds.</summary>
    public static async Task<List<long>> ListPageAsync(HttpClient http, int position, int size, CancellationToken cancellationToken = default)
    {
        var path = FormattableString.Invariant($"ssl/v1?position={position}&size={size}");
        using var response = await http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"list answered {(int)response.StatusCode}");
        }

        using var doc = JsonDocument.Parse(bytes);
        var ids = new List<long>(size);
        foreach (var row in doc.RootElement.EnumerateArray())
        {
            ids.Add(row.GetProperty("sslId").GetInt64());
        }

        return ids;
    }

    private static long ReadNumber(byte[] json, string name)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.GetProperty(name).GetInt64();
    }
}

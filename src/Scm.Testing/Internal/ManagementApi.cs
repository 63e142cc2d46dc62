using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Scm.Testing.Internal;

/// <summary>
/// The management API under <c>/__scmsim</c> (no authentication; loopback only): the same control and ground truth the
/// .NET API gives, as JSON, for tests in other processes and other languages.
/// </summary>
internal sealed class ManagementApi
{
    private readonly Func<ScmSimulator> _simulator;

    public ManagementApi(Func<ScmSimulator> simulator) => _simulator = simulator;

    public async Task HandleAsync(HttpContext context, string path)
    {
        var sim = _simulator();
        var method = context.Request.Method;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            byte[] body = [];
            if (!HttpMethods.IsGet(method) && !HttpMethods.IsHead(method))
            {
                using var buffer = new MemoryStream();
                await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
                body = buffer.ToArray();
            }

            switch (segments)
            {
                case [] or ["info"] when HttpMethods.IsGet(method):
                    await OkAsync(context, Info(sim)).ConfigureAwait(false);
                    return;
                case ["counters"] when HttpMethods.IsGet(method):
                    await OkAsync(context, Counters(sim.Counters)).ConfigureAwait(false);
                    return;
                case ["counters", "reset"] when HttpMethods.IsPost(method):
                    sim.Counters.Reset();
                    NoContent(context);
                    return;
                case ["requests"] when HttpMethods.IsGet(method):
                    await OkAsync(context, Requests(sim.GetRequestLog())).ConfigureAwait(false);
                    return;
                case ["requests"] when HttpMethods.IsDelete(method):
                    sim.ClearRequestLog();
                    NoContent(context);
                    return;
                case ["orders"] when HttpMethods.IsGet(method):
                    await OkAsync(context, ScmJson.Build(sim.GetOrders(), static (w, os) =>
                    {
                        w.WriteStartArray();
                        foreach (var o in os)
                        {
                            WriteOrder(w, o);
                        }

                        w.WriteEndArray();
                    })).ConfigureAwait(false);
                    return;
                case ["orders", var id] when HttpMethods.IsGet(method):
                    {
                        var order = sim.GetOrder(ParseId(id)) ?? throw new KeyNotFoundException($"Order {id} not found.");
                        await OkAsync(context, ScmJson.Build(order, WriteOrder)).ConfigureAwait(false);
                        return;
                    }

                case ["orders", var id, var action] when HttpMethods.IsPost(method):
                    {
                        var sslId = ParseId(id);
                        var reason = ReadString(body, "reason");
                        switch (action)
                        {
                            case "approve":
                                sim.Approve(sslId);
                                break;
                            case "decline":
                                sim.Decline(sslId, reason);
                                break;
                            case "reject":
                                sim.Reject(sslId, reason);
                                break;
                            case "invalidate":
                                sim.Invalidate(sslId, reason);
                                break;
                            case "issue":
                                sim.IssueNow(sslId);
                                break;
                            default:
                                throw new KeyNotFoundException($"Unknown action '{action}'.");
                        }

                        await OkAsync(context, ScmJson.Build(sim.GetOrder(sslId)!, WriteOrder)).ConfigureAwait(false);
                        return;
                    }

                case ["time"] when HttpMethods.IsGet(method):
                    await OkAsync(context, Time(sim)).ConfigureAwait(false);
                    return;
                case ["time", "advance"] when HttpMethods.IsPost(method):
                    {
                        using var doc = ParseObject(body);
                        var root = doc.RootElement;
                        TimeSpan by;
                        if (root.TryGetProperty("seconds", out var seconds) && seconds.ValueKind == JsonValueKind.Number)
                        {
                            by = TimeSpan.FromSeconds(seconds.GetDouble());
                        }
                        else if (root.TryGetProperty("duration", out var duration) && duration.ValueKind == JsonValueKind.String
                            && TimeSpan.TryParse(duration.GetString(), CultureInfo.InvariantCulture, out var parsed))
                        {
                            by = parsed;
                        }
                        else
                        {
                            throw new ArgumentException("Send {\"seconds\": N} or {\"duration\": \"d.hh:mm:ss\"}.");
                        }

                        sim.AdvanceTime(by);
                        await OkAsync(context, Time(sim)).ConfigureAwait(false);
                        return;
                    }

                case ["credentials", "rotate"] when HttpMethods.IsPost(method):
                    sim.RotateCredentials();
                    await OkAsync(context, Info(sim)).ConfigureAwait(false);
                    return;
                case ["credentials", "expire"] when HttpMethods.IsPost(method):
                    sim.ExpireCredentials();
                    NoContent(context);
                    return;
                case ["credentials", "revoke-tokens"] when HttpMethods.IsPost(method):
                    sim.RevokeTokens();
                    NoContent(context);
                    return;
                case ["domains", var name, "validation"] when HttpMethods.IsPut(method) || HttpMethods.IsPost(method):
                    {
                        var status = ReadString(body, "status") ?? throw new ArgumentException("Send {\"status\": \"VALIDATED|NOT_VALIDATED|EXPIRED\"}.");
                        sim.SetDomainValidation(Uri.UnescapeDataString(name), status.ToUpperInvariant() switch
                        {
                            "VALIDATED" => ScmSimulatorDomainValidation.Validated,
                            "NOT_VALIDATED" => ScmSimulatorDomainValidation.NotValidated,
                            "EXPIRED" => ScmSimulatorDomainValidation.Expired,
                            _ => throw new ArgumentException($"Unknown validation status '{status}'."),
                        });
                        NoContent(context);
                        return;
                    }

                case ["domains", var name, "delegation"] when HttpMethods.IsPut(method) || HttpMethods.IsPost(method):
                    {
                        var status = ReadString(body, "status") ?? throw new ArgumentException("Send {\"status\": \"ACTIVE|REQUESTED\"}.");
                        sim.SetDomainDelegation(Uri.UnescapeDataString(name), status.ToUpperInvariant() switch
                        {
                            "ACTIVE" => ScmSimulatorDomainDelegation.Active,
                            "REQUESTED" => ScmSimulatorDomainDelegation.Requested,
                            _ => throw new ArgumentException($"Unknown delegation status '{status}'."),
                        });
                        NoContent(context);
                        return;
                    }

                case ["faults"] when HttpMethods.IsGet(method):
                    await OkAsync(context, ScmJson.Build(sim.Faults.ToList(), static (w, rules) =>
                    {
                        w.WriteStartArray();
                        foreach (var r in rules)
                        {
                            WriteRule(w, r);
                        }

                        w.WriteEndArray();
                    })).ConfigureAwait(false);
                    return;
                case ["faults"] when HttpMethods.IsPost(method):
                    {
                        using var doc = ParseObject(body);
                        var rule = sim.Faults.Add(ParseRule(doc.RootElement));
                        context.Response.Headers.Location = $"{sim.ManagementAddress}/faults/{rule.Id}";
                        await WriteAsync(context, 201, ScmJson.Build(rule, WriteRule)).ConfigureAwait(false);
                        return;
                    }

                case ["faults"] when HttpMethods.IsDelete(method):
                    sim.Faults.Clear();
                    NoContent(context);
                    return;
                case ["faults", var id] when HttpMethods.IsDelete(method):
                    if (!sim.Faults.Remove(id))
                    {
                        throw new KeyNotFoundException($"Fault rule {id} not found.");
                    }

                    NoContent(context);
                    return;
                case ["ca", "root"] when HttpMethods.IsGet(method):
                    await WriteAsync(context, 200, Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", sim.RootCertificate.RawData) + "\n"), "application/x-pem-file").ConfigureAwait(false);
                    return;
                case ["ca", "intermediate"] when HttpMethods.IsGet(method):
                    await WriteAsync(context, 200, Encoding.ASCII.GetBytes(PemEncoding.WriteString("CERTIFICATE", sim.IntermediateCertificate.RawData) + "\n"), "application/x-pem-file").ConfigureAwait(false);
                    return;
                case ["keystore", var token] when HttpMethods.IsGet(method):
                    {
                        var keystore = sim.Engine.TakeKeystore(token) ?? throw new KeyNotFoundException("Unknown or used keystore link.");
                        context.Response.Headers.ContentDisposition = $"attachment; filename=\"{keystore.FileName}\"";
                        await WriteAsync(context, 200, keystore.Body, "application/octet-stream").ConfigureAwait(false);
                        return;
                    }

                default:
                    throw new KeyNotFoundException($"Unknown management route {method} {context.Request.Path}.");
            }
        }
        catch (KeyNotFoundException e)
        {
            await WriteAsync(context, 404, Error(e.Message)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or JsonException or FormatException)
        {
            await WriteAsync(context, 400, Error(e.Message)).ConfigureAwait(false);
        }
    }

    internal static ScmFaultRule ParseRule(JsonElement root)
    {
        string? S(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        double? N(string name) => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        TimeSpan? Ms(string name) => N(name) is { } ms ? TimeSpan.FromMilliseconds(ms) : null;
        T E<T>(string name, T fallback)
            where T : struct, Enum
            => S(name) is { } text ? (Enum.TryParse<T>(text, true, out var value) ? value : throw new ArgumentException($"Unknown {name} '{text}'.")) : fallback;

        var kindText = S("kind") ?? throw new ArgumentException("'kind' is required.");
        if (!Enum.TryParse<ScmFaultKind>(kindText, true, out var kind))
        {
            throw new ArgumentException($"Unknown fault kind '{kindText}'. Known: {string.Join(", ", Enum.GetNames<ScmFaultKind>())}.");
        }

        var target = ScmFault.On(S("method"), S("path") ?? "/**");
        var status = N("status") is { } st ? (int)st : (int?)null;
        var rule = kind switch
        {
            ScmFaultKind.ServerError => target.ServerError(status ?? 500),
            ScmFaultKind.TooManyRequests => target.TooManyRequests(E("retryAfter", ScmRetryAfterStyle.Seconds), N("retryAfterSeconds") is { } s ? TimeSpan.FromSeconds(s) : null),
            ScmFaultKind.Latency => target.Latency(Ms("minDelayMs") ?? Ms("delayMs") ?? TimeSpan.Zero, Ms("maxDelayMs") ?? Ms("delayMs") ?? Ms("minDelayMs") ?? TimeSpan.Zero),
            ScmFaultKind.Stall => target.Stall(Ms("delayMs")),
            ScmFaultKind.DropConnection => target.DropConnection(),
            ScmFaultKind.TruncatedJson => target.TruncatedJson(),
            ScmFaultKind.MalformedJson => target.MalformedJson(),
            ScmFaultKind.WrongJsonTypes => target.WrongJsonTypes(),
            ScmFaultKind.HtmlErrorPage => target.HtmlErrorPage(status ?? 502),
            ScmFaultKind.EmptyOk => target.EmptyOk(),
            ScmFaultKind.OversizedBody => target.OversizedBody(N("bytes") is { } b ? (long)b : 50L * 1024 * 1024),
            ScmFaultKind.EndlessBody => target.EndlessBody(),
            ScmFaultKind.CertificateForAnotherKey => target.CertificateForAnotherKey(),
            ScmFaultKind.ExpiredCertificate => target.ExpiredCertificate(),
            ScmFaultKind.ChainInOddOrder => target.ChainInOddOrder(),
            ScmFaultKind.CommitThenFail => target.CommitThenFail(E("commitFailure", ScmCommitFailure.ServerError), Ms("delayMs")),
            ScmFaultKind.ScmError => target.ScmError(
                N("code") is { } code
                    ? (code == Math.Floor(code) && code is >= int.MinValue and <= int.MaxValue ? (int)code : throw new ArgumentException("'code' must be a whole number in the Int32 range."))
                    : throw new ArgumentException("'code' is required for ScmError."),
                S("description") ?? string.Empty,
                S("details"),
                root.TryGetProperty("items", out var items) && items.ValueKind == JsonValueKind.Array ? [.. items.EnumerateArray().Select(i => i.ToString())] : null,
                status ?? 400),
            ScmFaultKind.ReportFailure => target.ReportFailure(
                N("code") is { } reportCode && reportCode == Math.Floor(reportCode) && reportCode is >= int.MinValue and <= int.MaxValue and not 0
                    ? (int)reportCode
                    : throw new ArgumentException("'code' (a non-zero whole number, the report's statusCode) is required for ReportFailure."),
                S("description") ?? string.Empty),
            _ => target.NotReady(E("notReadyStyle", ScmNotReadyStyle.NotCollectable)),
        };
        if (N("times") is { } times)
        {
            rule = rule.Times((int)times);
        }

        if (N("percent") is { } percent)
        {
            rule = rule.Percent(percent);
        }

        if (N("perRequest") is { } perRequest)
        {
            rule = rule.FirstPerRequest((int)perRequest);
        }

        return rule;
    }

    private static byte[] Info(ScmSimulator sim) => ScmJson.Build(sim, static (w, s) =>
    {
        var c = s.Credentials;
        w.WriteStartObject();
        w.WriteString("baseAddress", s.BaseAddress.ToString());
        w.WriteString("privateBaseAddress", s.PrivateBaseAddress.ToString());
        w.WriteString("tokenEndpoint", s.TokenEndpoint.ToString());
        w.WriteString("managementAddress", s.ManagementAddress.ToString());
        w.WriteBoolean("https", s.IsHttps);
        w.WriteNumber("seed", s.Seed);
        w.WriteStartObject("credentials");
        w.WriteString("login", c.Login);
        w.WriteString("password", c.Password);
        w.WriteString("customerUri", c.CustomerUri);
        w.WriteString("clientId", c.ClientId);
        w.WriteString("clientSecret", c.ClientSecret);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static byte[] Time(ScmSimulator sim) => ScmJson.Build(sim.TimeProvider.GetUtcNow(), static (w, now) =>
    {
        w.WriteStartObject();
        w.WriteString("now", now);
        w.WriteEndObject();
    });

    private static byte[] Counters(ScmSimulatorCounters counters) => ScmJson.Build(counters, static (w, c) =>
    {
        w.WriteStartObject();
        w.WriteNumber("requests", c.Requests);
        w.WriteNumber("enrollPosts", c.EnrollPosts);
        w.WriteNumber("billableOrders", c.BillableOrders);
        w.WriteNumber("renewPosts", c.RenewPosts);
        w.WriteStartObject("enrollPostsByToken");
        foreach (var pair in c.EnrollPostsByToken())
        {
            w.WriteNumber(pair.Key, pair.Value);
        }

        w.WriteEndObject();
        w.WriteStartObject("billableOrdersByToken");
        foreach (var pair in c.BillableOrdersByToken())
        {
            w.WriteNumber(pair.Key, pair.Value);
        }

        w.WriteEndObject();
        w.WriteStartObject("renewalOrdersBySslId");
        foreach (var pair in c.RenewalOrdersBySslId())
        {
            w.WriteNumber(pair.Key.ToString(CultureInfo.InvariantCulture), pair.Value);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static byte[] Requests(IReadOnlyList<ScmSimulatorRequest> entries) => ScmJson.Build(entries, static (w, es) =>
    {
        w.WriteStartArray();
        foreach (var e in es)
        {
            w.WriteStartObject();
            w.WriteString("method", e.Method);
            w.WriteString("path", e.Path);
            w.WriteNumber("status", e.StatusCode);
            w.WriteString("time", e.Time);
            if (e.Fault is { } fault)
            {
                w.WriteString("fault", fault.ToString());
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    private static void WriteOrder(Utf8JsonWriter w, ScmSimulatorOrder o)
    {
        w.WriteStartObject();
        w.WriteNumber("sslId", o.SslId);
        w.WriteString("status", o.Status);
        w.WriteString("commonName", o.CommonName);
        ScmJson.WriteStrings(w, "subjectAlternativeNames", o.SubjectAlternativeNames);
        w.WriteNumber("orgId", o.OrganizationId);
        w.WriteNumber("certTypeId", o.ProfileId);
        w.WriteNumber("term", o.Term);
        w.WriteString("comments", o.Comments);
        w.WriteString("renewId", o.RenewId);
        w.WriteNumber("orderNumber", o.OrderNumber);
        if (o.SerialNumber is not null)
        {
            w.WriteString("serialNumber", o.SerialNumber);
        }

        w.WriteString("requested", o.Requested);
        WriteTime(w, "approved", o.Approved);
        WriteTime(w, "issued", o.Issued);
        WriteTime(w, "expires", o.Expires);
        WriteTime(w, "revoked", o.Revoked);
        WriteTime(w, "declined", o.Declined);
        WriteTime(w, "replaced", o.Replaced);
        WriteTime(w, "renewedDate", o.RenewedDate);
        w.WriteBoolean("renewed", o.Renewed);
        if (o.RenewedFromSslId is { } from)
        {
            w.WriteNumber("renewedFromSslId", from);
        }

        w.WriteString("autoRenewState", o.AutoRenewState);
        w.WriteBoolean("imported", o.Imported);
        if (o.StatusReason is not null)
        {
            w.WriteString("statusReason", o.StatusReason);
        }

        ScmJson.WriteStrings(w, "correlationTokens", o.CorrelationTokens);
        w.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, v);
        }
    }

    private static void WriteRule(Utf8JsonWriter w, ScmFaultRule r)
    {
        w.WriteStartObject();
        w.WriteString("id", r.Id);
        if (r.Method is not null)
        {
            w.WriteString("method", r.Method);
        }

        w.WriteString("path", r.PathPattern);
        w.WriteString("kind", r.Kind.ToString());
        if (r.Kind == ScmFaultKind.ScmError)
        {
            w.WriteNumber("status", r.StatusCode);
            w.WriteNumber("code", r.ErrorCode);
            w.WriteString("description", r.ErrorDescription);
        }

        w.WriteNumber("percent", r.PercentChance);
        if (r.TimesLimit is { } times)
        {
            w.WriteNumber("times", times);
        }

        if (r.PerRequestLimit is { } perRequest)
        {
            w.WriteNumber("perRequest", perRequest);
        }

        w.WriteNumber("hits", r.Hits);
        w.WriteBoolean("exhausted", r.IsExhausted);
        w.WriteEndObject();
    }

    private static JsonDocument ParseObject(byte[] body)
    {
        var doc = JsonDocument.Parse(body.Length == 0 ? "{}"u8.ToArray() : body);
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            throw new ArgumentException("A JSON object is expected.");
        }

        return doc;
    }

    private static string? ReadString(byte[] body, string name)
    {
        if (body.Length == 0)
        {
            return null;
        }

        using var doc = ParseObject(body);
        return doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
    }

    private static long ParseId(string text)
        => long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new ArgumentException($"'{text}' is not an sslId.");

    private static byte[] Error(string message) => ScmJson.Build(message, static (w, m) =>
    {
        w.WriteStartObject();
        w.WriteString("error", m);
        w.WriteEndObject();
    });

    private static Task OkAsync(HttpContext context, byte[] body) => WriteAsync(context, 200, body);

    private static async Task WriteAsync(HttpContext context, int status, byte[] body, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted).ConfigureAwait(false);
    }

    private static void NoContent(HttpContext context)
    {
        context.Response.StatusCode = 204;
        context.Response.ContentLength = 0;
    }
}

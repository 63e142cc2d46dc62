using System.Text;
using System.Text.Json;
using Scm.Client.Internal;
using Scm.Client.Internal.Wire;

namespace Scm.Client.Tests;

/// <summary>
/// The hand-written SSL details reader against the source-generated metadata it stands in for: the same model for every
/// accepted body (through the one-pass and the streamed path), and a JsonException wherever the generated reader throws one.
/// </summary>
public sealed class DetailsReaderTests
{
    private const string FullBody =
        """
        {"commonName":"a.example","sslId":11,"id":12,"orgId":"7","status":"Issued","orderNumber":99,"backendCertId":99,"vendor":"V",
         "certType":{"id":1,"name":"P","description":"D","terms":[365,"730"],"keyTypes":{"RSA":[2048],"EC":["P-256"]},"useSecondaryOrgName":1,"extra":{"a":[1,{"b":2}]}},
         "subType":"S","validationType":"OV","term":"365","owner":"O","ownerId":"3","requester":"R","requesterId":"4","requestedVia":"Web API",
         "externalRequester":"x@example.com","comments":"C","requested":"05/21/2025","approved":"2025-05-21","issued":"05/22/2025",
         "declined":"5/3/2025","expires":"05/22/2026","replaced":"2025/06/01","revoked":"01.07.2025","renewedDate":"2025-08-01 10:00:00",
         "reasonCode":"4","renewed":"true","serialNumber":"AB","signatureAlg":"SHA256WITHRSA","keyAlgorithm":"RSA","keySize":"2048","keyType":"RSA - 2048",
         "keyUsages":["digitalSignature",null],"extendedKeyUsages":[],"subjectAlternativeNames":["a.example","b.example"],
         "customFields":[{"name":"n","value":1},{"name":"m","value":null}],
         "certificateDetails":{"issuer":"I","subject":"CN=a","subjectAltNames":"dNSName=a.example","md5Hash":"m","sha1Hash":"s1","sha256Hash":"s2","x":[]},
         "autoInstallDetails":{"state":"Not configured","nodes":[{"name":"web1","port":"443"}]},
         "autoRenewDetails":{"state":"Scheduled","daysBeforeExpiration":"30","other":true},"suspendNotifications":0}
        """;

    // Unknown fields of every shape, duplicates (the last wins), escaped names, unknown server enum values, whitespace.
    private const string Tricky =
        """
        { "future" : {"deep":[[1,2],{"x":null}]}, "sslId" : 7, "status":"Issued", "status" : "SomethingNew",
          "comm\u006fnName":"escaped.example", "\u0073slId":8, "requestedVia":42, "autoRenewDetails":{"state":"PENDING_V2"},
          "notes":"\"quoted\" and \\ back", "commonName":"last\u00e9.example", "expires":"2026-01-02T03:04:05Z", "list":[] }
        """;

    private static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name));

    public static TheoryData<string> Accepted() =>
    [
        Fixture("ssl-details.json"),
        Fixture("ssl-details-minimal.json"),
        "{}",
        """{"id":5,"certType":{"id":1},"autoInstallDetails":{"nodes":[null]}}""",
        FullBody,
        // Every field null or empty where SCM leaves it so.
        """
        {"sslId":1,"id":null,"commonName":null,"orgId":null,"orderNumber":"","backendCertId":null,"vendor":null,"certType":null,"subType":null,
         "validationType":null,"term":"","owner":null,"ownerId":null,"requester":null,"requesterId":"  ","requestedVia":null,"externalRequester":null,
         "comments":null,"requested":"","approved":null,"issued":"   ","declined":null,"expires":"not a date","replaced":5,"revoked":{"a":1},
         "renewedDate":null,"reasonCode":null,"renewed":null,"serialNumber":null,"signatureAlg":null,"keyAlgorithm":null,"keySize":null,
         "keyType":null,"keyUsages":null,"extendedKeyUsages":null,"subjectAlternativeNames":null,"customFields":null,"certificateDetails":null,
         "autoInstallDetails":null,"autoRenewDetails":null,"suspendNotifications":"","status":"Applied"}
        """,
        Tricky,
    ];

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task AcceptedBody_SameModelAsTheGeneratedReader(string json)
    {
        var expected = Canonical(JsonSerializer.Deserialize(json, ScmJsonContext.Default.SslCertificateDetailsWire)!);

        Assert.Equal(expected, Canonical(JsonSerializer.Deserialize(json, SslDetailsWireReader.TypeInfo)!));
        Assert.Equal(expected, Canonical(JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(json), SslDetailsWireReader.TypeInfo)!));

        // Streamed a few bytes at a time: the converter still sees the whole value.
        await using var stream = new TrickleStream(Encoding.UTF8.GetBytes(json), 7);
        var streamed = await JsonSerializer.DeserializeAsync(stream, SslDetailsWireReader.TypeInfo);
        Assert.Equal(expected, Canonical(streamed!));
    }

    [Fact]
    public void FullBody_EveryFieldRead()
    {
        var d = JsonSerializer.Deserialize(FullBody, SslDetailsWireReader.TypeInfo)!.ToModel();

        Assert.Equal(11, d.SslId);
        Assert.Equal(12, d.WireId);
        Assert.Equal(7, d.OrganizationId);
        Assert.Equal(SslCertificateStatus.Issued, d.Status);
        Assert.Equal("99", d.BackendCertId);
        Assert.Equal([365, 730], d.Profile!.Terms);
        Assert.Equal(["P-256"], d.Profile.KeyTypes["EC"]);
        Assert.Equal(4, d.RevocationReasonCode);
        Assert.True(d.Renewed);
        Assert.Equal(2048, d.KeySize);
        Assert.Equal(2, d.KeyUsages!.Count);
        Assert.Equal("digitalSignature", d.KeyUsages[0]);
        Assert.Null(d.KeyUsages[1]);
        Assert.Empty(d.ExtendedKeyUsages!);
        Assert.Equal("1", d.CustomFields![0].Value);
        Assert.Equal("s2", d.CertificateDetails!.Sha256Hash);
        Assert.Equal(443, d.AutoInstallDetails!.Nodes![0].Port);
        Assert.Equal(AutoRenewState.Scheduled, d.AutoRenewDetails!.State);
        Assert.Equal(30, d.AutoRenewDetails.DaysBeforeExpiration);
        Assert.False(d.SuspendNotifications);
        Assert.Equal(new DateOnly(2025, 8, 1), d.RenewedOn);
    }

    [Fact]
    public void DuplicatesAndEscapes_LastValueWins()
    {
        var d = JsonSerializer.Deserialize(Tricky, SslDetailsWireReader.TypeInfo)!.ToModel();

        Assert.Equal(8, d.SslId);
        Assert.Equal("last\u00e9.example", d.CommonName);
        Assert.Equal("SomethingNew", d.Status.Value);
        Assert.Equal("42", d.RequestedVia!.Value.Value);
        Assert.Equal(new DateOnly(2026, 1, 2), d.ExpiresOn);
    }

    public static TheoryData<string> Rejected() =>
    [
        "[]",
        "\"details\"",
        """{"sslId":"1"}""",
        """{"sslId":null}""",
        """{"sslId":1.5}""",
        """{"id":"5"}""",
        """{"commonName":5}""",
        """{"comments":true}""",
        """{"status":null}""",
        """{"status":{"a":1}}""",
        """{"orgId":"x"}""",
        """{"orgId":99999999999}""",
        """{"keyUsages":"digitalSignature"}""",
        """{"subjectAlternativeNames":[1]}""",
        """{"certType":[]}""",
        """{"certType":{"id":"1"}}""",
        """{"certType":{"id":null}}""",
        """{"certType":{"name":1}}""",
        """{"certificateDetails":"CN=a"}""",
        """{"certificateDetails":{"issuer":1}}""",
        """{"autoRenewDetails":[]}""",
        """{"autoRenewDetails":{"daysBeforeExpiration":"soon"}}""",
        """{"customFields":{"name":"n"}}""",
        """{"renewed":"maybe"}""",
        """{"sslId":1""",
    ];

    [Theory]
    [MemberData(nameof(Rejected))]
    public void RejectedBody_BothReadersThrowJsonException(string json)
    {
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, ScmJsonContext.Default.SslCertificateDetailsWire));
        Assert.ThrowsAny<JsonException>(() => JsonSerializer.Deserialize(json, SslDetailsWireReader.TypeInfo));
    }

    [Fact]
    public void Write_ThroughTheReaderMetadata_IsTheGeneratedForm()
    {
        var wire = JsonSerializer.Deserialize(Fixture("ssl-details.json"), ScmJsonContext.Default.SslCertificateDetailsWire)!;

        Assert.Equal(
            JsonSerializer.Serialize(wire, ScmJsonContext.Default.SslCertificateDetailsWire),
            JsonSerializer.Serialize(wire, SslDetailsWireReader.TypeInfo));
    }

    private static string Canonical(SslCertificateDetailsWire wire) => JsonSerializer.Serialize(wire.ToModel(), ScmJsonContext.Default.SslCertificateDetails);

    private sealed class TrickleStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => new(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

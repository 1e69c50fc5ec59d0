using System.Text;
using Lance.Engine.Storage;
using Lance.Storage.Cloud;
using Lance.Storage.Cloud.S3;
using Lance.Storage.Tests.Support;

namespace Lance.Storage.Tests;

/// <summary>
/// The S3 store's reads as plain signed HTTP (<see cref="S3RestClient"/>): the signature as AWS
/// documents it, the listing parser, and against s3rver (which checks every signature) the same
/// answers and failures as through the SDK.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class S3LeanReadTests(Emulators emulators)
{
    // AWS's published Signature Version 4 examples for S3 ("Signature calculations for the Authorization header").
    private const string ExampleKeyId = "AKIAIOSFODNN7EXAMPLE";
    private const string ExampleSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    private static readonly DateTime ExampleTime = new(2013, 5, 24, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void The_signature_of_a_ranged_get_is_the_one_aws_documents()
    {
        var authorization = new SigV4Signer("us-east-1").Authorization(
            "GET", "/test.txt", [],
            [new("Host", "examplebucket.s3.amazonaws.com"), new("Range", "bytes=0-9"), new("x-amz-content-sha256", SigV4Signer.EmptyPayloadHash), new("x-amz-date", "20130524T000000Z")],
            SigV4Signer.EmptyPayloadHash, ExampleTime, ExampleKeyId, ExampleSecret);
        Assert.Equal(
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41",
            authorization);
    }

    [Fact]
    public void The_signature_of_a_listing_is_the_one_aws_documents()
    {
        var signer = new SigV4Signer("us-east-1");
        string Sign(List<KeyValuePair<string, string>> query) => signer.Authorization(
            "GET", "/", query,
            [new("host", "examplebucket.s3.amazonaws.com"), new("x-amz-content-sha256", SigV4Signer.EmptyPayloadHash), new("x-amz-date", "20130524T000000Z")],
            SigV4Signer.EmptyPayloadHash, ExampleTime, ExampleKeyId, ExampleSecret);

        // Parameters in any order are sorted; a parameter without a value signs as "name=".
        Assert.EndsWith("Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7", Sign([new("prefix", "J"), new("max-keys", "2")]), StringComparison.Ordinal);
        Assert.EndsWith("Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543", Sign([new("lifecycle", "")]), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data/ab-c_d.e~f.lance", true, "data/ab-c_d.e~f.lance")]
    [InlineData("a b/ü+=&?", true, "a%20b/%C3%BC%2B%3D%26%3F")]
    [InlineData("a/b", false, "a%2Fb")]
    public void Keys_are_encoded_as_signature_version_4_requires(string text, bool keepSlash, string encoded)
        => Assert.Equal(encoded, SigV4Signer.Encode(text, keepSlash));

    [Fact]
    public void A_listing_page_gives_each_object_and_where_the_next_page_starts()
    {
        const string Xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
              <Name>lance</Name><Prefix>t/</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>
              <Contents><Key>t/_versions/1.manifest</Key><LastModified>2026-12-05T02:30:00.000Z</LastModified><ETag>"x"</ETag><Size>1234</Size><StorageClass>STANDARD</StorageClass></Contents>
              <Contents><Key>t/data/a&amp;b.lance</Key><LastModified>2026-12-05T02:31:00.000Z</LastModified><Size>56</Size></Contents>
              <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
            </ListBucketResult>
            """;
        var page = S3RestClient.ParseList(new MemoryStream(Encoding.UTF8.GetBytes(Xml)));
        Assert.Equal(
            [new ObjectInfo("t/_versions/1.manifest", 1234, new DateTimeOffset(2026, 12, 5, 2, 30, 0, TimeSpan.Zero)), new ObjectInfo("t/data/a&b.lance", 56, new DateTimeOffset(2026, 12, 5, 2, 31, 0, TimeSpan.Zero))],
            page.Objects);
        Assert.Equal("1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=", page.Continuation);

        var last = S3RestClient.ParseList(new MemoryStream("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"u8.ToArray()));
        Assert.Empty(last.Objects);
        Assert.Null(last.Continuation);
    }

    [Fact]
    public async Task A_store_that_only_reads_never_makes_the_sdk_client_and_reads_what_the_sdk_wrote()
        => await LeanReadScenario.RunAsync(Emulators.NewS3Uri(), emulators.S3Options(), "data/a b+ü.lance", s => ((S3ObjectStore)s).LeanReads, s => ((S3ObjectStore)s).SdkClientMade);

    [Fact]
    public async Task A_listing_longer_than_a_page_is_followed_to_its_end()
    {
        // s3rver cannot page (its continuation tokens use DES, which current Node refuses), so a handler plays S3.
        var pages = new PagingHandler();
        using var rest = new S3RestClient(new Uri("http://127.0.0.1:9000"), pathStyle: true, "lance", "us-east-1", new Amazon.Runtime.BasicAWSCredentials("k", "s"), null, pages);
        await using var store = new S3ObjectStore(() => throw new InvalidOperationException("a read made the SDK client"), rest, "lance", "t", new ObjectStoreOptions { Retry = Emulators.FastRetry });
        var keys = new List<string>();
        await foreach (var item in store.ListAsync("_versions/"))
        {
            keys.Add(item.Key);
        }

        Assert.Equal(["_versions/1.manifest", "_versions/2.manifest"], keys);
        Assert.Equal(["/lance/?list-type=2&prefix=t%2F_versions%2F", "/lance/?continuation-token=a%2Bb%2Fc%3D&list-type=2&prefix=t%2F_versions%2F"], pages.Requests);
    }

    [Fact]
    public async Task An_unknown_key_id_fails_a_read_typed_with_the_status_and_without_the_secret()
    {
        // s3rver checks the key id (it does not recompute version 4 signatures: the SDK is the oracle for those, above).
        var options = emulators.S3Options();
        options["aws_access_key_id"] = "NOT-A-KEY-ID";
        options["aws_secret_access_key"] = "not-the-secret-5d1c07";
        await using var store = ObjectStoreFactory.Open(Emulators.NewS3Uri(), options, Emulators.FastRetry);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(async () =>
        {
            await foreach (var item in store.ListAsync(""))
            {
            }
        });
        Assert.Equal(403, e.StatusCode);
        Assert.Equal("InvalidAccessKeyId", e.ErrorCode);
        Assert.Equal(1, e.Attempts); // a refusal is not retried
        Assert.DoesNotContain("not-the-secret-5d1c07", e.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data/0a1b2c.lance", null, false)]
    [InlineData("t-1/data/a b+ü=&.lance", null, false)]
    [InlineData("_versions/", "t-1/_versions/", true)]
    [InlineData("_versions/", "a b/ü", true)]
    public async Task Our_signature_is_the_sdks_for_the_same_request(string key, string? prefix, bool list)
    {
        // The AWS SDK signs a GET (ranged) or a ListObjectsV2 through a handler that keeps the request;
        // the lean signer, given the same headers and time, must produce the same Authorization.
        var capture = new CapturingHandler("AccessDenied");
        var config = new Amazon.S3.AmazonS3Config
        {
            ServiceURL = "http://127.0.0.1:9000",
            ForcePathStyle = true,
            AuthenticationRegion = "eu-west-2",
            MaxErrorRetry = 0,
            HttpClientFactory = new HandlerFactory(capture),
        };
        using var client = new Amazon.S3.AmazonS3Client(new Amazon.Runtime.BasicAWSCredentials(ExampleKeyId, ExampleSecret), config);
        try
        {
            if (list)
            {
                await client.ListObjectsV2Async(new Amazon.S3.Model.ListObjectsV2Request { BucketName = "lance", Prefix = prefix, ContinuationToken = "tok/en+=" });
            }
            else
            {
                await client.GetObjectAsync(new Amazon.S3.Model.GetObjectRequest { BucketName = "lance", Key = key, ByteRange = new Amazon.S3.Model.ByteRange(5, 14) });
            }
        }
        catch (Amazon.Runtime.AmazonServiceException)
        {
            // The handler's canned answer need not satisfy the SDK: the request it sent is what counts.
        }

        var request = capture.Request!;
        var sent = request.Headers.GetValues("Authorization").Single();
        var signedNames = sent.Split("SignedHeaders=")[1].Split(',')[0].Split(';');
        var headers = signedNames.Select(name => new KeyValuePair<string, string>(name, name == "host"
            ? request.RequestUri!.Authority
            : string.Join(",", request.Headers.TryGetValues(name, out var values) ? values : request.Content!.Headers.GetValues(name)))).ToList();
        var query = capture.Query();
        var time = DateTime.ParseExact(request.Headers.GetValues("x-amz-date").Single(), "yyyyMMdd'T'HHmmss'Z'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal);
        var payload = request.Headers.GetValues("x-amz-content-sha256").Single();
        var ours = new SigV4Signer("eu-west-2").Authorization("GET", request.RequestUri!.AbsolutePath, query, headers, payload, time, ExampleKeyId, ExampleSecret);
        Assert.Equal(sent, ours);
        if (!list)
        {
            Assert.Equal("/lance/" + SigV4Signer.Encode(key, keepSlash: true), request.RequestUri.AbsolutePath);
        }
    }

    [Fact]
    public async Task The_option_aws_sdk_reads_sends_reads_through_the_sdk()
    {
        var options = emulators.S3Options();
        options["aws_sdk_reads"] = "true";
        await using var store = (S3ObjectStore)ObjectStoreFactory.Open(Emulators.NewS3Uri(), options, Emulators.FastRetry);
        Assert.False(store.LeanReads);
        await store.PutAsync("k", new byte[] { 1, 2, 3 });
        Assert.Equal(3, (await store.HeadAsync("k"))!.Value.Length);
    }

    private sealed class HandlerFactory(HttpMessageHandler handler) : Amazon.Runtime.HttpClientFactory
    {
        public override HttpClient CreateHttpClient(Amazon.Runtime.IClientConfig clientConfig) => new(handler, disposeHandler: false);
    }

    private sealed class PagingHandler : HttpMessageHandler
    {
        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request.RequestUri!.PathAndQuery);
            var first = !request.RequestUri.Query.Contains("continuation-token", StringComparison.Ordinal);
            var xml = first
                ? "<ListBucketResult><IsTruncated>true</IsTruncated><Contents><Key>t/_versions/1.manifest</Key><Size>1</Size></Contents><NextContinuationToken>a+b/c=</NextContinuationToken></ListBucketResult>"
                : "<ListBucketResult><IsTruncated>false</IsTruncated><Contents><Key>t/_versions/2.manifest</Key><Size>2</Size></Contents></ListBucketResult>";
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(xml, Encoding.UTF8, "application/xml") });
        }
    }
}

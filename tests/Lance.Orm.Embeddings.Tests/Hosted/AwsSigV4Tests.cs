using System.Text;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>The hand-written SigV4 signer against AWS's published signature test suite.</summary>
public sealed class AwsSigV4Tests
{
    private static readonly AwsCredentials Example = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    private static readonly DateTimeOffset SuiteTime = new(2015, 8, 30, 12, 36, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("GET", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")] // get-vanilla
    [InlineData("POST", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")] // post-vanilla
    public void Reproduces_the_vanilla_vectors_of_the_suite(string method, string expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "https://example.amazonaws.com/");

        var signature = AwsSigV4.Sign(request, [], Example, "us-east-1", "service", SuiteTime);

        Assert.Equal(expected, signature);
        Assert.Equal(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature={expected}",
            request.Headers.GetValues("Authorization").Single());
        Assert.Equal("20150830T123600Z", request.Headers.GetValues("X-Amz-Date").Single());
    }

    [Fact]
    public void The_signature_covers_body_query_and_session_token()
    {
        string Sign(string uri, string body, string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
            return AwsSigV4.Sign(request, Encoding.UTF8.GetBytes(body), Example with { SessionToken = token }, "us-east-1", "bedrock", SuiteTime);
        }

        var baseline = Sign("https://example.amazonaws.com/model/m/invoke", "{}", null);

        Assert.Equal(baseline, Sign("https://example.amazonaws.com/model/m/invoke", "{}", null));
        Assert.NotEqual(baseline, Sign("https://example.amazonaws.com/model/m/invoke", "{ }", null));
        Assert.NotEqual(baseline, Sign("https://example.amazonaws.com/model/m/invoke?a=1", "{}", null));
        Assert.NotEqual(baseline, Sign("https://example.amazonaws.com/model/m/invoke", "{}", "token"));
        Assert.NotEqual(baseline, Sign("https://example.amazonaws.com/model/n/invoke", "{}", null));
    }

    [Fact]
    public void Credentials_do_not_print_their_secret()
    {
        Assert.DoesNotContain("wJalr", Example.ToString());
    }
}

using Amazon.S3;
using Lance.Engine.Storage;
using Lance.Storage.Cloud;
using Lance.Storage.Cloud.Azure;
using Lance.Storage.Cloud.Options;
using Lance.Storage.Cloud.S3;

namespace Lance.Storage.Tests;

/// <summary>URIs and storage options as LanceDB spells them, with environment fallbacks.</summary>
public sealed class FactoryTests
{
    private static readonly Func<string, string?> NoEnvironment = _ => null;

    [Theory]
    [InlineData("s3://bucket/a/b/", "s3", "bucket", null, "a/b")]
    [InlineData("s3a://bucket", "s3a", "bucket", null, "")]
    [InlineData("az://container/db/t.lance", "az", "container", null, "db/t.lance")]
    [InlineData("azure://container/x", "azure", "container", null, "x")]
    [InlineData("abfss://data@myacct.dfs.core.windows.net/lake/t", "abfss", "data", "myacct", "lake/t")]
    [InlineData("abfs://data/lake", "abfs", "data", null, "lake")]
    public void Uris_are_taken_apart(string uri, string scheme, string container, string? account, string prefix)
    {
        var parsed = StorageUri.Parse(uri);
        Assert.Equal(new StorageUri(scheme, container, account, prefix), parsed);
    }

    [Theory]
    [InlineData("s3:///path")]
    [InlineData("az://container/a/../b")]
    [InlineData("az://container/t?sig=abc")]
    public void Malformed_uris_are_refused_by_name(string uri)
        => Assert.ThrowsAny<ArgumentException>(() => StorageUri.Parse(uri));

    [Theory]
    [InlineData("gs://bucket/t")]
    [InlineData("hdfs://host/t")]
    public void Unsupported_schemes_say_so(string uri)
    {
        var e = Assert.Throws<NotSupportedException>(() => ObjectStoreFactory.Open(uri));
        Assert.Contains(uri[..uri.IndexOf(':', StringComparison.Ordinal)], e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Local_paths_and_memory_uris_open_the_engine_stores()
    {
        await using var local = ObjectStoreFactory.Open(Path.GetTempPath());
        Assert.IsType<LocalObjectStore>(local);
        await using var memory = ObjectStoreFactory.Open("memory://x");
        Assert.IsType<InMemoryObjectStore>(memory);
        Assert.False(ObjectStoreFactory.IsObjectStoreUri("file:///tmp/x"));
        Assert.True(ObjectStoreFactory.IsObjectStoreUri("s3://b/x"));
    }

    [Fact]
    public void Options_are_read_without_case_then_from_the_environment()
    {
        var environment = new Dictionary<string, string> { ["AWS_REGION"] = "eu-west-1", ["AWS_ACCESS_KEY_ID"] = "from-env", ["AZURE_STORAGE_ACCOUNT_NAME"] = "envacct" };
        var reader = new StorageOptionReader(new Dictionary<string, string> { ["AWS_Access_Key_Id"] = "from-options" }, k => environment.GetValueOrDefault(k));
        Assert.Equal("from-options", reader.Get("aws_access_key_id", "access_key_id"));
        Assert.Equal("eu-west-1", reader.Get("aws_region", "region"));
        Assert.Equal("envacct", reader.Get("azure_storage_account_name"));
        Assert.Null(reader.Get("aws_session_token"));
    }

    [Theory]
    [InlineData("30s", 30_000)]
    [InlineData("500ms", 500)]
    [InlineData("2 minutes", 120_000)]
    [InlineData("15", 15_000)]
    public void Durations_are_read_as_object_store_spells_them(string text, int milliseconds)
        => Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), StorageOptionReader.ParseDuration(text, "timeout"));

    [Fact]
    public void An_s3_endpoint_sets_path_style_and_the_signing_region()
    {
        var options = new StorageOptionReader(new Dictionary<string, string>
        {
            ["aws_endpoint"] = "http://127.0.0.1:9000", ["allow_http"] = "true", ["aws_region"] = "eu-central-1",
            ["aws_access_key_id"] = "k", ["aws_secret_access_key"] = "s",
        }, NoEnvironment);
        using var client = S3ClientFactory.Create(options, "s3://b");
        var config = (AmazonS3Config)client.Config;
        Assert.StartsWith("http://127.0.0.1:9000", config.ServiceURL, StringComparison.Ordinal);
        Assert.True(config.ForcePathStyle);
        Assert.Equal("eu-central-1", config.AuthenticationRegion);
        Assert.Equal(0, config.MaxErrorRetry);
    }

    [Fact]
    public void A_plain_http_endpoint_needs_allow_http()
    {
        var e = Assert.Throws<ArgumentException>(() => ObjectStoreFactory.Open("s3://b/t", new Dictionary<string, string> { ["aws_endpoint"] = "http://127.0.0.1:9000", ["aws_access_key_id"] = "k", ["aws_secret_access_key"] = "s" }));
        Assert.Contains("allow_http", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ObjectStoreFactory.Open("az://c/t", new Dictionary<string, string> { ["azure_storage_account_name"] = "a", ["azure_storage_account_key"] = "a2V5", ["azure_storage_endpoint"] = "http://127.0.0.1:1/a" }));
    }

    [Fact]
    public void A_key_without_its_secret_is_refused_without_echoing_either()
    {
        var e = Assert.Throws<ArgumentException>(() => ObjectStoreFactory.Open("s3://b/t", new Dictionary<string, string> { ["aws_access_key_id"] = "AKIAEXAMPLE123" }));
        Assert.DoesNotContain("AKIAEXAMPLE123", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_azure_emulator_option_uses_the_well_known_account_and_azurite_address()
    {
        var options = new StorageOptionReader(new Dictionary<string, string> { ["azure_storage_use_emulator"] = "true" }, NoEnvironment);
        var container = AzureClientFactory.Create(StorageUri.Parse("az://box/t"), options, k => k == "AZURITE_BLOB_STORAGE_URL" ? "http://127.0.0.1:12345" : null);
        Assert.Equal("http://127.0.0.1:12345/devstoreaccount1/box", container.Uri.ToString());
        Assert.Equal("devstoreaccount1", container.AccountName);
    }

    [Fact]
    public void An_abfs_uri_names_the_account()
    {
        var options = new StorageOptionReader(new Dictionary<string, string> { ["azure_storage_account_key"] = "a2V5" }, NoEnvironment);
        var container = AzureClientFactory.Create(StorageUri.Parse("abfss://box@acct.dfs.core.windows.net/t"), options, NoEnvironment);
        Assert.Equal("https://acct.blob.core.windows.net/box", container.Uri.ToString());
    }

    [Fact]
    public void An_azure_store_without_an_account_says_how_to_name_one()
    {
        var e = Assert.Throws<ArgumentException>(() => ObjectStoreFactory.Open("az://box/t", new Dictionary<string, string>()));
        Assert.Contains("azure_storage_account_name", e.Message, StringComparison.Ordinal);
    }
}

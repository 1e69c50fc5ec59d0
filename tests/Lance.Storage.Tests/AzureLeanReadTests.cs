using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Lance.Engine.Storage;
using Lance.Storage.Cloud;
using Lance.Storage.Cloud.Azure;
using Lance.Storage.Tests.Support;

namespace Lance.Storage.Tests;

/// <summary>
/// The Azure store's reads as plain HTTP (<see cref="AzureRestClient"/>): the Shared Key string to sign as Azure
/// documents it and, request by request, the signature the SDK computes; the listing parser; and against Azurite
/// (which checks every Shared Key signature) the same answers and failures as through the SDK.
/// </summary>
[Collection(EmulatorCollection.Name)]
public sealed class AzureLeanReadTests(Emulators emulators)
{
    private const string Account = "myaccount";
    private static readonly byte[] Key = Enumerable.Range(0, 64).Select(i => (byte)(i * 13)).ToArray();

    [Fact]
    public void The_string_to_sign_is_laid_out_as_azure_documents()
    {
        // "Authorize with Shared Key": a Get Container Metadata request, its string to sign.
        var text = AzureRestClient.StringToSign(
            "GET", "myaccount", "/mycontainer",
            [new("x-ms-version", "2009-09-19"), new("x-ms-date", "Sun, 11 Oct 2009 21:49:13 GMT")],
            [new("restype", "container"), new("timeout", "20"), new("comp", "metadata")]);
        Assert.Equal(
            "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Sun, 11 Oct 2009 21:49:13 GMT\nx-ms-version:2009-09-19\n/myaccount/mycontainer\ncomp:metadata\nrestype:container\ntimeout:20",
            text);
    }

    [Theory]
    [InlineData("t-1/data/0a1b2c.lance", "get")]
    [InlineData("t-1/data/a b+ü=&%.lance", "get")]
    [InlineData("t-1/_versions/1.manifest", "head")]
    [InlineData("t-1/_versions/", "list")]
    [InlineData("a b/ü+&", "list")]
    public async Task Our_shared_key_signature_is_the_sdks_for_the_same_request(string name, string kind)
    {
        // The SDK sends a ranged GET, a HEAD (Get Blob Properties) or a List Blobs through a handler that keeps the
        // request; the lean client's string to sign over the same request, HMAC'd with the same key, must be its signature.
        var capture = new CapturingHandler("AuthorizationFailure");
        var options = new BlobClientOptions { Transport = new global::Azure.Core.Pipeline.HttpClientTransport(new HttpClient(capture)) };
        options.Retry.MaxRetries = 0;
        var container = new BlobContainerClient(new Uri("http://127.0.0.1:10000/myaccount/box"), new StorageSharedKeyCredential(Account, Convert.ToBase64String(Key)), options);
        try
        {
            switch (kind)
            {
                case "get":
                    await container.GetBlobClient(name).DownloadStreamingAsync(new BlobDownloadOptions { Range = new global::Azure.HttpRange(5, 10) });
                    break;
                case "head":
                    await container.GetBlobClient(name).GetPropertiesAsync();
                    break;
                default:
                    await foreach (var page in container.GetBlobsAsync(new GetBlobsOptions { Prefix = name }).AsPages("mark/er+="))
                    {
                        break;
                    }

                    break;
            }
        }
        catch (global::Azure.RequestFailedException)
        {
            // The handler's canned refusal need not satisfy the SDK: the request it sent is what counts.
        }

        var request = capture.Request!;
        var sent = request.Headers.GetValues("Authorization").Single();
        var headers = request.Headers.Where(h => h.Key.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
            .Select(h => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), string.Join(",", h.Value))).ToList();
        var query = capture.Query(lowerCaseNames: true);
        var toSign = AzureRestClient.StringToSign(request.Method.Method, Account, request.RequestUri!.AbsolutePath, headers, query);
        Assert.Equal(sent, $"SharedKey {Account}:{Convert.ToBase64String(HMACSHA256.HashData(Key, Encoding.UTF8.GetBytes(toSign)))}");
        if (kind != "list")
        {
            // And the lean client addresses the blob as the SDK does.
            Assert.Equal(request.RequestUri.AbsolutePath, new Uri("http://127.0.0.1:10000/myaccount/box/" + AzureRestClient.EscapePath(name)).AbsolutePath);
        }
    }

    [Fact]
    public void A_listing_page_gives_each_blob_and_where_the_next_page_starts()
    {
        const string Xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="box">
              <Prefix>t/</Prefix>
              <Blobs>
                <Blob><Name>t/_versions/1.manifest</Name><Properties><Creation-Time>Sat, 05 Dec 2026 10:00:00 GMT</Creation-Time><Last-Modified>Sat, 05 Dec 2026 10:00:01 GMT</Last-Modified><Etag>0x1</Etag><Content-Length>123</Content-Length><BlobType>BlockBlob</BlobType></Properties><Metadata /></Blob>
                <Blob><Name Encoded="true">t/data/a%EF%BF%BFb.lance</Name><Properties><Last-Modified>Sat, 05 Dec 2026 10:00:02 GMT</Last-Modified><Content-Length>4567890123</Content-Length></Properties></Blob>
              </Blobs>
              <NextMarker>2!96!MDAwMDE5IXQvZGF0YS9iLmxhbmNlITAwMDAyOCE5OTk5LTEyLTMxVDIzOjU5OjU5Ljk5OTk5OTlaIQ--</NextMarker>
            </EnumerationResults>
            """;
        using var body = new MemoryStream(Encoding.UTF8.GetBytes(Xml));
        var page = AzureRestClient.ParseList(body);
        Assert.Equal(["t/_versions/1.manifest", "t/data/a\uFFFFb.lance"], page.Objects.Select(o => o.Key));
        Assert.Equal([123L, 4567890123L], page.Objects.Select(o => o.Length));
        Assert.Equal(new DateTimeOffset(2026, 12, 5, 10, 0, 1, TimeSpan.Zero), page.Objects[0].LastModified);
        Assert.Equal("2!96!MDAwMDE5IXQvZGF0YS9iLmxhbmNlITAwMDAyOCE5OTk5LTEyLTMxVDIzOjU5OjU5Ljk5OTk5OTlaIQ--", page.Continuation);

        using var last = new MemoryStream(Encoding.UTF8.GetBytes("<EnumerationResults><Blobs /><NextMarker /></EnumerationResults>"));
        var empty = AzureRestClient.ParseList(last);
        Assert.Empty(empty.Objects);
        Assert.Null(empty.Continuation);
    }

    [Fact]
    public async Task A_store_that_only_reads_never_makes_the_sdk_client_and_reads_what_the_sdk_wrote()
        => await LeanReadScenario.RunAsync(Emulators.NewAzureUri(), emulators.AzureOptions(), "data/a b+ü=&%.lance", s => ((AzureBlobObjectStore)s).LeanReads, s => ((AzureBlobObjectStore)s).SdkClientMade);

    [Fact]
    public async Task A_listing_longer_than_a_page_is_followed_to_its_end()
    {
        // Azurite pages when asked for fewer results than it holds: the lean client asks for two at a time here.
        var uri = Emulators.NewAzureUri();
        await using (var writer = ObjectStoreFactory.Open(uri, emulators.AzureOptions(), Emulators.FastRetry))
        {
            for (var i = 0; i < 5; i++)
            {
                await writer.PutAsync($"_versions/{i}.manifest", new byte[] { (byte)i });
            }
        }

        var location = StorageUri.Parse(uri);
        using var rest = AzureRestClient.SharedKey(new Uri($"{emulators.Azurite.Endpoint}/{AzureClientFactory.EmulatorAccount}/{location.Container}"), AzureClientFactory.EmulatorAccount,
            Convert.FromBase64String(AzureClientFactory.EmulatorKey), null);
        rest.PageSize = 2;
        var keys = new List<string>();
        var pages = 0;
        string? marker = null;
        do
        {
            var page = await rest.ListPageAsync(location.Prefix + "/_versions/", marker, CancellationToken.None);
            keys.AddRange(page.Objects.Select(o => o.Key));
            marker = page.Continuation;
            pages++;
        }
        while (marker is not null);

        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"{location.Prefix}/_versions/{i}.manifest"), keys);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task A_wrong_account_key_fails_a_read_typed_with_the_status_and_without_the_key()
    {
        // Azurite recomputes every Shared Key signature: one made with another key is refused.
        var options = emulators.AzureOptions();
        var wrong = Convert.ToBase64String(Enumerable.Range(0, 64).Select(i => (byte)(255 - i)).ToArray());
        options["azure_storage_account_key"] = wrong;
        await using var store = ObjectStoreFactory.Open(Emulators.NewAzureUri(), options, Emulators.FastRetry);
        Assert.True(((AzureBlobObjectStore)store).LeanReads);
        var e = await Assert.ThrowsAsync<ObjectStoreException>(async () =>
        {
            await foreach (var item in store.ListAsync(""))
            {
            }
        });
        Assert.Equal(403, e.StatusCode);
        Assert.Equal("AuthorizationFailure", e.ErrorCode);
        Assert.Equal(1, e.Attempts); // a refusal is not retried
        Assert.DoesNotContain(wrong, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sas_token_reads_and_lists_through_the_lean_client()
    {
        var uri = Emulators.NewAzureUri();
        var data = Enumerable.Range(0, 5_000).Select(i => (byte)i).ToArray();
        await using (var writer = ObjectStoreFactory.Open(uri, emulators.AzureOptions(), Emulators.FastRetry))
        {
            await writer.PutAsync("data/x.lance", data);
        }

        // A container SAS for reading and listing, made by the SDK with the account key.
        var location = StorageUri.Parse(uri);
        var container = new BlobContainerClient(
            new Uri($"{emulators.Azurite.Endpoint}/{AzureClientFactory.EmulatorAccount}/{location.Container}"),
            new StorageSharedKeyCredential(AzureClientFactory.EmulatorAccount, AzureClientFactory.EmulatorKey));
        var sas = container.GenerateSasUri(
            global::Azure.Storage.Sas.BlobContainerSasPermissions.Read | global::Azure.Storage.Sas.BlobContainerSasPermissions.List,
            DateTimeOffset.UtcNow.AddHours(1)).Query;
        var options = emulators.AzureOptions();
        options.Remove("azure_storage_account_key");
        options["azure_storage_sas_token"] = sas;
        await using var store = (AzureBlobObjectStore)ObjectStoreFactory.Open(uri, options, Emulators.FastRetry);
        Assert.True(store.LeanReads);
        var listed = new List<ObjectInfo>();
        await foreach (var item in store.ListAsync(""))
        {
            listed.Add(item);
        }

        Assert.Equal(["data/x.lance"], listed.Select(o => o.Key));
        using var file = await store.OpenReadWithLengthAsync("data/x.lance", data.Length);
        var part = new byte[1_000];
        await file.ReadAsync(2_000, part);
        Assert.Equal(data.AsSpan(2_000, 1_000).ToArray(), part);
        Assert.False(store.SdkClientMade);

        // The token does not allow writing: the write (through the SDK) is refused, typed, without the token.
        var e = await Assert.ThrowsAsync<ObjectStoreException>(async () => await store.PutAsync("data/y.lance", new byte[] { 1 }));
        Assert.Equal(403, e.StatusCode);
        Assert.DoesNotContain(sas.TrimStart('?'), e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_option_azure_sdk_reads_sends_reads_through_the_sdk()
    {
        var options = emulators.AzureOptions();
        options["azure_sdk_reads"] = "true";
        await using var store = (AzureBlobObjectStore)ObjectStoreFactory.Open(Emulators.NewAzureUri(), options, Emulators.FastRetry);
        Assert.False(store.LeanReads);
        await store.PutAsync("k", new byte[] { 1, 2, 3 });
        Assert.Equal(3, (await store.HeadAsync("k"))!.Value.Length);
    }
}

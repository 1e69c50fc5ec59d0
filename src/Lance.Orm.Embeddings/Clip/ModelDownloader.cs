namespace Lance.Orm.Embeddings;

/// <summary>
/// Fetches model files into a local cache folder once: each file is written to a temporary name and
/// renamed into place, so a cancelled or failed download never leaves a partial file that looks
/// complete. Every request goes through the retry pipeline.
/// </summary>
internal static class ModelDownloader
{
    public static async Task EnsureAsync(
        Uri baseUrl, string folder, IReadOnlyList<string> required, IReadOnlyList<string> optional, HttpClient http, EmbeddingRetryPipeline retry, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var root = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");
        foreach (var (file, isRequired) in required.Select(f => (f, true)).Concat(optional.Select(f => (f, false))))
        {
            var target = Path.Combine(folder, file);
            if (File.Exists(target) || (!isRequired && File.Exists(target + ".absent")))
            {
                continue;
            }

            var url = new Uri(root, file);
            var found = await retry.ExecuteAsync($"download of {url}", ct => DownloadAsync(http, url, target, isRequired, ct), cancellationToken).ConfigureAwait(false);
            if (!found)
            {
                await File.WriteAllTextAsync(target + ".absent", url.AbsoluteUri, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private static async Task<bool> DownloadAsync(HttpClient http, Uri url, string target, bool required, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new EmbeddingRequestException($"Downloading {url} failed: {ex.Message}", null, null, ex);
        }

        using (response)
        {
            if (!required && response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return false;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new EmbeddingRequestException(
                    $"Downloading {url} failed with HTTP {(int)response.StatusCode} {response.ReasonPhrase}.", (int)response.StatusCode, response.Headers.RetryAfter?.Delta);
            }

            var temporary = $"{target}.{Guid.NewGuid():N}.part";
            try
            {
                await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
                    await body.CopyToAsync(file, cancellationToken).ConfigureAwait(false);
                    if (response.Content.Headers.ContentLength is { } expected && file.Length != expected)
                    {
                        throw new EmbeddingRequestException($"Downloading {url} stopped after {file.Length} of {expected} bytes.", null);
                    }
                }

                try
                {
                    File.Move(temporary, target, overwrite: false);
                }
                catch (IOException) when (File.Exists(target))
                {
                    // Another process finished the same file first; theirs is as good as ours.
                }
            }
            finally
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }

            return true;
        }
    }
}

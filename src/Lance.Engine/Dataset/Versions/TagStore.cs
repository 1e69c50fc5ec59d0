using System.Text.Json;
using System.Text.RegularExpressions;
using Lance.Engine.Storage;

namespace Lance.Engine.Dataset;

/// <summary>
/// A dataset's tags: names for versions, kept as Lance keeps them, one JSON object per tag under
/// <c>_refs/tags/&lt;name&gt;.json</c> (<c>{"version": n, "manifestSize": bytes}</c>) in the dataset's
/// object store. A tag is created with the store's conditional create, so two writers cannot both
/// create it.
/// </summary>
internal sealed partial class TagStore(IObjectStore store, string location)
{
    private const string Folder = "_refs/tags/";

    /// <summary>Every tag and the version it points at.</summary>
    /// <exception cref="LanceFormatException">A tag file cannot be read.</exception>
    public async Task<IReadOnlyDictionary<string, ulong>> ListAsync(CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        await foreach (var entry in store.ListAsync(Folder, cancellationToken).ConfigureAwait(false))
        {
            var name = entry.Key[Folder.Length..];
            if (!name.Contains('/', StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal))
            {
                result[name[..^".json".Length]] = await ReadAsync(entry.Key, cancellationToken).ConfigureAwait(false);
            }
        }

        return result;
    }

    /// <summary>The version <paramref name="tag"/> points at.</summary>
    /// <exception cref="LanceVersionNotFoundException">No such tag.</exception>
    public async Task<ulong> ResolveAsync(string tag, CancellationToken cancellationToken)
    {
        var tags = await ListAsync(cancellationToken).ConfigureAwait(false);
        return tags.TryGetValue(tag, out var version) ? version : throw new LanceVersionNotFoundException(location, tag,
            $"'{location}' has no tag '{tag}'. Tags: {(tags.Count == 0 ? "(none)" : string.Join(", ", tags.Keys.Order(StringComparer.Ordinal)))}.");
    }

    /// <summary>Names <paramref name="version"/> of <paramref name="log"/>'s dataset with <paramref name="tag"/>.</summary>
    /// <exception cref="ArgumentException">The tag name is not valid.</exception>
    /// <exception cref="LanceException">The tag exists already.</exception>
    /// <exception cref="LanceVersionNotFoundException">The dataset has no such version.</exception>
    public async Task CreateAsync(string tag, ulong version, CommitLog log, CancellationToken cancellationToken)
    {
        Validate(tag);
        var manifestSize = await log.ManifestLengthAsync(version, cancellationToken).ConfigureAwait(false);
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("version", version);
            writer.WriteNumber("manifestSize", manifestSize);
            writer.WriteEndObject();
        }

        if (!await store.PutIfAbsentAsync(Key(tag), buffer.WrittenMemory, cancellationToken).ConfigureAwait(false))
        {
            throw new LanceException($"'{location}' already has a tag '{tag}' (version {await ReadAsync(Key(tag), cancellationToken).ConfigureAwait(false)}). Delete it first to move it.");
        }
    }

    /// <summary>Deletes a tag (the version stays).</summary>
    /// <exception cref="LanceVersionNotFoundException">No such tag.</exception>
    public async Task DeleteAsync(string tag, CancellationToken cancellationToken)
    {
        Validate(tag);
        if (await store.HeadAsync(Key(tag), cancellationToken).ConfigureAwait(false) is null)
        {
            throw new LanceVersionNotFoundException(location, tag, $"'{location}' has no tag '{tag}'.");
        }

        await store.DeleteAsync(Key(tag), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Checks a tag name: letters, digits, '.', '_' and '-', not starting with '.'.</summary>
    /// <exception cref="ArgumentException">It is not a valid tag name.</exception>
    public static void Validate(string tag)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        if (!TagPattern().IsMatch(tag))
        {
            throw new ArgumentException($"The tag '{tag}' is not valid: use letters, digits, '.', '_' and '-', not starting with '.'.", nameof(tag));
        }
    }

    private static string Key(string tag) => Folder + tag + ".json";

    private async Task<ulong> ReadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            using var doc = JsonDocument.Parse(await CommitLog.ReadAllAsync(store, key, cancellationToken).ConfigureAwait(false));
            return doc.RootElement.GetProperty("version").GetUInt64();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new LanceFormatException($"The tag file '{key}' of '{location}' is not valid: {e.Message}", e);
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-][A-Za-z0-9._-]*$")]
    private static partial Regex TagPattern();
}

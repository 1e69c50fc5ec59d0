using System.Text.Json.Nodes;

namespace Lance.Orm;

/// <summary>
/// Secrets in embedding configuration: stored only as <c>$env:NAME</c> references, resolved from the
/// environment when a table re-creates its function.
/// </summary>
public static class EmbeddingSecrets
{
    /// <summary>The prefix of a reference to an environment variable.</summary>
    public const string EnvironmentPrefix = "$env:";

    private static readonly string[] SecretKeyNames = ["apikey", "key", "token", "accesstoken", "secret", "secretkey", "accesskey", "password", "authorization"];

    /// <summary>A reference to the environment variable <paramref name="variable"/> (<c>$env:NAME</c>).</summary>
    public static string Reference(string variable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        return EnvironmentPrefix + variable;
    }

    /// <summary>Whether a configuration key names a secret (<c>api_key</c>, <c>token</c>, <c>password</c>, ...).</summary>
    public static bool IsSecretKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bare = key.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        return SecretKeyNames.Contains(bare);
    }

    /// <summary>
    /// Returns a copy of <paramref name="configuration"/> whose <c>$env:NAME</c> strings are replaced by
    /// the variables' values.
    /// </summary>
    /// <exception cref="EmbeddingException">A referenced variable is not set.</exception>
    public static JsonObject? Resolve(JsonObject? configuration, string functionName)
    {
        if (configuration is null)
        {
            return null;
        }

        var copy = (JsonObject)configuration.DeepClone();
        ResolveNode(copy, functionName);
        return copy;
    }

    /// <summary>
    /// Throws when a secret-named key of <paramref name="configuration"/> holds a literal value rather
    /// than a <c>$env:</c> reference, so that a key is never written into a table's metadata.
    /// </summary>
    /// <exception cref="EmbeddingException">A secret would be stored.</exception>
    public static void EnsureNoLiteralSecrets(JsonObject? configuration, string functionName)
    {
        if (configuration is null)
        {
            return;
        }

        foreach (var (key, value) in configuration)
        {
            if (value is JsonObject nested)
            {
                EnsureNoLiteralSecrets(nested, functionName);
            }
            else if (IsSecretKey(key) && value is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0 && !text.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
            {
                throw new EmbeddingException(
                    $"The configuration of embedding function '{functionName}' holds a literal '{key}'. Secrets are never stored with a table: " +
                    $"put it in an environment variable and configure '{key}' as \"{EnvironmentPrefix}NAME\".");
            }
        }
    }

    private static void ResolveNode(JsonNode node, string functionName)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is { } child)
                    {
                        if (child is JsonValue value && value.TryGetValue<string>(out var text) && text.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
                        {
                            obj[key] = Lookup(text, key, functionName);
                        }
                        else
                        {
                            ResolveNode(child, functionName);
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text) && text.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
                    {
                        array[i] = Lookup(text, $"[{i}]", functionName);
                    }
                    else if (array[i] is { } child)
                    {
                        ResolveNode(child, functionName);
                    }
                }

                break;
        }
    }

    private static string Lookup(string reference, string key, string functionName)
    {
        var variable = reference[EnvironmentPrefix.Length..];
        return Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw new EmbeddingException(
                $"Embedding function '{functionName}' needs the environment variable '{variable}' (its '{key}' is stored as \"{reference}\"), but it is not set.");
    }
}

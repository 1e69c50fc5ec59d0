using System.Text.Json.Nodes;

namespace Lance.Orm;

/// <summary>
/// Secrets in embedding configuration, kept as LanceDB keeps them: a table stores only a
/// <c>$var:NAME</c> reference (or <c>$var:NAME:default</c> for settings that are not secret), and
/// the reference is resolved when the table re-creates its function — from the variables set on the
/// registry (<see cref="EmbeddingFunctionRegistry.SetVar"/>, as LanceDB's <c>set_var</c>/<c>setVar</c>),
/// then from the environment. Tables written by older Lance.Orm versions hold <c>$env:NAME</c>,
/// which is still read (from the environment).
/// </summary>
public static class EmbeddingSecrets
{
    /// <summary>The prefix of a variable reference, as LanceDB writes it.</summary>
    public const string VariablePrefix = "$var:";

    /// <summary>The prefix older Lance.Orm tables used for an environment variable; read, never written.</summary>
    public const string EnvironmentPrefix = "$env:";

    private static readonly string[] SecretKeyNames = ["apikey", "key", "token", "accesstoken", "secret", "secretkey", "accesskey", "password", "authorization", "sessiontoken", "awssecretaccesskey", "awssessiontoken"];

    /// <summary>A reference to the variable <paramref name="variable"/> (<c>$var:NAME</c>).</summary>
    /// <exception cref="ArgumentException">The name is empty or holds a colon (LanceDB's variable names cannot).</exception>
    public static string Reference(string variable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        if (variable.Contains(':', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Variable names cannot contain colons: '{variable}'.", nameof(variable));
        }

        return VariablePrefix + variable;
    }

    /// <summary>A reference with a default used when the variable is set nowhere (<c>$var:NAME:default</c>); never for secrets.</summary>
    /// <exception cref="ArgumentException">The name is empty or holds a colon.</exception>
    public static string Reference(string variable, string defaultValue)
    {
        ArgumentNullException.ThrowIfNull(defaultValue);
        return Reference(variable) + ":" + defaultValue;
    }

    /// <summary>Whether a configuration key names a secret (<c>api_key</c>, <c>apiKey</c>, <c>token</c>, <c>password</c>, ...).</summary>
    public static bool IsSecretKey(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bare = key.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        return SecretKeyNames.Contains(bare);
    }

    /// <summary>Whether <paramref name="text"/> is a <c>$var:</c> or an older <c>$env:</c> reference.</summary>
    public static bool IsReference(string? text)
        => text is not null && (text.StartsWith(VariablePrefix, StringComparison.Ordinal) || text.StartsWith(EnvironmentPrefix, StringComparison.Ordinal));

    /// <summary>
    /// Returns a copy of <paramref name="configuration"/> whose references are replaced by their values,
    /// looking variables up in the environment only.
    /// </summary>
    /// <exception cref="EmbeddingException">A referenced variable is set nowhere and has no default.</exception>
    public static JsonObject? Resolve(JsonObject? configuration, string functionName) => Resolve(configuration, functionName, null);

    /// <summary>
    /// Returns a copy of <paramref name="configuration"/> whose <c>$var:NAME[:default]</c> strings are
    /// replaced by <paramref name="variables"/>' value for NAME, else the environment variable NAME,
    /// else the default; <c>$env:NAME</c> strings by the environment variable.
    /// </summary>
    /// <param name="configuration">The stored configuration.</param>
    /// <param name="functionName">Names the function in errors.</param>
    /// <param name="variables">Looks up variables set on a registry (null: none).</param>
    /// <exception cref="EmbeddingException">A referenced variable is set nowhere and has no default.</exception>
    public static JsonObject? Resolve(JsonObject? configuration, string functionName, Func<string, string?>? variables)
    {
        if (configuration is null)
        {
            return null;
        }

        var copy = (JsonObject)configuration.DeepClone();
        ResolveNode(copy, functionName, variables);
        return copy;
    }

    /// <summary>
    /// Throws when a secret-named key of <paramref name="configuration"/> holds a literal value (or a
    /// reference with a default, which would store the default) rather than a <c>$var:NAME</c>
    /// reference, so that a key is never written into a table's metadata.
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
            else if (IsSecretKey(key) && value is JsonValue v && v.TryGetValue<string>(out var text) && text.Length > 0)
            {
                if (!IsReference(text))
                {
                    throw new EmbeddingException(
                        $"The configuration of embedding function '{functionName}' holds a literal '{key}'. Secrets are never stored with a table: " +
                        $"set it with registry.SetVar(\"NAME\", value) or in an environment variable and configure '{key}' as \"{VariablePrefix}NAME\".");
                }

                if (text.StartsWith(VariablePrefix, StringComparison.Ordinal) && text.IndexOf(':', VariablePrefix.Length) >= 0)
                {
                    throw new EmbeddingException(
                        $"The configuration of embedding function '{functionName}' gives the secret '{key}' a default value (\"{VariablePrefix}NAME:default\"), which would be stored with the table; use \"{VariablePrefix}NAME\" alone.");
                }
            }
        }
    }

    private static void ResolveNode(JsonNode node, string functionName, Func<string, string?>? variables)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (obj[key] is { } child)
                    {
                        if (child is JsonValue value && value.TryGetValue<string>(out var text) && IsReference(text))
                        {
                            obj[key] = Lookup(text, key, functionName, variables);
                        }
                        else
                        {
                            ResolveNode(child, functionName, variables);
                        }
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (array[i] is JsonValue value && value.TryGetValue<string>(out var text) && IsReference(text))
                    {
                        array[i] = Lookup(text, $"[{i}]", functionName, variables);
                    }
                    else if (array[i] is { } child)
                    {
                        ResolveNode(child, functionName, variables);
                    }
                }

                break;
        }
    }

    private static string Lookup(string reference, string key, string functionName, Func<string, string?>? variables)
    {
        if (reference.StartsWith(EnvironmentPrefix, StringComparison.Ordinal))
        {
            var env = reference[EnvironmentPrefix.Length..];
            return Environment.GetEnvironmentVariable(env) is { Length: > 0 } envValue
                ? envValue
                : throw new EmbeddingException(
                    $"Embedding function '{functionName}' needs the environment variable '{env}' (its '{key}' is stored as \"{reference}\"), but it is not set.");
        }

        // "$var:NAME" or "$var:NAME:default" (the default may itself hold colons), as LanceDB splits it.
        var rest = reference[VariablePrefix.Length..];
        var colon = rest.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? rest : rest[..colon];
        var fallback = colon < 0 ? null : rest[(colon + 1)..];
        if (variables?.Invoke(name) is { Length: > 0 } set)
        {
            return set;
        }

        if (Environment.GetEnvironmentVariable(name) is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        return fallback is { Length: > 0 }
            ? fallback
            : throw new EmbeddingException(
                $"Embedding function '{functionName}' needs the variable '{name}' (its '{key}' is stored as \"{reference}\"), but it is set neither on the registry " +
                $"(registry.SetVar(\"{name}\", value)) nor in the environment.");
    }
}

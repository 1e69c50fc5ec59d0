using System.Globalization;

namespace Lance.Storage.Cloud.Options;

/// <summary>
/// LanceDB's <c>storageOptions</c> as object_store reads them: keys compared without case, each
/// setting known under several aliases, and an environment variable (the alias in upper case, for
/// aliases that start with <c>aws_</c> or <c>azure_</c>) used when the options do not name it.
/// </summary>
internal sealed class StorageOptionReader
{
    private readonly Dictionary<string, string> _options;
    private readonly Func<string, string?> _environment;

    public StorageOptionReader(IReadOnlyDictionary<string, string>? options, Func<string, string?> environment)
    {
        _options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in options ?? new Dictionary<string, string>())
        {
            _options[key.Trim()] = value;
        }

        _environment = environment;
    }

    /// <summary>The value of the first alias set in the options, else in the environment; null when none is.</summary>
    public string? Get(params string[] aliases)
    {
        foreach (var alias in aliases)
        {
            if (_options.TryGetValue(alias, out var value) && !string.IsNullOrEmpty(value))
            {
                return value;
            }
        }

        foreach (var alias in aliases)
        {
            if (alias.StartsWith("aws_", StringComparison.Ordinal) || alias.StartsWith("azure", StringComparison.Ordinal))
            {
                var value = _environment(alias.ToUpperInvariant());
                if (!string.IsNullOrEmpty(value))
                {
                    return value;
                }
            }
        }

        return null;
    }

    /// <summary>A true/false setting as object_store parses it (<c>true</c>, <c>1</c>, <c>yes</c>, <c>on</c>).</summary>
    public bool GetBool(bool fallback, params string[] aliases)
    {
        var text = Get(aliases);
        if (text is null)
        {
            return fallback;
        }

        return text.Trim().ToLowerInvariant() switch
        {
            "true" or "1" or "yes" or "on" => true,
            "false" or "0" or "no" or "off" => false,
            _ => throw new ArgumentException($"The storage option '{aliases[0]}' must be true or false, not '{text}'."),
        };
    }

    /// <summary>A whole number setting, or <paramref name="fallback"/>.</summary>
    public int GetInt(int fallback, params string[] aliases)
    {
        var text = Get(aliases);
        if (text is null)
        {
            return fallback;
        }

        return int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new ArgumentException($"The storage option '{aliases[0]}' must be a whole number of at least 0, not '{text}'.");
    }

    /// <summary>
    /// A duration such as <c>30s</c>, <c>500ms</c>, <c>2 minutes</c> or a bare number of seconds
    /// (the humantime spellings object_store accepts for <c>timeout</c> and <c>connect_timeout</c>).
    /// </summary>
    public TimeSpan? GetDuration(params string[] aliases)
    {
        var text = Get(aliases);
        return text is null ? null : ParseDuration(text, aliases[0]);
    }

    internal static TimeSpan ParseDuration(string text, string name)
    {
        var trimmed = text.Trim();
        var split = 0;
        while (split < trimmed.Length && (char.IsAsciiDigit(trimmed[split]) || trimmed[split] == '.'))
        {
            split++;
        }

        if (split == 0 || !double.TryParse(trimmed[..split], NumberStyles.Float, CultureInfo.InvariantCulture, out var amount))
        {
            throw new ArgumentException($"The storage option '{name}' must be a duration such as '30s', not '{text}'.");
        }

        var unit = trimmed[split..].Trim().ToLowerInvariant();
        return unit switch
        {
            "" or "s" or "sec" or "secs" or "second" or "seconds" => TimeSpan.FromSeconds(amount),
            "ms" or "msec" or "millisecond" or "milliseconds" => TimeSpan.FromMilliseconds(amount),
            "m" or "min" or "mins" or "minute" or "minutes" => TimeSpan.FromMinutes(amount),
            "h" or "hr" or "hour" or "hours" => TimeSpan.FromHours(amount),
            _ => throw new ArgumentException($"The storage option '{name}' has an unknown unit '{unit}' in '{text}'."),
        };
    }
}

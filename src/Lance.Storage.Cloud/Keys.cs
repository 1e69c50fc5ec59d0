namespace Lance.Storage.Cloud;

/// <summary>Maps the engine's keys to object names under a store's prefix and back.</summary>
internal readonly struct Keys
{
    private readonly string _root;

    public Keys(string prefix)
    {
        var trimmed = prefix.Trim('/');
        _root = trimmed.Length == 0 ? "" : trimmed + "/";
    }

    /// <summary>The object name of <paramref name="key"/>.</summary>
    public string Full(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.StartsWith('/') || key.Split('/').Any(part => part is ".." or "."))
        {
            throw new ArgumentException($"'{key}' is not a key inside the store.", nameof(key));
        }

        return _root + key;
    }

    /// <summary>The key of the object named <paramref name="name"/>, which lies under the prefix.</summary>
    public string Relative(string name) => name[_root.Length..];
}

using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Lance.Engine.Storage;

namespace Lance.Orm;

/// <summary>
/// Finds the object stores of the Lance.Storage.Cloud package when the app references it, so that
/// <c>LanceDb.ConnectAsync("s3://bucket/path")</c> works as it does in LanceDB, with no extra call: this package
/// does not reference that one (an app that only uses local folders carries no cloud SDKs).
/// </summary>
internal static class CloudStorage
{
    private const string FactoryType = "Lance.Storage.Cloud.ObjectStoreFactory, Lance.Storage.Cloud";

    /// <summary>The package's <c>ObjectStoreFactory.Open(uri, storageOptions)</c>; null when the app does not have the package.</summary>
    [DynamicDependency(DynamicallyAccessedMemberTypes.PublicMethods, "Lance.Storage.Cloud.ObjectStoreFactory", "Lance.Storage.Cloud")]
    public static Func<string, IReadOnlyDictionary<string, string>?, IObjectStore>? Opener()
    {
        Type? factory;
        try
        {
            factory = Type.GetType(FactoryType, throwOnError: false);
        }
        catch (Exception e) when (e is FileLoadException or BadImageFormatException)
        {
            return null;
        }

        var open = factory?.GetMethod("Open", BindingFlags.Public | BindingFlags.Static, [typeof(string), typeof(IReadOnlyDictionary<string, string>)]);
        return open?.ReturnType == typeof(IObjectStore)
            ? open.CreateDelegate<Func<string, IReadOnlyDictionary<string, string>?, IObjectStore>>()
            : null;
    }
}

using Lance.Engine.Storage;

namespace Lance.Storage.Cloud;

/// <summary>One page of a listing.</summary>
/// <param name="Objects">The objects on the page, keyed by their full names.</param>
/// <param name="Continuation">Where the next page starts; null after the last.</param>
internal sealed record ListPage(IReadOnlyList<ObjectInfo> Objects, string? Continuation);

namespace Lance.Engine.Index.Vector;

/// <summary>The neighbour lists of one level of a graph, as a search walks them (a struct, so each kind of level gets its own compiled search).</summary>
internal interface IHnswLinks
{
    /// <summary>The neighbours of <paramref name="node"/>, nearest first; empty when it is not on the level.</summary>
    ReadOnlySpan<int> Neighbors(int node);
}

/// <summary>A stored level as <see cref="IHnswLinks"/>.</summary>
internal readonly struct StoredLinks(HnswLevel level) : IHnswLinks
{
    /// <inheritdoc/>
    public ReadOnlySpan<int> Neighbors(int node) => level.Neighbors(node);
}

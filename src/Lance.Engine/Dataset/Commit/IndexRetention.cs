using Lance.Engine.Format;
using Lance.Engine.Index;

namespace Lance.Engine.Dataset;

/// <summary>
/// Which indexes a version keeps once fragments left it, as Lance decides: an index's fragment bitmap is never
/// rewritten (it names the fragments the index holds rows of, present or not); what counts is its effective part,
/// the fragments that still exist. Per index name, entries with an effective part stay; when none has one, a scalar
/// or full-text index keeps its oldest entry (it still answers for rows appended later, as an empty index) and a
/// vector index goes.
/// </summary>
internal static class IndexRetention
{
    /// <summary>The entries of <paramref name="indices"/> kept when <paramref name="fragments"/> are the version's fragments.</summary>
    public static List<IndexMetadata> Retain(IEnumerable<IndexMetadata> indices, IEnumerable<ulong> fragments)
    {
        var present = fragments.ToHashSet();
        var all = indices.ToList();
        var kept = new HashSet<IndexMetadata>(ReferenceEqualityComparer.Instance);
        foreach (var group in all.GroupBy(i => i.Name, StringComparer.Ordinal))
        {
            var live = group.Where(i => i.Fragments.Any(present.Contains)).ToList();
            if (live.Count > 0)
            {
                kept.UnionWith(live);
                continue;
            }

            var oldest = group.OrderBy(i => i.DatasetVersion).First();
            if (!IsVector(oldest))
            {
                kept.Add(oldest);
            }
        }

        return all.Where(kept.Contains).ToList();
    }

    private static bool IsVector(IndexMetadata index)
        => index.DetailsTypeUrl == IndexCatalog.IvfPqTypeUrl || Index.Vector.LanceVectorDetails.IsLanceVector(index);
}

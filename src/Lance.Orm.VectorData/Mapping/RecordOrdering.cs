using Microsoft.Extensions.VectorData;
using Microsoft.Extensions.VectorData.ProviderServices;

namespace Lance.Orm.VectorData.Mapping;

/// <summary>Sorts records in memory by MEVD's <c>OrderBy</c> (data or key properties; nulls first ascending, as in LINQ).</summary>
internal static class RecordOrdering
{
    internal static IEnumerable<TRecord> Sort<TRecord>(
        List<TRecord> records, IReadOnlyList<FilteredRecordRetrievalOptions<TRecord>.OrderByDefinition.SortInfo> orderBy, CollectionModel model)
    {
        IOrderedEnumerable<TRecord>? sorted = null;
        foreach (var sort in orderBy)
        {
            var property = model.GetDataOrKeyProperty(sort.PropertySelector);
            Func<TRecord, object?> key = r => property.GetValueAsObject(r!);
            sorted = (sorted, sort.Ascending) switch
            {
                (null, true) => records.OrderBy(key, Comparer<object?>.Default),
                (null, false) => records.OrderByDescending(key, Comparer<object?>.Default),
                (_, true) => sorted.ThenBy(key, Comparer<object?>.Default),
                (_, false) => sorted.ThenByDescending(key, Comparer<object?>.Default),
            };
        }

        return sorted ?? (IEnumerable<TRecord>)records;
    }
}

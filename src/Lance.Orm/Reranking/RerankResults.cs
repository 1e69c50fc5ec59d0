using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine;
using Lance.Engine.Arrow;

namespace Lance.Orm;

/// <summary>
/// What a reranker needs to build its output, as LanceDB's base reranker offers it: the column
/// names, empty result lists, merging two lists without duplicates, and adding
/// <c>_relevance_score</c> with the rows sorted by it.
/// </summary>
public static class RerankResults
{
    /// <summary>The relevance column every reranker adds (float32, higher is more relevant).</summary>
    public const string RelevanceColumn = "_relevance_score";

    /// <summary>The full-text score column (float32, BM25, higher is better).</summary>
    public const string ScoreColumn = "_score";

    /// <summary>The vector distance column (float32, smaller is nearer).</summary>
    public const string DistanceColumn = LanceDataset.DistanceColumn;

    /// <summary>The row id column (uint64) by which rows found by several searches are recognised.</summary>
    public const string RowIdColumn = LanceDataset.RowIdColumn;

    /// <summary>A vector result list with no rows: <c>_distance</c> and <c>_rowid</c>.</summary>
    public static RecordBatch EmptyVectorResults() => Empty(DistanceColumn);

    /// <summary>A full-text result list with no rows: <c>_score</c> and <c>_rowid</c>.</summary>
    public static RecordBatch EmptyFullTextResults() => Empty(ScoreColumn);

    /// <summary>The <c>_rowid</c> values of <paramref name="results"/>, in row order.</summary>
    /// <exception cref="LanceSchemaException">The batch has no uint64 <c>_rowid</c> column, or a null row id.</exception>
    public static ulong[] RowIds(RecordBatch results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var index = results.Schema.GetFieldIndex(RowIdColumn);
        if (index < 0 || results.Column(index) is not UInt64Array ids)
        {
            throw new LanceSchemaException(
                $"Reranking needs a uint64 '{RowIdColumn}' column in the results; found columns: {string.Join(", ", results.Schema.FieldsList.Select(f => f.Name))}.");
        }

        var values = new ulong[ids.Length];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = ids.GetValue(i) ?? throw new LanceSchemaException($"Reranking found a null '{RowIdColumn}' in row {i} of the results.");
        }

        return values;
    }

    /// <summary>
    /// The rows of <paramref name="vectorResults"/> then those of <paramref name="fullTextResults"/>,
    /// each row id once, where it first appears (LanceDB's <c>merge_results</c>). The columns are those
    /// of both lists; a row found by both keeps the vector list's values and gets its <c>_score</c>
    /// from the full-text list, and a column a row's list lacks is null for it.
    /// </summary>
    /// <exception cref="LanceSchemaException">A list lacks <c>_rowid</c>, or a column has different types in the two lists.</exception>
    public static RecordBatch Merge(RecordBatch vectorResults, RecordBatch fullTextResults)
    {
        ArgumentNullException.ThrowIfNull(vectorResults);
        ArgumentNullException.ThrowIfNull(fullTextResults);
        var vectorIds = RowIds(vectorResults);
        var textIds = RowIds(fullTextResults);

        var position = new Dictionary<ulong, int>();
        var fromVector = new List<int>();
        var fromText = new List<int>();
        for (var i = 0; i < vectorIds.Length; i++)
        {
            if (position.TryAdd(vectorIds[i], fromVector.Count))
            {
                fromVector.Add(i);
                fromText.Add(-1);
            }
        }

        for (var i = 0; i < textIds.Length; i++)
        {
            if (position.TryGetValue(textIds[i], out var at))
            {
                if (fromText[at] < 0)
                {
                    fromText[at] = i;
                }
            }
            else
            {
                position.Add(textIds[i], fromVector.Count);
                fromVector.Add(-1);
                fromText.Add(i);
            }
        }

        var names = vectorResults.Schema.FieldsList.Select(f => f.Name)
            .Concat(fullTextResults.Schema.FieldsList.Select(f => f.Name))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        var fields = new List<Field>(names.Count);
        var columns = new List<IArrowArray>(names.Count);
        var rows = new int[fromVector.Count];
        foreach (var name in names)
        {
            var (vectorField, vectorColumn) = Find(vectorResults, name);
            var (textField, textColumn) = Find(fullTextResults, name);
            var field = vectorField ?? textField!;
            if (vectorField is not null && textField is not null && !ArrowArrays.SameType(vectorField.DataType, textField.DataType))
            {
                throw new LanceSchemaException(
                    $"Cannot merge search results: column '{name}' is {ArrowArrays.Describe(vectorField.DataType)} in the vector results but {ArrowArrays.Describe(textField.DataType)} in the full-text results.");
            }

            // One array holding the vector rows, the full-text rows and a null; each output row picks its value.
            var vectorLength = vectorResults.Length;
            var nullRow = vectorLength + fullTextResults.Length;
            var joined = ArrowArrays.Concatenate(
            [
                vectorColumn ?? ArrowArrays.Nulls(field.DataType, vectorLength),
                textColumn ?? ArrowArrays.Nulls(field.DataType, fullTextResults.Length),
                ArrowArrays.Nulls(field.DataType, 1),
            ]);
            for (var row = 0; row < rows.Length; row++)
            {
                rows[row] = vectorColumn is not null && fromVector[row] >= 0 ? fromVector[row]
                    : textColumn is not null && fromText[row] >= 0 ? vectorLength + fromText[row]
                    : nullRow;
            }

            var oneSided = vectorColumn is null || textColumn is null;
            fields.Add(oneSided && !field.IsNullable ? new Field(field.Name, field.DataType, nullable: true, field.Metadata) : field);
            columns.Add(ArrowArrays.Take(joined, rows));
        }

        return new RecordBatch(new Schema(fields, vectorResults.Schema.Metadata), columns, rows.Length);
    }

    /// <summary>The rows of <paramref name="results"/>, each row id once, where it first appears.</summary>
    /// <exception cref="LanceSchemaException">The batch lacks <c>_rowid</c>.</exception>
    public static RecordBatch Deduplicate(RecordBatch results)
    {
        var ids = RowIds(results);
        var seen = new HashSet<ulong>();
        var keep = new List<int>(ids.Length);
        for (var i = 0; i < ids.Length; i++)
        {
            if (seen.Add(ids[i]))
            {
                keep.Add(i);
            }
        }

        return keep.Count == ids.Length ? results : ArrowArrays.Take(results, keep.ToArray());
    }

    /// <summary>
    /// <paramref name="results"/> with <paramref name="relevance"/> as its float32
    /// <c>_relevance_score</c> column (replacing one it has), and, when <paramref name="sort"/>, its rows
    /// sorted by it, most relevant first; rows of equal relevance keep their order.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="relevance"/> does not hold one value per row.</exception>
    public static RecordBatch WithRelevance(RecordBatch results, IReadOnlyList<float> relevance, bool sort = true)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(relevance);
        if (relevance.Count != results.Length)
        {
            throw new ArgumentException($"Got {relevance.Count} relevance scores for {results.Length} rows; give one per row.", nameof(relevance));
        }

        var fields = new List<Field>();
        var columns = new List<IArrowArray>();
        for (var i = 0; i < results.ColumnCount; i++)
        {
            if (results.Schema.GetFieldByIndex(i).Name != RelevanceColumn)
            {
                fields.Add(results.Schema.GetFieldByIndex(i));
                columns.Add(results.Column(i));
            }
        }

        var scores = new FloatArray.Builder().Reserve(relevance.Count);
        foreach (var score in relevance)
        {
            scores.Append(score);
        }

        fields.Add(new Field(RelevanceColumn, FloatType.Default, nullable: false));
        columns.Add(scores.Build());
        var batch = new RecordBatch(new Schema(fields, results.Schema.Metadata), columns, results.Length);
        if (!sort)
        {
            return batch;
        }

        // Stable, as LanceDB's sort is for the lists it fuses by default (up to 20 rows); NaN goes last.
        var order = Enumerable.Range(0, relevance.Count)
            .OrderByDescending(i => float.IsNaN(relevance[i]) ? float.NegativeInfinity : relevance[i])
            .ThenBy(i => float.IsNaN(relevance[i]) ? 1 : 0)
            .ToArray();
        return ArrowArrays.Take(batch, order);
    }

    /// <summary>The <c>_relevance_score</c> values of reranked <paramref name="results"/>.</summary>
    /// <exception cref="LanceSchemaException">The batch has no float32 <c>_relevance_score</c> column.</exception>
    public static FloatArray Relevance(RecordBatch results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var index = results.Schema.GetFieldIndex(RelevanceColumn);
        return index >= 0 && results.Column(index) is FloatArray scores
            ? scores
            : throw new LanceSchemaException(
                $"A reranker must return a float32 '{RelevanceColumn}' column; found columns: {string.Join(", ", results.Schema.FieldsList.Select(f => f.Name))}.");
    }

    private static (Field? Field, IArrowArray? Column) Find(RecordBatch batch, string name)
    {
        var index = batch.Schema.GetFieldIndex(name);
        return index < 0 ? (null, null) : (batch.Schema.GetFieldByIndex(index), batch.Column(index));
    }

    private static RecordBatch Empty(string scoreColumn)
    {
        var fields = new List<Field>
        {
            new(scoreColumn, FloatType.Default, nullable: true),
            new(RowIdColumn, UInt64Type.Default, nullable: true),
        };
        return new RecordBatch(new Schema(fields, null), fields.Select(f => ArrowArrays.Empty(f.DataType)), 0);
    }
}

using System.Runtime.CompilerServices;
using Lance.Engine.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Index.Scalar;

/// <summary>
/// How a filter uses a snapshot's scalar indexes. Leaves that read one indexed column are answered
/// from the index for the fragments it covers; the rest of the filter combines them with Kleene
/// logic. A fragment is answered wholly from indexes when every leaf is indexed and covers it;
/// when the filter is an AND with some such conjuncts, the rows those rule out are dropped and the
/// whole filter runs over the rest; otherwise the fragment is scanned. Deleted rows never pass.
/// </summary>
internal sealed class ScalarFilterPlan
{
    private static readonly ConditionalWeakTable<RowFilter, ScalarFilterPlan> Plans = [];

    private readonly Snapshot _snapshot;
    private readonly object _gate = new();

    private ScalarFilterPlan(Snapshot snapshot, FilterPlanNode root)
    {
        _snapshot = snapshot;
        Root = root;
    }

    /// <summary>The filter split into indexed and scanned parts.</summary>
    public FilterPlanNode Root { get; }

    /// <summary>What the plan did so far: fragments answered from indexes, narrowed by them, or scanned.</summary>
    public ScalarFilterStats Stats { get; } = new();

    /// <summary>The plan of <paramref name="filter"/> on <paramref name="snapshot"/> (made once per filter and version).</summary>
    public static ScalarFilterPlan For(Snapshot snapshot, RowFilter filter)
    {
        if (Plans.TryGetValue(filter, out var plan) && ReferenceEquals(plan._snapshot.Manifest, snapshot.Manifest))
        {
            return plan;
        }

        var indexed = IndexedColumn.Of(snapshot.Manifest);
        var root = indexed.Count == 0 ? new OpaqueLeaf(filter.Expression) : Split(filter.Expression, snapshot, indexed, resolving: true);
        plan = new ScalarFilterPlan(snapshot, root);
        Plans.AddOrUpdate(filter, plan);
        return plan;
    }

    /// <summary>
    /// The live rows of <paramref name="fragment"/> that pass <paramref name="filter"/>, ascending, when an
    /// index helps with this fragment; null when the fragment must be scanned.
    /// </summary>
    /// <remarks>
    /// The filter is evaluated over the fragment with each index leaf's answer and every other leaf taken
    /// as unknown. Kleene logic is monotone, so rows that come out true pass for certain and rows that come
    /// out false fail for certain. When no leaf was taken as unknown the answer is exact; otherwise the
    /// whole filter runs over the rows that came out true or unknown.
    /// </remarks>
    public int[]? PassingRows(DataFragment fragment, RowFilter filter, HashSet<int> deleted)
    {
        if (!Root.UsesIndex)
        {
            return null;
        }

        var length = (int)fragment.PhysicalRows;
        if (Root is IndexLeaf { TrueOnly: false } single && single.Index.Segments.Any(s => s.Fragments.Contains(fragment.Id))
            && Rows(single) is { } singleRows)
        {
            // One indexed leaf: its true rows, without a mask over the fragment.
            Stats.Count(indexed: true, narrowed: false, length);
            var rows = singleRows.TrueRows(fragment.Id);
            return deleted.Count == 0 ? rows : rows.Where(r => !deleted.Contains(r)).ToArray();
        }

        var exact = true;
        var used = false;
        var truth = Evaluate(Root, fragment, length, ref exact, ref used);
        if (!used)
        {
            Stats.Count(indexed: false, narrowed: false, length);
            return null;
        }

        if (exact)
        {
            Stats.Count(indexed: true, narrowed: false, length);
            return Select(truth.True, null, deleted);
        }

        var candidates = Select(truth.True, truth.Unknown, deleted);
        if (candidates.Length >= length - deleted.Count)
        {
            // The indexes rule nothing out here.
            Stats.Count(indexed: false, narrowed: false, length);
            return null;
        }

        Stats.Count(indexed: false, narrowed: true, length);
        if (candidates.Length == 0)
        {
            return candidates;
        }

        var batch = ArrowTake.Take(_snapshot.ReadFragment(fragment, _snapshot.Project(filter.Columns)), candidates);
        var passes = filter.Evaluate(batch);
        var result = new List<int>(candidates.Length);
        for (var i = 0; i < candidates.Length; i++)
        {
            if (passes[i])
            {
                result.Add(candidates[i]);
            }
        }

        return [.. result];
    }

    /// <summary>How the plan would treat <paramref name="fragment"/>, from the indexes' coverage alone: answered, narrowed or scanned.</summary>
    public FragmentUse Classify(DataFragment fragment)
    {
        if (!Root.UsesIndex)
        {
            return FragmentUse.Scanned;
        }

        if (Answerable(Root, fragment.Id))
        {
            return FragmentUse.FromIndex;
        }

        return Leaves(Root).Any(l => l.Index.Segments.Any(s => s.Fragments.Contains(fragment.Id))) ? FragmentUse.Narrowed : FragmentUse.Scanned;
    }

    /// <summary>The names of the indexes the plan reads.</summary>
    public IReadOnlyList<string> IndexNames() => Leaves(Root).SelectMany(l => l.Index.Segments.Select(s => s.Name)).Distinct().ToList();

    private static IEnumerable<IndexLeaf> Leaves(FilterPlanNode node) => node switch
    {
        IndexLeaf leaf => [leaf],
        NotPlan not => Leaves(not.Part),
        LogicalPlan logical => logical.Parts.SelectMany(Leaves),
        _ => [],
    };

    private static bool Answerable(FilterPlanNode node, ulong fragment) => node switch
    {
        IndexLeaf leaf => !leaf.TrueOnly && leaf.Index.Segments.Any(s => s.Fragments.Contains(fragment)),
        NotPlan not => Answerable(not.Part, fragment),
        LogicalPlan logical => logical.Parts.All(p => Answerable(p, fragment)),
        _ => false,
    };

    private RowTruth Evaluate(FilterPlanNode node, DataFragment fragment, int length, ref bool exact, ref bool used)
    {
        switch (node)
        {
            case IndexLeaf leaf when leaf.Index.Segments.Any(s => s.Fragments.Contains(fragment.Id)) && Rows(leaf) is { } leafRows:
                used = true;
                var answer = leafRows.For(fragment.Id, length);
                if (leaf.TrueOnly)
                {
                    // The index knows where the leaf is true, not where it is false or null.
                    exact = false;
                    var maybe = new bool[length];
                    for (var i = 0; i < length; i++)
                    {
                        maybe[i] = !answer.True[i];
                    }

                    return new RowTruth(answer.True, maybe);
                }

                return answer;
            case NotPlan not:
                return RowTruth.Not(Evaluate(not.Part, fragment, length, ref exact, ref used));
            case LogicalPlan logical:
                RowTruth? result = null;
                foreach (var part in logical.Parts)
                {
                    var truth = Evaluate(part, fragment, length, ref exact, ref used);
                    result = result is null ? truth : logical.IsAnd ? RowTruth.And(result, truth) : RowTruth.Or(result, truth);
                }

                return result!;
            default:
                exact = false;
                return new RowTruth(new bool[length], BoundNode.Fill(true, length));
        }
    }

    // Null when the leaf cannot be decided from the keys (IndexLeaf.Failed): the scan decides it.
    private LeafRows? Rows(IndexLeaf leaf)
    {
        lock (_gate)
        {
            if (leaf.Rows is null && !leaf.Failed)
            {
                try
                {
                    leaf.Rows = LeafRows.Compute(_snapshot.Manifest, _snapshot.Files, leaf);
                }
                catch (LanceFilterException)
                {
                    leaf.Failed = true;
                }
            }

            return leaf.Rows;
        }
    }

    private static int[] Select(bool[] first, bool[]? second, HashSet<int> deleted)
    {
        var rows = new List<int>();
        for (var row = 0; row < first.Length; row++)
        {
            if ((first[row] || (second is not null && second[row])) && !deleted.Contains(row))
            {
                rows.Add(row);
            }
        }

        return [.. rows];
    }

    /// <summary>The labels of <c>array_has_any(col, [..])</c>, <c>array_has_all(col, [..])</c> or <c>array_has(col, x)</c> with non-null constants.</summary>
    private static (IReadOnlyList<LiteralExpression> Labels, bool All)? LabelQuery(FilterExpression expression, string column)
    {
        if (expression is not FunctionExpression { Arguments: [ColumnExpression { Path: [var name] }, var needles] } f
            || name != column)
        {
            return null;
        }

        var function = BoundListFunction.Names.FirstOrDefault(n => string.Equals(n.Key, f.Name, StringComparison.OrdinalIgnoreCase)).Value;

        IReadOnlyList<FilterExpression> items = function switch
        {
            "array_has" => [needles],
            "array_has_any" or "array_has_all" when needles is ArrayExpression array => array.Items,
            _ => [],
        };
        if (items.Count == 0 || items.Any(i => i is not LiteralExpression { Value: not null }))
        {
            return null;
        }

        return (items.Cast<LiteralExpression>().ToList(), function == "array_has_all");
    }

    // Two IN lists on one expression joined by AND/OR bind as one list or a constant (InListMerging, as LanceDB
    // simplifies them): the pair is then one leaf, so that an index answers it as the merged list, nulls included.
    private static bool MergesIntoOne(BinaryExpression b, Snapshot snapshot, bool resolving)
    {
        // Only sides made of IN lists (or NOT of one, or `column = constant`) can merge: anything else is not bound twice.
        if (!ListLike(b.Left) || !ListLike(b.Right))
        {
            return false;
        }

        try
        {
            return FilterBinder.Bind(b, snapshot.Schema, snapshot.Location, null, resolving).Node is BoundInList or BoundLiteral;
        }
        catch (LanceFilterException)
        {
            return false;
        }
    }

    private static bool ListLike(FilterExpression e) => e switch
    {
        InExpression => true,
        UnaryExpression { Operator: UnaryOperator.Not } u => ListLike(u.Operand),
        BinaryExpression { Operator: BinaryOperator.Equal, Left: ColumnExpression or LiteralExpression, Right: ColumnExpression or LiteralExpression } => true,
        BinaryExpression { Operator: BinaryOperator.And or BinaryOperator.Or } b => ListLike(b.Left) && ListLike(b.Right),
        _ => false,
    };

    // Each part is bound as it is bound within the whole filter: under a NOT, literals are not converted to the column's
    // type (so `NOT (f32 = -1e300)` keeps the -inf rows, as a scan and LanceDB do, where `f32 = -1e300` picks them).
    private static FilterPlanNode Split(FilterExpression expression, Snapshot snapshot, Dictionary<string, IndexedColumn> indexed, bool resolving)
    {
        switch (expression)
        {
            case BinaryExpression { Operator: BinaryOperator.And or BinaryOperator.Or } b when !MergesIntoOne(b, snapshot, resolving):
                var isAnd = b.Operator == BinaryOperator.And;
                var parts = new List<FilterPlanNode>();
                foreach (var side in new[] { b.Left, b.Right })
                {
                    var part = Split(side, snapshot, indexed, resolving);
                    if (part is LogicalPlan inner && inner.IsAnd == isAnd)
                    {
                        parts.AddRange(inner.Parts);
                    }
                    else
                    {
                        parts.Add(part);
                    }
                }

                return new LogicalPlan(isAnd, parts);
            case UnaryExpression { Operator: UnaryOperator.Not } u:
                return new NotPlan(Split(u.Operand, snapshot, indexed, resolving: false));
            default:
                try
                {
                    var (bound, columns) = FilterBinder.Bind(expression, snapshot.Schema, snapshot.Location, null, resolving);
                    if (columns.Count != 1 || !indexed.TryGetValue(columns[0], out var column))
                    {
                        return new OpaqueLeaf(expression);
                    }

                    if (column.Kind != ScalarIndexKind.LabelList)
                    {
                        return new IndexLeaf(expression, bound, column);
                    }

                    return LabelQuery(expression, column.Column) is { } query
                        ? new IndexLeaf(expression, bound, column) { TrueOnly = true, LabelQuery = query }
                        : new OpaqueLeaf(expression);
                }
                catch (LanceFilterException)
                {
                    return new OpaqueLeaf(expression);
                }
        }
    }
}

using System.Globalization;
using System.Text;

namespace Lance.Engine;

/// <summary>
/// How a scan or search will run on the current version, without running it: the indexes it uses
/// (scalar ones for the filter, a vector one for the search), where the filter runs, and how many
/// fragments and rows the filter must read by scanning. <see cref="ToString"/> renders it as text.
/// </summary>
public sealed record QueryPlan
{
    /// <summary><c>Scan</c> or <c>VectorSearch</c>.</summary>
    public required string Operation { get; init; }

    /// <summary>The filter as SQL; null when there is none.</summary>
    public string? Filter { get; init; }

    /// <summary>Where the filter runs.</summary>
    public FilterPlacement Placement { get; init; }

    /// <summary>
    /// The filter split into what indexes answer and what is scanned, as LanceDB writes it:
    /// <c>AND([(age &gt; 50)]@age_idx(BTree),[(name = 'x')]@scan)</c>; null when no index helps.
    /// </summary>
    public string? ScalarIndexQuery { get; init; }

    /// <summary>The scalar indexes the filter uses, by name.</summary>
    public IReadOnlyList<string> ScalarIndexes { get; init; } = [];

    /// <summary>The vector index the search uses, by name; null for an exact search or a scan.</summary>
    public string? VectorIndex { get; init; }

    /// <summary>The fragments of the version.</summary>
    public int Fragments { get; init; }

    /// <summary>The live rows of the version.</summary>
    public long Rows { get; init; }

    /// <summary>Fragments whose filter answer comes wholly from indexes (no column read for the filter).</summary>
    public int FragmentsFromIndex { get; init; }

    /// <summary>Fragments where indexes rule rows out and the filter runs over the rest.</summary>
    public int FragmentsNarrowed { get; init; }

    /// <summary>Fragments the filter scans without an index.</summary>
    public int FragmentsScanned { get; init; }

    /// <summary>Rows of the fragments whose filter columns are read (narrowed or scanned).</summary>
    public long RowsScanned { get; init; }

    /// <summary>More lines other parts of the engine add (one fact each).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The plan as indented text, one step a line.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        text.Append(inv, $"{Operation}: {Fragments} fragments, {Rows} rows");
        if (VectorIndex is not null)
        {
            text.Append(inv, $"\n  VectorIndex: {VectorIndex}");
        }
        else if (Operation == "VectorSearch")
        {
            text.Append("\n  ExactSearch: every vector the filter lets through");
        }

        if (Filter is not null)
        {
            text.Append(inv, $"\n  Filter ({Placement.ToString().ToLowerInvariant()}): {Filter}");
            text.Append(ScalarIndexQuery is null ? "\n    no scalar index applies" : $"\n    ScalarIndexQuery: {ScalarIndexQuery}");
            text.Append(inv, $"\n    fragments: {FragmentsFromIndex} from index, {FragmentsNarrowed} narrowed by index, {FragmentsScanned} scanned; rows scanned: {RowsScanned}");
        }

        foreach (var note in Notes)
        {
            text.Append("\n  ").Append(note);
        }

        return text.ToString();
    }
}

using System.Runtime.CompilerServices;
using Lance.Engine.Format;
using Lance.Engine.Format.RowIds;

namespace Lance.Engine.Dataset;

/// <summary>
/// The row ids and row versions of a dataset's fragments, decoded on first use and kept while the
/// fragment's manifest is. Without stable row ids a row's id is its address
/// (<c>fragment id &lt;&lt; 32 | offset</c>), as in Lance.
/// </summary>
internal sealed class FragmentRowIds(DatasetFiles files)
{
    /// <summary>The version Lance assumes for rows whose fragment records none.</summary>
    public const ulong DefaultVersion = 1;

    private readonly ConditionalWeakTable<SerializedSequence, ulong[]> _decoded = new();

    /// <summary>The id of every row of <paramref name="fragment"/> (deleted ones included), in row order.</summary>
    /// <exception cref="LanceFormatException">The fragment's row ids are unreadable, or fewer than its rows.</exception>
    public ulong[] Of(DataFragment fragment)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        if (fragment.RowIds is not { } sequence)
        {
            var addresses = new ulong[fragment.PhysicalRows];
            for (var i = 0; i < addresses.Length; i++)
            {
                addresses[i] = (fragment.Id << 32) | (uint)i;
            }

            return addresses;
        }

        return _decoded.GetValue(sequence, s =>
        {
            var ids = RowIdSequence.Decode(s.Read(files));
            if ((ulong)ids.LongLength != fragment.PhysicalRows)
            {
                throw new LanceFormatException(
                    $"Fragment {fragment.Id} of '{files.Location}' has {fragment.PhysicalRows} rows but its row id sequence holds {ids.Length} ids.");
            }

            return ids;
        });
    }

    /// <summary>Forgets every decoded sequence.</summary>
    public void Clear() => _decoded.Clear();

    /// <summary>The version that created each row (<see cref="DefaultVersion"/> where not recorded).</summary>
    public ulong[] CreatedAt(DataFragment fragment) => Versions(fragment, fragment.CreatedAtVersions);

    /// <summary>The version that last changed each row (<see cref="DefaultVersion"/> where not recorded).</summary>
    public ulong[] LastUpdatedAt(DataFragment fragment) => Versions(fragment, fragment.LastUpdatedAtVersions);

    private ulong[] Versions(DataFragment fragment, SerializedSequence? sequence)
    {
        ArgumentNullException.ThrowIfNull(fragment);
        var rows = checked((int)fragment.PhysicalRows);
        if (sequence is null)
        {
            var all = new ulong[rows];
            Array.Fill(all, DefaultVersion);
            return all;
        }

        return RowVersionSequence.Decode(sequence.Read(files), rows, DefaultVersion);
    }
}

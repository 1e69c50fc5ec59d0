using System.Runtime.InteropServices;
using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.DataFiles;
using Lance.Engine.Format;

namespace Lance.Engine.Index.Vector;

/// <summary>
/// Reads the rows of an index file's vector or code column (a fixed-size list of uint8 or float32),
/// one partition's run of rows at a time, as bytes. Where the column lies in the file as flat pages
/// each partition's rows are read straight into its own array, all the reads issued together at
/// <see cref="Finish"/>; otherwise the column is decoded once and sliced.
/// </summary>
internal sealed class PartitionValues
{
    private readonly DataFileReader _file;
    private readonly FlatColumnLayout? _layout;
    private readonly ReadOnlyMemory<byte> _decoded;
    private readonly List<(long Position, Memory<byte> Destination)> _reads = [];

    /// <summary>Prepares to read <paramref name="field"/> of <paramref name="file"/>, which must hold <paramref name="dimension"/> values per row.</summary>
    /// <exception cref="LanceIndexException">The column is not a fixed-size list of that many uint8 or float32 values.</exception>
    public PartitionValues(DataFileReader file, LanceField field, int dimension, string name)
    {
        _file = file;
        var layout = file.TryFlatColumnLayout(field);
        var type = layout?.Type ?? LanceSchema.ToArrowType(field);
        if (type is not FixedSizeListType list || list.ListSize != dimension || list.ValueDataType is not (UInt8Type or FloatType))
        {
            throw new LanceIndexException($"The index file '{name}': its '{field.Name}' column does not hold {dimension} uint8 or float values per row.");
        }

        IsBytes = list.ValueDataType is UInt8Type;
        RowBytes = dimension * (IsBytes ? 1 : sizeof(float));
        if (layout is not null && layout.RowBytes == RowBytes && layout.Rows == file.RowCount)
        {
            _layout = layout;
            return;
        }

        var values = (FixedSizeListArray)file.ReadColumn(field);
        _decoded = values.Values switch
        {
            UInt8Array bytes => bytes.ValueBuffer.Memory[(bytes.Offset + (values.Offset * dimension))..],
            FloatArray floats => floats.ValueBuffer.Memory[((floats.Offset + (values.Offset * dimension)) * sizeof(float))..],
            _ => throw new LanceIndexException($"The index file '{name}': its '{field.Name}' column does not hold uint8 or float values."),
        };
    }

    /// <summary>Whether the values are uint8 (codes, or bit vectors) rather than float32.</summary>
    public bool IsBytes { get; }

    /// <summary>The bytes of one row.</summary>
    public int RowBytes { get; }

    /// <summary>An array for rows <paramref name="first"/> … <paramref name="first"/> + <paramref name="count"/> − 1, filled now or by <see cref="Finish"/>.</summary>
    public byte[] Rows(long first, int count)
    {
        var bytes = new byte[checked(count * RowBytes)];
        if (_layout is null)
        {
            _decoded.Span.Slice(checked((int)(first * RowBytes)), bytes.Length).CopyTo(bytes);
            return bytes;
        }

        var runStart = 0L;
        var written = 0;
        foreach (var (position, rows) in _layout.Runs)
        {
            var from = Math.Max(first, runStart);
            var to = Math.Min(first + count, runStart + rows);
            if (from < to)
            {
                var length = checked((int)((to - from) * RowBytes));
                _reads.Add((position + ((from - runStart) * RowBytes), bytes.AsMemory(written, length)));
                written += length;
            }

            runStart += rows;
        }

        return bytes;
    }

    /// <summary>Fills every array <see cref="Rows"/> handed out (the reads issued at once).</summary>
    public void Finish()
    {
        if (_reads.Count > 0)
        {
            _file.ReadConcurrently(_reads, _file.CancellationToken);
            _reads.Clear();
        }
    }

    /// <summary>The float32 values of rows read as bytes.</summary>
    public static float[] Floats(byte[] bytes) => MemoryMarshal.Cast<byte, float>(bytes).ToArray();
}

using System.Buffers.Binary;

namespace Lance.Engine.Format;

/// <summary>
/// Reads the one Arrow IPC file shape a deletion file has — a single <c>uint32</c> column, plain or
/// with LZ4-frame/ZSTD-compressed buffers — with every length checked against the bytes present
/// before anything is allocated. Apache Arrow's general reader sizes buffers from the file's own
/// lengths, so a corrupt 1 KiB file could make it allocate gigabytes; here no buffer is larger than
/// the file allows (its size times <c>maxExpansion</c> for a decompressed one).
/// </summary>
internal static class ArrowIpcRowIdFile
{
    private static readonly byte[] Magic = "ARROW1"u8.ToArray();

    // Flatbuffer union tags and enum values from Arrow's Message.fbs/Schema.fbs.
    private const byte HeaderRecordBatch = 3;
    private const byte TypeInt = 2;
    private const sbyte CodecLz4Frame = 0;
    private const sbyte CodecZstd = 1;

    /// <summary>The non-null values of the file's one <c>uint32</c> column, in file order.</summary>
    /// <param name="file">The whole file.</param>
    /// <param name="maxDecompressed">The most bytes one decompressed buffer may hold.</param>
    /// <param name="name">Names the file in errors.</param>
    /// <exception cref="LanceFormatException">The bytes are not such a file, or a length in them is impossible.</exception>
    public static List<uint> Read(ReadOnlySpan<byte> file, int maxDecompressed, string name)
    {
        var fail = new Failer(name);
        // The leading magic is not checked: Apache Arrow's .NET writer leaves it out of a file without batches.
        if (file.Length < Magic.Length + 4 + 8 || !file[^Magic.Length..].SequenceEqual(Magic))
        {
            throw fail.Corrupt("it does not end with the Arrow file magic");
        }

        int footerLength = BinaryPrimitives.ReadInt32LittleEndian(file[^(Magic.Length + 4)..]);
        int footerEnd = file.Length - Magic.Length - 4;
        if (footerLength <= 0 || footerLength > footerEnd - 8)
        {
            throw fail.Corrupt($"its footer length {footerLength} does not fit in {file.Length} bytes");
        }

        var footer = new FlatBuffer(file.Slice(footerEnd - footerLength, footerLength), fail);
        var footerTable = footer.Root();
        CheckSchema(footer, footer.Table(footerTable, 1) ?? throw fail.Corrupt("its footer has no schema"), fail);

        var rows = new List<uint>();
        var blocks = footer.Vector(footerTable, 3);
        if (blocks is not { } b)
        {
            return rows;
        }

        for (int i = 0; i < b.Count; i++)
        {
            int at = footer.StructAt(b, i, 24);
            long offset = footer.Int64(at);
            int metadataLength = footer.Int32(at + 8);
            long bodyLength = footer.Int64(at + 16);
            if (offset < 8 || metadataLength < 8 || bodyLength < 0 || offset > file.Length
                || metadataLength > file.Length - offset || bodyLength > file.Length - offset - metadataLength)
            {
                throw fail.Corrupt($"record batch {i} (offset {offset}, metadata {metadataLength} bytes, body {bodyLength} bytes) lies outside its {file.Length} bytes");
            }

            var message = file.Slice((int)offset, metadataLength);
            int prefix = BinaryPrimitives.ReadUInt32LittleEndian(message) == 0xFFFFFFFF ? 8 : 4;
            int flatLength = BinaryPrimitives.ReadInt32LittleEndian(message[(prefix - 4)..]);
            if (flatLength <= 0 || flatLength > metadataLength - prefix)
            {
                throw fail.Corrupt($"record batch {i}'s message length {flatLength} does not fit in its {metadataLength} bytes");
            }

            ReadBatch(new FlatBuffer(message.Slice(prefix, flatLength), fail), file.Slice((int)(offset + metadataLength), (int)bodyLength), maxDecompressed, rows, fail);
        }

        return rows;
    }

    private static void CheckSchema(FlatBuffer footer, int schema, Failer fail)
    {
        var fields = footer.Vector(schema, 1);
        if (fields is not { Count: 1 } f)
        {
            throw fail.Shape();
        }

        int field = footer.TableAt(f, 0);
        if (footer.Byte(field, 2) != TypeInt || footer.Table(field, 3) is not { } type
            || footer.Int32Field(type, 0) != 32 || footer.Byte(type, 1) != 0
            || footer.Vector(field, 5) is { Count: > 0 })
        {
            throw fail.Shape();
        }
    }

    private static void ReadBatch(FlatBuffer message, ReadOnlySpan<byte> body, int maxDecompressed, List<uint> rows, Failer fail)
    {
        int root = message.Root();
        if (message.Byte(root, 1) != HeaderRecordBatch || message.Table(root, 2) is not { } batch)
        {
            throw fail.Corrupt("a record batch block does not hold a record batch message");
        }

        long length = message.Int64Field(batch, 0);
        if (length < 0 || length > maxDecompressed / sizeof(uint))
        {
            throw fail.Corrupt($"a record batch claims {length} rows, more than its bytes can hold");
        }

        if (message.Vector(batch, 1) is not { Count: 1 } nodes || message.Vector(batch, 2) is not { Count: 2 } buffers)
        {
            throw fail.Shape();
        }

        int node = message.StructAt(nodes, 0, 16);
        long nullCount = message.Int64(node + 8);
        if (message.Int64(node) != length || nullCount < 0 || nullCount > length)
        {
            throw fail.Corrupt($"its column's length {message.Int64(node)} or null count {nullCount} disagrees with the batch's {length} rows");
        }

        sbyte codec = -1;
        if (message.Table(batch, 3) is { } compression)
        {
            codec = (sbyte)message.Byte(compression, 0);
            if (codec is not (CodecLz4Frame or CodecZstd) || message.Byte(compression, 1) != 0)
            {
                throw fail.Corrupt($"it uses an unknown compression (codec {codec})");
            }
        }

        int count = (int)length;
        byte[] validity = nullCount == 0 ? [] : Buffer(message, buffers, 0, body, codec, (count + 7) / 8, maxDecompressed, fail);
        byte[] values = Buffer(message, buffers, 1, body, codec, count * sizeof(uint), maxDecompressed, fail);
        for (int r = 0; r < count; r++)
        {
            if (validity.Length == 0 || (validity[r >> 3] & (1 << (r & 7))) != 0)
            {
                rows.Add(BinaryPrimitives.ReadUInt32LittleEndian(values.AsSpan(r * sizeof(uint))));
            }
        }
    }

    // One buffer of the body, decompressed; at least `needed` bytes or a LanceFormatException.
    private static byte[] Buffer(FlatBuffer message, FlatBuffer.VectorRef buffers, int index, ReadOnlySpan<byte> body, sbyte codec, int needed, int maxDecompressed, Failer fail)
    {
        int at = message.StructAt(buffers, index, 16);
        long offset = message.Int64(at);
        long length = message.Int64(at + 8);
        if (offset < 0 || length < 0 || offset > body.Length || length > body.Length - offset)
        {
            throw fail.Corrupt($"buffer {index} (offset {offset}, {length} bytes) lies outside its {body.Length}-byte body");
        }

        var raw = body.Slice((int)offset, (int)length);
        byte[] bytes;
        if (codec < 0 || raw.Length == 0)
        {
            bytes = raw.ToArray();
        }
        else
        {
            if (raw.Length < 8)
            {
                throw fail.Corrupt($"compressed buffer {index} is {raw.Length} bytes, too short for its length prefix");
            }

            long declared = BinaryPrimitives.ReadInt64LittleEndian(raw);
            var data = raw[8..];
            if (declared == -1)
            {
                bytes = data.ToArray();
            }
            else if (declared < 0 || declared > maxDecompressed)
            {
                throw fail.Corrupt($"compressed buffer {index} claims {declared} bytes uncompressed, more than the {maxDecompressed} allowed");
            }
            else
            {
                bytes = new byte[declared];
                int written = Decompress(codec, data, bytes, fail);
                if (written != declared)
                {
                    throw fail.Corrupt($"compressed buffer {index} holds {written} bytes, not the {declared} it claims");
                }
            }
        }

        if (bytes.Length < needed)
        {
            throw fail.Corrupt($"buffer {index} holds {bytes.Length} bytes, fewer than the {needed} its rows need");
        }

        return bytes;
    }

    private static int Decompress(sbyte codec, ReadOnlySpan<byte> data, byte[] target, Failer fail)
    {
        try
        {
            if (codec == CodecZstd)
            {
                using var zstd = new ZstdSharp.Decompressor();
                return zstd.Unwrap(data, target);
            }

            using var lz4 = K4os.Compression.LZ4.Streams.LZ4Stream.Decode(new MemoryStream(data.ToArray(), writable: false));
            int total = 0;
            while (total < target.Length)
            {
                int n = lz4.Read(target, total, target.Length - total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }

            // More bytes than declared is as corrupt as fewer.
            return total == target.Length && lz4.ReadByte() >= 0 ? total + 1 : total;
        }
        catch (Exception e) when (e is not LanceFormatException and not OutOfMemoryException)
        {
            throw new LanceFormatException($"'{fail.Name}' is corrupt: a compressed buffer does not decompress ({e.Message})", e);
        }
    }

    private readonly record struct Failer(string Name)
    {
        public LanceFormatException Corrupt(string why) => new($"'{Name}' is corrupt: {why}.");

        public LanceFormatException Shape() => new($"'{Name}' is not a deletion file: it should hold one uint32 column.");
    }

    /// <summary>A bounds-checked view of one flatbuffer: every offset is checked before it is followed.</summary>
    private readonly ref struct FlatBuffer(ReadOnlySpan<byte> bytes, Failer fail)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public readonly record struct VectorRef(int Start, int Count);

        public int Root() => Follow(0);

        public long Int64(int at) => BinaryPrimitives.ReadInt64LittleEndian(Span(at, 8));

        public int Int32(int at) => BinaryPrimitives.ReadInt32LittleEndian(Span(at, 4));

        public byte Byte(int table, int field) => Field(table, field) is { } at ? Span(at, 1)[0] : (byte)0;

        public int Int32Field(int table, int field) => Field(table, field) is { } at ? Int32(at) : 0;

        public long Int64Field(int table, int field) => Field(table, field) is { } at ? Int64(at) : 0;

        public int? Table(int table, int field) => Field(table, field) is { } at ? Follow(at) : null;

        public VectorRef? Vector(int table, int field)
        {
            if (Field(table, field) is not { } at)
            {
                return null;
            }

            int start = Follow(at);
            int count = Int32(start);
            if (count < 0 || count > (_bytes.Length - start - 4) / 4)
            {
                throw fail.Corrupt($"a flatbuffer vector claims {count} elements in {_bytes.Length} bytes");
            }

            return new VectorRef(start + 4, count);
        }

        public int StructAt(VectorRef? vector, int index, int size)
        {
            var v = vector!.Value;
            long at = v.Start + ((long)index * size);
            Span((int)Math.Min(at, int.MaxValue), size);
            return (int)at;
        }

        public int TableAt(VectorRef? vector, int index) => Follow(StructAt(vector, index, 4));

        // The position a table's field lies at, or null when the vtable leaves it out.
        private int? Field(int table, int field)
        {
            long signedVtable = (long)table - Int32(table);
            int vtable = signedVtable is >= 0 and <= int.MaxValue ? (int)signedVtable : throw fail.Corrupt($"a flatbuffer table at {table} points to a vtable outside its {_bytes.Length} bytes");
            int vtableLength = BinaryPrimitives.ReadUInt16LittleEndian(Span(vtable, 4));
            int slot = 4 + (2 * field);
            if (slot + 2 > vtableLength)
            {
                return null;
            }

            int offset = BinaryPrimitives.ReadUInt16LittleEndian(Span(vtable + slot, 2));
            return offset == 0 ? null : table + offset;
        }

        private int Follow(int at)
        {
            long target = at + (long)BinaryPrimitives.ReadUInt32LittleEndian(Span(at, 4));
            if (target >= _bytes.Length)
            {
                throw fail.Corrupt($"a flatbuffer offset points past its {_bytes.Length} bytes");
            }

            return (int)target;
        }

        private ReadOnlySpan<byte> Span(int at, int length)
        {
            if (at < 0 || length < 0 || at > _bytes.Length - length)
            {
                throw fail.Corrupt($"a flatbuffer field at {at} lies outside its {_bytes.Length} bytes");
            }

            return _bytes.Slice(at, length);
        }
    }
}

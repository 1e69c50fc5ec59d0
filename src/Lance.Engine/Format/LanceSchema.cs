using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Google.Protobuf;
using PbFile = Lance.Engine.Format.Protos.File;

namespace Lance.Engine.Format;

/// <summary>
/// A Lance schema: top-level fields (each with its children) plus schema metadata. Lance writes it
/// as a flat, pre-order list of <c>lance.file.Field</c> messages in both the manifest and every
/// data file, so field ids must be stable once assigned.
/// </summary>
internal sealed class LanceSchema
{
    /// <summary>Creates a schema from top-level fields and schema metadata.</summary>
    public LanceSchema(IEnumerable<LanceField> fields, IDictionary<string, byte[]>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(fields);
        Fields = fields.ToList();
        Metadata = metadata is null
            ? new Dictionary<string, byte[]>(StringComparer.Ordinal)
            : new Dictionary<string, byte[]>(metadata, StringComparer.Ordinal);
    }

    /// <summary>The top-level fields, in column order.</summary>
    public IReadOnlyList<LanceField> Fields { get; }

    /// <summary>Schema metadata (e.g. <c>embedding_functions</c>); Lance stores values as bytes.</summary>
    public IDictionary<string, byte[]> Metadata { get; }

    /// <summary>Every field, parents before children, in the order Lance stores them.</summary>
    public IEnumerable<LanceField> AllFields
    {
        get
        {
            var stack = new Stack<LanceField>(Fields.Reverse());
            while (stack.Count > 0)
            {
                var next = stack.Pop();
                yield return next;
                for (int i = next.Children.Count - 1; i >= 0; i--)
                {
                    stack.Push(next.Children[i]);
                }
            }
        }
    }

    /// <summary>The largest field id in use, or -1 for an empty schema (new fields take the next id).</summary>
    public int MaxFieldId => AllFields.Select(f => f.Id).DefaultIfEmpty(-1).Max();

    /// <summary>The top-level field called <paramref name="name"/>, or null.</summary>
    public LanceField? FindField(string name) => Fields.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// Builds a Lance schema from an Arrow schema, assigning field ids 0, 1, ... in pre-order (as
    /// Lance does for a new dataset). Schema and field metadata are stored as UTF-8 bytes.
    /// </summary>
    /// <exception cref="LanceSchemaException">A field has a type this engine cannot store.</exception>
    public static LanceSchema FromArrow(Schema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        int nextId = 0;
        var fields = new List<LanceField>(schema.FieldsList.Count);
        foreach (var arrowField in schema.FieldsList)
        {
            fields.Add(FromArrowField(arrowField, -1, arrowField.Name, ref nextId));
        }

        var metadata = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (schema.HasMetadata)
        {
            foreach (var (key, value) in schema.Metadata)
            {
                metadata[key] = Encoding.UTF8.GetBytes(value);
            }
        }

        return new LanceSchema(fields, metadata);
    }

    // Pre-order: a node takes its id before its children, as Lance numbers them.
    private static LanceField FromArrowField(Field arrowField, int parentId, string path, ref int nextId)
    {
        if (arrowField.DataType is TimestampType { Timezone: { } zone } && zone.Contains(':', StringComparison.Ordinal))
        {
            // Lance's type string is split at ':' (LanceDB refuses such a column too).
            throw new LanceSchemaException(
                $"Column '{path}' is a timestamp in the time zone '{zone}', an offset, which a Lance type string cannot hold; use a zone name such as 'UTC' or 'Etc/GMT-5'.");
        }

        string logicalType = LanceLogicalTypes.TryGetLogicalType(arrowField.DataType)
            ?? throw new LanceSchemaException(
                $"Column '{path}' has Arrow type {arrowField.DataType.Name} ({arrowField.DataType.TypeId}), which Lance.Engine cannot store. " +
                "Supported: bool, int8..int64, uint8..uint64, float16/32/64, utf8, large_utf8, binary, large_binary, fixed_size_binary, date32, date64, " +
                "time32[s|ms], time64[us|ns], duration, timestamp (any unit; no zone or a named one), decimal128, decimal256, list, large_list, struct, " +
                "fixed_size_list of a fixed-width number, and dictionaries of any integer key over utf8, large_utf8, binary or large_binary.");
        if (arrowField.DataType is FixedSizeListType { ValueField.HasMetadata: true })
        {
            // Lance keeps no child field for a fixed-size list, so item metadata would be lost silently.
            throw new LanceSchemaException($"Column '{path}': metadata on the items of a fixed-size list cannot be stored.");
        }

        var field = new LanceField(nextId++, parentId, arrowField.Name, logicalType, arrowField.IsNullable);
        if (arrowField.HasMetadata)
        {
            foreach (var (key, value) in arrowField.Metadata)
            {
                field.Metadata[key] = Encoding.UTF8.GetBytes(value);
            }
        }

        IEnumerable<Field> children = arrowField.DataType switch
        {
            ListType list => [list.ValueField],
            LargeListType list => [list.ValueField],
            StructType structType => structType.Fields,
            _ => [],
        };
        foreach (var child in children)
        {
            field.Children.Add(FromArrowField(child, field.Id, $"{path}.{child.Name}", ref nextId));
        }

        if (arrowField.DataType is StructType { Fields.Count: 0 })
        {
            throw new LanceSchemaException($"Column '{path}' is a struct with no fields, which Lance cannot store.");
        }

        return field;
    }

    /// <summary>The Arrow type of a field, children included.</summary>
    /// <exception cref="LanceFormatException">The field's Lance type is one this engine cannot read.</exception>
    public static IArrowType ToArrowType(LanceField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        switch (field.LogicalType)
        {
            case "struct":
                if (field.Children.Count == 0)
                {
                    throw new LanceFormatException($"Field '{field.Name}' is a struct with no child fields.");
                }

                return new StructType(field.Children.Select(ToArrowField).ToList());
            case "list" or "list.struct" or "large_list" or "large_list.struct":
                if (field.Children.Count != 1)
                {
                    throw new LanceFormatException($"Field '{field.Name}' of type '{field.LogicalType}' has {field.Children.Count} child fields; a list has exactly one.");
                }

                var item = ToArrowField(field.Children[0]);
                return field.LogicalType.StartsWith("large_", StringComparison.Ordinal) ? new LargeListType(item) : new ListType(item);
        }

        if (!field.IsLeaf)
        {
            throw new LanceFormatException($"Field '{field.Name}' of type '{field.LogicalType}' has child fields, which that type cannot have.");
        }

        return LanceLogicalTypes.TryGetArrowType(field.LogicalType)
            ?? throw new LanceFormatException($"Field '{field.Name}' has Lance type '{field.LogicalType}', which Lance.Engine cannot read yet.");
    }

    /// <summary>The Arrow field for a Lance field (type, nullability, metadata as UTF-8 strings).</summary>
    public static Field ToArrowField(LanceField field)
    {
        ArgumentNullException.ThrowIfNull(field);
        var metadata = field.Metadata.Count == 0
            ? null
            : field.Metadata.ToDictionary(kv => kv.Key, kv => Encoding.UTF8.GetString(kv.Value), StringComparer.Ordinal);
        return new Field(field.Name, ToArrowType(field), field.Nullable, metadata);
    }

    /// <summary>
    /// The Arrow schema: top-level fields in order, schema metadata decoded as UTF-8 (Arrow metadata
    /// is text; Lance's is bytes, but every writer we know stores text).
    /// </summary>
    /// <exception cref="LanceFormatException">A field's type cannot be read by this engine.</exception>
    public Schema ToArrow() => ToArrow(Fields);

    /// <summary>The Arrow schema of only the given top-level fields, with the schema metadata.</summary>
    public Schema ToArrow(IEnumerable<LanceField> topLevelFields)
    {
        ArgumentNullException.ThrowIfNull(topLevelFields);
        var builder = new Schema.Builder();
        foreach (var field in topLevelFields)
        {
            builder.Field(ToArrowField(field));
        }

        foreach (var (key, value) in Metadata)
        {
            builder.Metadata(key, Encoding.UTF8.GetString(value));
        }

        return builder.Build();
    }

    /// <summary>The flattened, pre-order protobuf fields, as stored in manifests and data files.</summary>
    public List<PbFile.Field> ToProtoFields()
    {
        var result = new List<PbFile.Field>();
        foreach (var field in AllFields)
        {
            var pb = new PbFile.Field
            {
                // Lance itself always writes PARENT (0) here and ignores it on read.
                Type = PbFile.Field.Types.Type.Parent,
                Name = field.Name,
                Id = field.Id,
                ParentId = field.ParentId,
                LogicalType = field.LogicalType,
                Nullable = field.Nullable,
                Encoding = LegacyEncodingOf(field.LogicalType),
            };
            foreach (var (key, value) in field.Metadata)
            {
                pb.Metadata[key] = ByteString.CopyFrom(value);
            }

            result.Add(pb);
        }

        return result;
    }

    /// <summary>Schema metadata as a protobuf map (for the manifest and the file descriptor).</summary>
    public void CopyMetadataTo(Google.Protobuf.Collections.MapField<string, ByteString> target)
    {
        ArgumentNullException.ThrowIfNull(target);
        foreach (var (key, value) in Metadata)
        {
            target[key] = ByteString.CopyFrom(value);
        }
    }

    /// <summary>Rebuilds a schema from flattened protobuf fields (parents before children) and metadata.</summary>
    /// <exception cref="LanceFormatException">A field names a parent that does not precede it.</exception>
    public static LanceSchema FromProto(IEnumerable<PbFile.Field> fields, IEnumerable<KeyValuePair<string, ByteString>>? metadata)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var topLevel = new List<LanceField>();
        var byId = new Dictionary<int, LanceField>();
        foreach (var pb in fields)
        {
            var field = new LanceField(pb.Id, pb.ParentId, pb.Name, pb.LogicalType, pb.Nullable);
            foreach (var (key, value) in pb.Metadata)
            {
                field.Metadata[key] = value.ToByteArray();
            }

            if (!string.IsNullOrEmpty(pb.ExtensionName))
            {
                // Lance folds the extension name back into field metadata under Arrow's key.
                field.Metadata["ARROW:extension:name"] = Encoding.UTF8.GetBytes(pb.ExtensionName);
            }

            if (pb.ParentId < 0)
            {
                topLevel.Add(field);
            }
            else if (byId.TryGetValue(pb.ParentId, out var parent))
            {
                parent.Children.Add(field);
            }
            else
            {
                throw new LanceFormatException($"Field '{pb.Name}' (id {pb.Id}) names parent id {pb.ParentId}, which does not precede it.");
            }

            if (!byId.TryAdd(pb.Id, field))
            {
                throw new LanceFormatException($"Field id {pb.Id} is used twice ('{byId[pb.Id].Name}' and '{pb.Name}').");
            }
        }

        var meta = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (metadata is not null)
        {
            foreach (var (key, value) in metadata)
            {
                meta[key] = value.ToByteArray();
            }
        }

        return new LanceSchema(topLevel, meta);
    }

    // Lance still fills the legacy per-field encoding, and its legacy (0.1) writer insists on it:
    // var-binary for byte-string types, none for structs, plain otherwise (list offsets included).
    private static PbFile.Encoding LegacyEncodingOf(string logicalType) => logicalType switch
    {
        "string" or "large_string" or "binary" or "large_binary" => PbFile.Encoding.VarBinary,
        "struct" => PbFile.Encoding.None,
        _ when logicalType.StartsWith("dict:", StringComparison.Ordinal) => PbFile.Encoding.Dictionary,
        _ => PbFile.Encoding.Plain,
    };
}

using Apache.Arrow;
using Lance.Engine.Arrow;

namespace Lance.Engine.Dataset;

/// <summary>Checks computed column values (an update's, a new column's) against the column before anything is written.</summary>
internal static class ColumnCheck
{
    /// <summary>
    /// <paramref name="values"/> as the field's type (strings of the other offset width, a dictionary of strings, converted);
    /// throws unless they are <paramref name="length"/> values of that type, without nulls where it is not nullable.
    /// </summary>
    /// <exception cref="LanceSchemaException">The values do not fit the field.</exception>
    public static IArrowArray Check(Field field, IArrowArray values, int length, string operation, string location)
    {
        if (values.Length != length)
        {
            throw new LanceSchemaException($"The {operation} of column '{field.Name}' of '{location}' produced {values.Length} values for {length} rows.");
        }

        if (ArrowConvert.CanConvert(values.Data.DataType, field.DataType))
        {
            try
            {
                values = ArrowConvert.Convert(values, field.DataType);
            }
            catch (LanceSchemaException e)
            {
                throw new LanceSchemaException($"The {operation} of column '{field.Name}' of '{location}': {e.Message}", e);
            }
        }
        else
        {
            throw new LanceSchemaException(
                $"The {operation} of column '{field.Name}' of '{location}' produced {SchemaAlignment.Describe(values.Data.DataType)} values; the column holds {SchemaAlignment.Describe(field.DataType)}.");
        }

        if (!field.IsNullable && values.NullCount > 0)
        {
            throw new LanceSchemaException($"The {operation} of column '{field.Name}' of '{location}' produced nulls, but the column is not nullable.");
        }

        return values;
    }
}

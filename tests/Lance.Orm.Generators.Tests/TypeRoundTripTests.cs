using Lance.Orm.Generators.Tests.Infrastructure;

namespace Lance.Orm.Generators.Tests;

/// <summary>
/// Every supported member type, compiled for real and round-tripped rows → RecordBatch → rows with
/// random values (CsCheck, nulls included).
/// </summary>
public sealed class TypeRoundTripTests : IClassFixture<TypeRoundTripTests.Compiled>
{
    private readonly CompiledModel _model;

    public TypeRoundTripTests(Compiled compiled) => _model = compiled.Model;

    [Fact]
    public void Numbers_bools_text_binary_decimals_uuids_dates_times_and_enums_round_trip() => _model.Call("Types.Checks", "Scalars");

    [Fact]
    public void Nullable_members_round_trip_nulls_and_values() => _model.Call("Types.Checks", "Nullables");

    [Fact]
    public void Lists_and_arrays_of_numbers_strings_and_models_round_trip() => _model.Call("Types.Checks", "Collections");

    [Fact]
    public void Nested_models_round_trip_as_structs_including_null_ones() => _model.Call("Types.Checks", "Nested");

    [Fact]
    public void Float_Half_byte_and_memory_vectors_round_trip() => _model.Call("Types.Checks", "Vectors");

    /// <summary>Compiles the models once for the class.</summary>
    public sealed class Compiled : IDisposable
    {
        internal CompiledModel Model { get; } = CompiledModel.Load(AllTypesSources.Models);

        public void Dispose() => Model.Dispose();
    }
}

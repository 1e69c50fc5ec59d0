using System.Linq.Expressions;
using Microsoft.Extensions.VectorData;

namespace Lance.Orm.VectorData.Tests;

/// <summary>
/// Each filter is run twice, through GetAsync(filter) and through SearchAsync's Filter, and must
/// return exactly the records that LINQ to objects returns over the same data (C# semantics, nulls included).
/// </summary>
public sealed class FilterTests : IAsyncLifetime
{
    private readonly TestStore _store = new();
    private VectorStoreCollection<long, Hotel> _hotels = null!;

    private static readonly List<Hotel> Data =
    [
        new() { HotelId = 1, HotelName = "Alpha", Rating = 1, Parking = true, Floors = 3, Tags = ["pool", "spa"], ListTags = ["a"], Embedding = new float[] { 1, 0, 0 } },
        new() { HotelId = 2, HotelName = "Beta", Rating = 2, Parking = false, Floors = null, Tags = ["spa"], ListTags = ["b", "x"], Embedding = new float[] { 0, 1, 0 } },
        new() { HotelId = 3, HotelName = null, Rating = 3, Parking = true, Floors = 8, Tags = [], ListTags = [], Embedding = new float[] { 0, 0, 1 } },
        new() { HotelId = 4, HotelName = "Gamma", Rating = 4, Parking = false, Floors = 8, Tags = ["gym"], ListTags = ["x"], Embedding = new float[] { 1, 1, 0 } },
        new() { HotelId = 5, HotelName = "O'Neil", Rating = 5, Parking = true, Floors = null, Tags = ["pool"], ListTags = ["b"], Embedding = new float[] { 1, 1, 1 } },
    ];

    public async Task InitializeAsync()
    {
        _hotels = await _store.CollectionAsync<long, Hotel>("filters");
        await _hotels.UpsertAsync(Data);
    }

    public Task DisposeAsync()
    {
        _store.Dispose();
        return Task.CompletedTask;
    }

    private async Task AssertFilter(Expression<Func<Hotel, bool>> filter)
    {
        var expected = Data.Where(filter.Compile()).Select(h => h.HotelId).Order().ToList();

        var got = await _hotels.GetAsync(filter, 100).Select(h => h.HotelId).Order().ToListAsync();
        var searched = await _hotels.SearchAsync(new float[] { 1, 1, 1 }, 100, new VectorSearchOptions<Hotel> { Filter = filter })
            .Select(r => r.Record.HotelId).Order().ToListAsync();

        Assert.Equal(expected, got);
        Assert.Equal(expected, searched);
    }

    [Fact] public Task Equal_int() => AssertFilter(h => h.Rating == 3);
    [Fact] public Task Equal_int_reversed() => AssertFilter(h => 3 == h.Rating);
    [Fact] public Task Equal_string() => AssertFilter(h => h.HotelName == "Beta");
    [Fact] public Task Equal_string_with_a_quote() => AssertFilter(h => h.HotelName == "O'Neil");
    [Fact] public Task Equal_null() => AssertFilter(h => h.HotelName == null);
    [Fact] public Task Not_equal_null() => AssertFilter(h => h.HotelName != null);
    [Fact] public Task Not_equal_int() => AssertFilter(h => h.Rating != 3);
    [Fact] public Task Not_equal_string_keeps_null_rows() => AssertFilter(h => h.HotelName != "Beta");
    [Fact] public Task Nullable_int_equal() => AssertFilter(h => h.Floors == 8);
    [Fact] public Task Nullable_int_not_equal_keeps_null_rows() => AssertFilter(h => h.Floors != 8);
    [Fact] public Task Greater_than() => AssertFilter(h => h.Rating > 3);
    [Fact] public Task Greater_than_or_equal() => AssertFilter(h => h.Rating >= 3);
    [Fact] public Task Less_than() => AssertFilter(h => h.Rating < 3);
    [Fact] public Task Less_than_or_equal() => AssertFilter(h => h.Rating <= 3);
    [Fact] public Task Less_than_reversed() => AssertFilter(h => 3 < h.Rating);
    [Fact] public Task And() => AssertFilter(h => h.Rating > 1 && h.Parking);
    [Fact] public Task Or() => AssertFilter(h => h.Rating == 1 || h.HotelName == "Gamma");
    [Fact] public Task Not_of_and() => AssertFilter(h => !(h.Rating > 1 && h.Parking));
    [Fact] public Task Not_over_a_nullable_comparison_keeps_null_rows() => AssertFilter(h => !(h.Floors > 5));
    [Fact] public Task Bool_property() => AssertFilter(h => h.Parking);
    [Fact] public Task Negated_bool_property() => AssertFilter(h => !h.Parking);
    [Fact] public Task Bool_equal_false() => AssertFilter(h => h.Parking == false);
    [Fact] public Task Array_field_contains() => AssertFilter(h => h.Tags.Contains("spa"));
    [Fact] public Task List_field_contains() => AssertFilter(h => h.ListTags.Contains("x"));
    [Fact] public Task Array_field_any_of_values() => AssertFilter(h => h.Tags.Any(t => new[] { "gym", "spa" }.Contains(t)));

    [Fact]
    public Task Captured_array_contains_property()
    {
        var names = new[] { "Alpha", "Gamma", "Nope" };
        return AssertFilter(h => names.Contains(h.HotelName));
    }

    [Fact]
    public Task Captured_list_contains_property()
    {
        var ratings = new List<int> { 2, 5 };
        return AssertFilter(h => ratings.Contains(h.Rating));
    }

    [Fact]
    public Task Empty_captured_list_matches_nothing()
    {
        var ratings = new List<int>();
        return AssertFilter(h => ratings.Contains(h.Rating));
    }

    [Fact]
    public Task Captured_variable()
    {
        var minimum = 4;
        return AssertFilter(h => h.Rating >= minimum);
    }

    [Fact]
    public Task Captured_member_of_an_object()
    {
        var probe = new Hotel { HotelName = "Alpha" };
        return AssertFilter(h => h.HotelName == probe.HotelName);
    }

    [Fact] public Task Always_true() => AssertFilter(h => true);

    [Fact]
    public async Task Untranslatable_method_is_a_clear_NotSupportedException()
    {
        var error = await Assert.ThrowsAsync<NotSupportedException>(
            () => _hotels.GetAsync(h => h.HotelName!.StartsWith('A'), 10).ToListAsync().AsTask());

        Assert.Contains("filters", error.Message);
        Assert.Contains("StartsWith", error.Message);
    }

    [Fact]
    public async Task Filter_on_a_property_that_is_not_in_the_model_is_rejected()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => _hotels.GetAsync(h => h.ToString() == "x", 10).ToListAsync().AsTask());
    }
}

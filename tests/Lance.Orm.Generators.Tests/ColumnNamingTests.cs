using Lance.Orm.Generators.Helpers;

namespace Lance.Orm.Generators.Tests;

public sealed class ColumnNamingTests
{
    [Theory]
    [InlineData("Id", "id")]
    [InlineData("ImageUri", "image_uri")]
    [InlineData("HTMLText", "html_text")]
    [InlineData("Vector2D", "vector2_d")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("URL", "url")]
    [InlineData("StockCount", "stock_count")]
    public void Member_names_become_snake_case_columns(string member, string column) =>
        Assert.Equal(column, ColumnNaming.ToSnakeCase(member));
}

namespace Lance.Orm;

/// <summary>
/// Marks the member that identifies a row (<c>[Key] public long Id { get; init; }</c>): typed tables
/// then look rows up by it (<c>GetAsync(key)</c>, <c>GetManyAsync(keys)</c>) and merge by it when no
/// key columns are given (<c>MergeInsertAsync(rows)</c>). Several members with <c>[Key]</c> make a
/// composite key. LanceDB does not enforce uniqueness: the key is what the app promises. The source
/// generator also accepts <c>System.ComponentModel.DataAnnotations.KeyAttribute</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false)]
public sealed class KeyAttribute : Attribute
{
}

using Lance.Orm.Generators.Tests.Infrastructure;

namespace Lance.Orm.Generators.Tests;

/// <summary>
/// An app written as a newcomer writes it, with the SDK's implicit usings and only <c>using Lance.Orm;</c>:
/// everyday work (exceptions, merge and maintenance options, metrics, keys, ordering) compiles without
/// another Lance namespace.
/// </summary>
public sealed class NewcomerAppTests
{
    private const string ImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        """;

    private const string App = """
        using Lance.Orm;

        namespace NewcomerApp;

        public partial record Doc : ILanceModel
        {
            [Key] public long Id { get; init; }
            public string Text { get; init; } = "";
            [Column("sku")] public string Sku { get; init; } = "";
            [Vector(4)] public float[] Embedding { get; init; } = [];
        }

        public static class Program
        {
            public static async Task<string> RunAsync(string path)
            {
                var db = await LanceDb.ConnectAsync(path);
                var docs = await db.CreateTableAsync<Doc>("docs", CreateMode.Overwrite);
                MergeInsertResult merged = await docs.MergeInsertAsync([new Doc { Id = 1, Text = "a" }], on: x => x.Id);
                merged = await docs.MergeInsertAsync([new Doc { Id = 2 }], x => new { x.Id, x.Sku }, MergeInsertOptions.InsertIfNotExists);
                merged = await docs.MergeInsertAsync([new Doc { Id = 3 }]);
                Doc? one = await docs.GetAsync(1L);
                List<Doc> some = await docs.GetManyAsync([1L, 2L]);
                List<Doc> sorted = await docs.Query().OrderByDescending(x => x.Id).ThenBy(x => x.Sku).Limit(2).ToListAsync();
                var near = await docs.Search(new float[] { 1, 0, 0, 0 }).Column(x => x.Embedding).DistanceType(DistanceMetric.Cosine).ToListAsync();
                string column = Columns<Doc>.Name(x => x.Sku) + docs.ColumnName(x => x.Embedding);
                IReadOnlyList<DatasetVersion> versions = await docs.ListVersionsAsync();
                CompactionResult compacted = await docs.CompactAsync(new CompactionOptions());
                CleanupResult cleaned = await docs.CleanupOldVersionsAsync(TimeSpan.FromDays(7));
                var options = new IvfPqOptions { NumPartitions = 2 };
                try
                {
                    await db.OpenTableAsync("missing");
                }
                catch (LanceTableNotFoundException e)
                {
                    column += e.TableName;
                }
                catch (LanceSchemaException)
                {
                }
                catch (LanceFilterException)
                {
                }
                catch (LanceCommitConflictException)
                {
                }
                catch (LanceException)
                {
                }

                return $"{merged} {one} {some.Count} {sorted.Count} {near.Count} {column} {versions.Count} {compacted} {cleaned} {options}";
            }
        }
        """;

    [Fact]
    public void An_app_with_only_using_Lance_Orm_compiles()
    {
        var run = GeneratorHarness.Run(ImplicitUsings, App);

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.Empty(run.CompilationProblems);
    }

    [Fact]
    public void The_check_notices_a_type_outside_Lance_Orm()
    {
        // The same harness reports a type the app cannot see, so the test above would fail if one moved away.
        var run = GeneratorHarness.Run(ImplicitUsings, App.Replace("new CompactionOptions()", "new ScanRequest()", StringComparison.Ordinal));

        Assert.Contains(run.CompilationProblems, d => d.Id == "CS0246" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("ScanRequest", StringComparison.Ordinal));
    }
}

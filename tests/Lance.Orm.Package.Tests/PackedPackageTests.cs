using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.PortableExecutable;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lance.Orm.Package.Tests;

/// <summary>
/// The packed Lance.Orm package, used the way an app uses it: a project outside this repository that
/// references only the package (from a local folder feed) gets the source generator with it, builds
/// a model and round-trips rows, through Arrow and through a real table on disk.
/// </summary>
public sealed class PackedPackageTests : IDisposable
{
    private const string Version = "0.0.0-packagetest";
    private readonly string _work = Path.Combine(Path.GetTempPath(), "lance-package-test-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public void A_project_referencing_only_the_packed_package_generates_a_model_and_round_trips_rows()
    {
        var feed = Directory.CreateDirectory(Path.Combine(_work, "feed")).FullName;
        var src = Path.Combine(RepositoryRoot(), "src");
        Run("dotnet", $"pack \"{Path.Combine(src, "Lance.Orm")}\" -c Release -o \"{feed}\" -p:PackageVersion={Version} -nologo", RepositoryRoot());
        Run("dotnet", $"pack \"{Path.Combine(src, "Lance.Engine")}\" -c Release -o \"{feed}\" -p:PackageVersion={Version} --no-build -nologo", RepositoryRoot());

        // Packed on linux-x64 (as here), each package also carries a ReadyToRun image for linux-x64 (see Directory.Build.targets).
        var readyToRun = RuntimeInformation.RuntimeIdentifier == "linux-x64";
        foreach (var name in new[] { "Lance.Orm", "Lance.Engine" })
        {
            using var package = ZipFile.OpenRead(Path.Combine(feed, $"{name}.{Version}.nupkg"));
            Assert.Contains(package.Entries, e => e.FullName == $"lib/net10.0/{name}.dll");
            Assert.False(IsReadyToRun(package.GetEntry($"lib/net10.0/{name}.dll")!), $"lib/net10.0/{name}.dll is a ReadyToRun image: it would not load on other platforms.");
            if (name == "Lance.Orm")
            {
                Assert.Contains(package.Entries, e => e.FullName == "analyzers/dotnet/cs/Lance.Orm.Generators.dll");
            }

            if (readyToRun)
            {
                var image = package.GetEntry($"runtimes/linux-x64/lib/net10.0/{name}.dll");
                Assert.True(image is not null && IsReadyToRun(image), $"{name}'s package has no ReadyToRun image under runtimes/linux-x64/lib/net10.0.");
            }
        }

        var app = WriteConsumer(feed);
        var output = Run("dotnet", "run -c Release -nologo", app);

        Assert.Contains("arrow: 3 rows, Rex|dog,pet|1,2,3|null", output, StringComparison.Ordinal);
        Assert.Contains("view: 3 rows, id 2 Fido, vector 4,5,6", output, StringComparison.Ordinal);
        Assert.Contains("table: 3 rows, Rex Fido Tom", output, StringComparison.Ordinal);

        // The app names no runtime identifier; on linux-x64 it still loads the images from the runtimes folder.
        var from = readyToRun ? "runtimes/linux-x64/lib/net10.0" : "lib";
        Assert.Contains($"Lance.Orm from {from}", output, StringComparison.Ordinal);
        Assert.Contains($"Lance.Engine from {from}", output, StringComparison.Ordinal);
    }

    private static bool IsReadyToRun(ZipArchiveEntry entry)
    {
        using var stream = new MemoryStream();
        using (var source = entry.Open())
        {
            source.CopyTo(stream);
        }

        stream.Position = 0;
        using var reader = new PEReader(stream);
        return reader.PEHeaders.CorHeader is { ManagedNativeHeaderDirectory.Size: > 0 };
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_work, recursive: true);
        }
        catch (IOException)
        {
            // A build server may still hold a file for a moment; the folder is under temp.
        }
    }

    private string WriteConsumer(string feed)
    {
        var app = Directory.CreateDirectory(Path.Combine(_work, "app")).FullName;
        var globalPackages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

        // Only the packed packages are extracted to the isolated folder; everything else comes from the machine's cache.
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="packed" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        File.WriteAllText(Path.Combine(app, "App.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>{Path.Combine(_work, "packages")}</RestorePackagesPath>
                <RestoreAdditionalProjectFallbackFolders>{globalPackages}</RestoreAdditionalProjectFallbackFolders>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Lance.Orm" Version="{Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), """
            using Lance.Orm;

            Pet[] rows =
            [
                new() { Id = 1, Name = "Rex", Tags = ["dog", "pet"], Vector = [1, 2, 3] },
                new() { Id = 2, Name = "Fido", Tags = [], Vector = [4, 5, 6], Nickname = "F" },
                new() { Id = 3, Name = "Tom", Tags = ["cat"], Vector = [7, 8, 9] },
            ];

            var batch = Pet.ToRecordBatch(rows);
            var back = new List<Pet>();
            Pet.ReadRecordBatch(batch, back);
            Console.WriteLine($"arrow: {back.Count} rows, {back[0].Name}|{string.Join(",", back[0].Tags)}|{string.Join(",", back[0].Vector)}|{back[0].Nickname ?? "null"}");

            var view = new Pet.BatchView(batch);
            Console.WriteLine($"view: {view.RowCount} rows, id {view.Id(1)} {System.Text.Encoding.UTF8.GetString(view.NameUtf8(1))}, vector {string.Join(",", view.Vector(1).ToArray())}");

            var db = await LanceDb.ConnectAsync(Path.Combine(AppContext.BaseDirectory, "data"));
            var table = await db.CreateTableAsync("pets", rows.Select(r => new Stored { Id = r.Id, Name = r.Name, Vector = r.Vector }), CreateMode.Overwrite);
            var stored = new List<Stored>();
            await foreach (var row in table.AsAsyncEnumerable())
            {
                stored.Add(row);
            }

            Console.WriteLine($"table: {stored.Count} rows, {string.Join(" ", stored.OrderBy(r => r.Id).Select(r => r.Name))}");
            foreach (var name in new[] { "Lance.Orm", "Lance.Engine" })
            {
                var location = AppDomain.CurrentDomain.GetAssemblies().Single(a => a.GetName().Name == name).Location.Replace('\\', '/');
                Console.WriteLine($"{name} from {(location.Contains("/runtimes/linux-x64/lib/net10.0/", StringComparison.Ordinal) ? "runtimes/linux-x64/lib/net10.0" : "lib")}");
            }

            public partial record Pet : ILanceModel
            {
                public long Id { get; init; }
                public string Name { get; init; } = "";
                public string? Nickname { get; init; }
                public List<string> Tags { get; init; } = [];
                [Vector(3)] public float[] Vector { get; init; } = [];
            }

            public partial record Stored : ILanceModel
            {
                public long Id { get; init; }
                public string Name { get; init; } = "";
                [Vector(3)] public float[] Vector { get; init; } = [];
            }
            """);
        return app;
    }

    private static string Run(string file, string arguments, string directory)
    {
        var start = new ProcessStartInfo(file, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(4)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"'{file} {arguments}' did not finish in 4 minutes.");
        }

        var output = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"'{file} {arguments}' in {directory} exited with {process.ExitCode}:\n{output}");
        return output;
    }

    private static string RepositoryRoot([CallerFilePath] string path = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, "..", ".."));
}

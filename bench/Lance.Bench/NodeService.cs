using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Lance.Bench;

/// <summary>
/// A long-running Node process the object-store benchmark needs (s3rver, Azurite, the counting proxy):
/// started from the peer folder, killed with its process tree on dispose, its data folder removed.
/// </summary>
public sealed class NodeService : IDisposable
{
    private readonly Process _process;
    private readonly string? _dataDirectory;

    private NodeService(Process process, string endpoint, string? dataDirectory)
    {
        _process = process;
        Endpoint = endpoint;
        _dataDirectory = dataDirectory;
    }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Endpoint { get; }

    /// <summary>Starts s3rver on a free loopback port with <paramref name="bucket"/> created (key and secret: <c>S3RVER</c>).</summary>
    public static Task<NodeService> StartS3rverAsync(string bucket)
    {
        var data = NewDataDirectory("s3rver");
        var port = FreePort();
        return StartListeningAsync(Path.Combine("node_modules", "s3rver", "bin", "s3rver.js"),
            ["-d", data, "-a", "127.0.0.1", "-p", Invariant(port), "--silent", "--no-vhost-buckets", "--configure-bucket", bucket], port, data);
    }

    /// <summary>Starts Azurite's blob service on a free loopback port (account <c>devstoreaccount1</c>).</summary>
    public static Task<NodeService> StartAzuriteAsync()
    {
        var data = NewDataDirectory("azurite");
        var port = FreePort();
        return StartListeningAsync(Path.Combine("node_modules", "azurite", "dist", "src", "blob", "main.js"),
            ["--blobHost", "127.0.0.1", "--blobPort", Invariant(port), "--location", data, "--silent", "--skipApiVersionCheck", "--disableTelemetry"], port, data);
    }

    /// <summary>Starts tools/lancedb-peer/count-proxy.mjs in front of <paramref name="upstream"/>.</summary>
    public static async Task<NodeService> StartCountingProxyAsync(string upstream)
    {
        var process = Start("count-proxy.mjs", [System.Text.Json.JsonSerializer.Serialize(new { upstream })], redirectInput: true);
        var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))
            ?? throw new InvalidOperationException($"count-proxy.mjs exited: {await process.StandardError.ReadToEndAsync()}");
        var endpoint = System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("endpoint").GetString()!;
        return new NodeService(process, endpoint, null);
    }

    /// <summary>Kills the process and removes its data folder.</summary>
    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited meanwhile.
        }

        _process.Dispose();
        if (_dataDirectory is not null)
        {
            try { Directory.Delete(_dataDirectory, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<NodeService> StartListeningAsync(string script, List<string> args, int port, string data)
    {
        args.Insert(0, script);
        var process = Start(null, args, redirectInput: false);
        var service = new NodeService(process, $"http://127.0.0.1:{port}", data);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                var error = await process.StandardError.ReadToEndAsync();
                service.Dispose();
                throw new InvalidOperationException($"{script} exited with code {process.ExitCode} before listening: {error}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return service;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        service.Dispose();
        throw new InvalidOperationException($"{script} did not listen on port {port} within 60 s.");
    }

    private static Process Start(string? peerScript, List<string> args, bool redirectInput)
    {
        var peer = BenchSupport.PeerDirectory();
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = redirectInput,
            UseShellExecute = false,
            WorkingDirectory = peer,
        };
        if (peerScript is not null)
        {
            start.ArgumentList.Add(Path.Combine(peer, peerScript));
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        if (!redirectInput)
        {
            // Nobody reads its chatter: drain it so the process never blocks on a full pipe.
            process.OutputDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
        }

        return process;
    }

    private static string NewDataDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lance-bench-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Invariant(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;

namespace Lance.Storage.Tests.Support;

/// <summary>
/// One emulator (Azurite or s3rver) run with Node from the peer's <c>node_modules</c>, on a free
/// loopback port, with its data in a temporary folder; killed and its folder removed on dispose.
/// A missing Node, a missing package or an emulator that does not listen within a minute fails the
/// test loudly.
/// </summary>
public sealed class EmulatorProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private EmulatorProcess(string name, Process process, int port, string dataDirectory)
    {
        Name = name;
        _process = process;
        Port = port;
        DataDirectory = dataDirectory;
    }

    /// <summary>What runs, for messages.</summary>
    public string Name { get; }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Where it keeps its objects.</summary>
    public string DataDirectory { get; }

    /// <summary>Its address, e.g. <c>http://127.0.0.1:41234</c>.</summary>
    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>The peer folder the test build installed (assembly metadata <c>LanceDbPeerDir</c>).</summary>
    public static string PeerDirectory =>
        typeof(EmulatorProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "LanceDbPeerDir")?.Value
        ?? throw new InvalidOperationException("The test assembly has no LanceDbPeerDir metadata.");

    /// <summary>Starts <c>s3rver</c> with <paramref name="buckets"/> created (its key and secret are both <c>S3RVER</c>).</summary>
    public static Task<EmulatorProcess> StartS3rverAsync(params string[] buckets)
    {
        var data = NewDataDirectory("s3rver");
        var port = FreePort();
        List<string> args = ["-d", data, "-a", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--silent", "--no-vhost-buckets"];
        foreach (var bucket in buckets)
        {
            args.AddRange(["--configure-bucket", bucket]);
        }

        return StartAsync("s3rver", Path.Combine("s3rver", "bin", "s3rver.js"), args, port, data);
    }

    /// <summary>Starts Azurite's blob service (account <c>devstoreaccount1</c> with its well-known key).</summary>
    public static Task<EmulatorProcess> StartAzuriteAsync()
    {
        var data = NewDataDirectory("azurite");
        var port = FreePort();
        List<string> args = ["--blobHost", "127.0.0.1", "--blobPort", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--location", data, "--silent", "--skipApiVersionCheck", "--disableTelemetry"];
        return StartAsync("azurite", Path.Combine("azurite", "dist", "src", "blob", "main.js"), args, port, data);
    }

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
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static async Task<EmulatorProcess> StartAsync(string name, string script, List<string> args, int port, string data)
    {
        var scriptPath = Path.Combine(PeerDirectory, "node_modules", script);
        if (!File.Exists(scriptPath))
        {
            throw new InvalidOperationException(
                $"{name} is not installed ({scriptPath} is missing). Run `npm ci` in {PeerDirectory} "
                + "(building tests/Lance.Interop.Tests does it when a pinned package is missing).");
        }

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = data,
        };
        start.ArgumentList.Add(scriptPath);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        var emulator = new EmulatorProcess(name, process, port, data);
        process.OutputDataReceived += (_, e) => emulator.Append(e.Data);
        process.ErrorDataReceived += (_, e) => emulator.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                emulator.Dispose();
                throw new InvalidOperationException($"{name} exited with code {process.ExitCode} before listening: {emulator.Output}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return emulator;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        var output = emulator.Output;
        emulator.Dispose();
        throw new InvalidOperationException($"{name} did not listen on port {port} within 60 s: {output}");
    }

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static string NewDataDirectory(string name)
    {
        var path = Path.Combine(Path.GetTempPath(), $"lance-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>A loopback port nothing listens on now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

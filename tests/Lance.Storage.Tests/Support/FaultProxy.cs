using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lance.Storage.Tests.Support;

/// <summary>
/// A loopback HTTP proxy between a store's client and an emulator (Kestrel) that fails a share of the
/// requests the way a cloud service does: <c>503 SlowDown</c>/<c>ServerBusy</c> before the request
/// reaches the emulator, <c>500</c> after it did (the write landed, the answer is lost), or a
/// connection reset after it did. The faults are real HTTP failures; nothing in the store is mocked.
/// </summary>
/// <remarks>
/// It can also give s3rver (which ignores <c>If-None-Match</c> on PUT) conditional creates, by
/// refusing, under one lock, a <c>PUT</c> with <c>If-None-Match: *</c> whose object s3rver already
/// holds on disk: a test that uses this says so.
/// </remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly string[] SkippedRequestHeaders = ["Host", "Content-Length", "Transfer-Encoding", "Expect", "Connection"];
    private static readonly string[] SkippedResponseHeaders = ["Transfer-Encoding", "Connection", "Content-Length", "Keep-Alive"];

    private readonly WebApplication _app;
    private readonly HttpClient _client;
    private readonly string _upstream;
    private readonly Random _random;
    private readonly Lock _randomLock = new();
    private readonly SemaphoreSlim _conditionalLock = new(1, 1);
    private int _requests;
    private int _rejectedBefore;
    private int _failedAfter;
    private int _reset;
    private int _conditionalRefusals;
    private readonly ConcurrentQueue<string> _events;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private FaultProxy(WebApplication app, string upstream, double failureRate, int seed, ConcurrentQueue<string> trouble)
    {
        _app = app;
        _events = trouble;
        _upstream = upstream.TrimEnd('/');
        FailureRate = failureRate;
        _random = new Random(seed);
        _client = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            UseProxy = false,
        });
    }

    /// <summary>The proxy's address, to give the store as its endpoint.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>The share of requests that fail (0 to 1); may change while running.</summary>
    public double FailureRate { get; set; }

    /// <summary>s3rver's data folder and bucket, to emulate conditional creates in front of it; null for plain forwarding.</summary>
    public (string DataDirectory, string Bucket)? EmulateS3ConditionalPut { get; init; }

    /// <summary>Requests received.</summary>
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests failed with 503 before reaching the emulator.</summary>
    public int RejectedBefore => Volatile.Read(ref _rejectedBefore);

    /// <summary>Requests the emulator served whose answer was replaced by a 500.</summary>
    public int FailedAfter => Volatile.Read(ref _failedAfter);

    /// <summary>Requests the emulator served whose connection was then reset.</summary>
    public int Reset => Volatile.Read(ref _reset);

    /// <summary>Faults injected in all.</summary>
    public int Injected => RejectedBefore + FailedAfter + Reset;

    /// <summary>
    /// The latest 200 failures seen in the proxy, with the request, the time and the cause, for a test's failure
    /// message: the resets it injected (marked so) and those it did not — a forward to the emulator that failed, a
    /// connection or request Kestrel logged as reset, aborted or failed.
    /// </summary>
    public IReadOnlyCollection<string> Trouble => _events;

    /// <summary>Conditional creates the proxy refused in s3rver's place.</summary>
    public int ConditionalRefusals => Volatile.Read(ref _conditionalRefusals);

    /// <summary>Starts a proxy to <paramref name="upstream"/> failing <paramref name="failureRate"/> of the requests.</summary>
    public static async Task<FaultProxy> StartAsync(string upstream, double failureRate, int seed = 1234, (string DataDirectory, string Bucket)? emulateS3ConditionalPut = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var trouble = new ConcurrentQueue<string>();
        builder.Logging.AddProvider(new TroubleLoggerProvider(trouble));
        builder.WebHost.UseKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0);
            k.Limits.MaxRequestBodySize = null;
        });
        var app = builder.Build();
        var proxy = new FaultProxy(app, upstream, failureRate, seed, trouble) { EmulateS3ConditionalPut = emulateS3ConditionalPut };
        app.Run(proxy.HandleAsync);
        await app.StartAsync();
        proxy.Endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _client.Dispose();
        _conditionalLock.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var fault = NextFault();
        if (fault == 0)
        {
            Interlocked.Increment(ref _rejectedBefore);
            await WriteErrorAsync(context, 503, "SlowDown", "ServerBusy");
            return;
        }

        var body = await ReadBodyAsync(context.Request);
        var conditional = EmulateS3ConditionalPut is not null
            && HttpMethods.IsPut(context.Request.Method)
            && context.Request.Headers.IfNoneMatch.ToString().Trim() == "*";
        HttpResponseMessage response;
        if (conditional)
        {
            await _conditionalLock.WaitAsync();
            try
            {
                if (S3ObjectExists(context.Request.Path.Value ?? ""))
                {
                    Interlocked.Increment(ref _conditionalRefusals);
                    await WriteErrorAsync(context, 412, "PreconditionFailed", "ConditionNotMet");
                    return;
                }

                response = await ForwardAsync(context, body);
            }
            finally
            {
                _conditionalLock.Release();
            }
        }
        else
        {
            response = await ForwardAsync(context, body);
        }

        using (response)
        {
            if (fault == 1)
            {
                Interlocked.Increment(ref _failedAfter);
                await WriteErrorAsync(context, 500, "InternalError", "InternalError");
                return;
            }

            if (fault == 2)
            {
                Interlocked.Increment(ref _reset);
                Note($"{context.Request.Method} {context.Request.Path}: injected reset");
                context.Abort();
                return;
            }

            context.Response.StatusCode = (int)response.StatusCode;
            foreach (var header in response.Headers.Concat(response.Content.Headers))
            {
                if (!SkippedResponseHeaders.Contains(header.Key, StringComparer.OrdinalIgnoreCase))
                {
                    context.Response.Headers[header.Key] = header.Value.ToArray();
                }
            }

            var bytes = await response.Content.ReadAsByteArrayAsync();
            if (HttpMethods.IsHead(context.Request.Method))
            {
                if (response.Content.Headers.ContentLength is { } length)
                {
                    context.Response.ContentLength = length;
                }

                return;
            }

            context.Response.ContentLength = bytes.Length;
            await context.Response.Body.WriteAsync(bytes);
        }
    }

    /// <summary>-1 for none, else 0 (503 before), 1 (500 after), 2 (reset after).</summary>
    private int NextFault()
    {
        lock (_randomLock)
        {
            return _random.NextDouble() < FailureRate ? _random.Next(3) : -1;
        }
    }

    private async Task<HttpResponseMessage> ForwardAsync(HttpContext context, byte[] body)
    {
        var request = context.Request;
        var message = new HttpRequestMessage(new HttpMethod(request.Method), _upstream + request.Path.Value + request.QueryString.Value);
        if (body.Length > 0 || HttpMethods.IsPut(request.Method) || HttpMethods.IsPost(request.Method))
        {
            message.Content = new ByteArrayContent(body);
        }

        foreach (var header in request.Headers)
        {
            if (SkippedRequestHeaders.Contains(header.Key, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!message.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray()))
            {
                message.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value.ToArray());
            }
        }

        // Signatures (SigV4) cover the host the client addressed: keep it.
        message.Headers.Host = request.Host.Value;
        var started = _clock.Elapsed;
        try
        {
            return await _client.SendAsync(message, HttpCompletionOption.ResponseContentRead, context.RequestAborted);
        }
        catch (Exception e)
        {
            Note($"{request.Method} {request.Path}: the forward begun at {started.TotalMilliseconds:0} ms failed"
                + $"{(context.RequestAborted.IsCancellationRequested ? " (the client had gone)" : "")}: {e.GetType().Name}: {e.Message}"
                + (e.InnerException is { } inner ? $" <- {inner.GetType().Name}: {inner.Message}" : ""));
            throw;
        }
    }

    private void Note(string what)
    {
        _events.Enqueue(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_clock.Elapsed.TotalMilliseconds:0} ms {what}"));
        while (_events.Count > 200 && _events.TryDequeue(out _))
        {
        }
    }

    /// <summary>Kestrel's own account of connections it reset or requests it failed, into <see cref="Trouble"/>.</summary>
    private sealed class TroubleLoggerProvider(ConcurrentQueue<string> trouble) : ILoggerProvider
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public ILogger CreateLogger(string categoryName) => new TroubleLogger(categoryName, trouble, _clock);

        public void Dispose()
        {
        }
    }

    private sealed class TroubleLogger(string category, ConcurrentQueue<string> trouble, Stopwatch clock) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var message = formatter(state, exception);
            if (logLevel < LogLevel.Warning && !ReportsTrouble(message))
            {
                return;
            }

            trouble.Enqueue(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalMilliseconds:0} ms [{category} {logLevel} {eventId.Name}] {message}{(exception is null ? "" : $" <- {exception.GetType().Name}: {exception.Message}")}"));
            while (trouble.Count > 200 && trouble.TryDequeue(out _))
            {
            }
        }

        private static bool ReportsTrouble(string message)
            => message.Contains("reset", StringComparison.OrdinalIgnoreCase)
                || message.Contains("abort", StringComparison.OrdinalIgnoreCase)
                || message.Contains("fail", StringComparison.OrdinalIgnoreCase)
                || message.Contains("error", StringComparison.OrdinalIgnoreCase)
                || message.Contains("bad request", StringComparison.OrdinalIgnoreCase);
    }

    private bool S3ObjectExists(string path)
    {
        var (data, bucket) = EmulateS3ConditionalPut!.Value;
        var parts = Uri.UnescapeDataString(path).TrimStart('/').Split('/');
        if (parts.Length < 2 || parts[0] != bucket)
        {
            return false;
        }

        var folder = Path.Combine([data, bucket, .. parts[1..^1]]);
        return File.Exists(Path.Combine(folder, parts[^1] + "._S3rver_object"));
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    private static async Task WriteErrorAsync(HttpContext context, int status, string s3Code, string azureCode)
    {
        context.Response.StatusCode = status;
        context.Response.Headers["x-ms-error-code"] = azureCode;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync($"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{s3Code}</Code><Message>Injected by the test proxy.</Message></Error>");
    }
}

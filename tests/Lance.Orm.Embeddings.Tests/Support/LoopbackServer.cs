using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Lance.Orm.Embeddings.Tests;

/// <summary>A recorded request to <see cref="LoopbackServer"/>.</summary>
public sealed record RecordedRequest(string Method, string Path, string? Authorization, string Body, IReadOnlyDictionary<string, string>? Headers = null, string Query = "")
{
    public string? Header(string name) => Headers is not null && Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    public JsonObject Json => JsonNode.Parse(Body)!.AsObject();
}

/// <summary>A scripted answer: status, headers and body bytes.</summary>
public sealed record ScriptedResponse(int Status, byte[] Body, IReadOnlyDictionary<string, string>? Headers = null, string ContentType = "application/json")
{
    public static ScriptedResponse Json(int status, string json, IReadOnlyDictionary<string, string>? headers = null) => new(status, Encoding.UTF8.GetBytes(json), headers);
}

/// <summary>
/// A real HTTP server on 127.0.0.1 (HttpListener). Each request is answered by the next scripted
/// response, or by <see cref="Fallback"/> when the script is used up; every request is recorded.
/// </summary>
public sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private readonly Task _loop;

    public LoopbackServer(Func<RecordedRequest, ScriptedResponse>? fallback = null)
    {
        Fallback = fallback ?? (_ => ScriptedResponse.Json(404, """{"error":{"message":"not scripted"}}"""));
        for (var attempt = 0; ; attempt++)
        {
            var port = FreePort();
            BaseUrl = new Uri($"http://127.0.0.1:{port}/");
            _listener.Prefixes.Clear();
            _listener.Prefixes.Add(BaseUrl.AbsoluteUri);
            try
            {
                _listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public Uri BaseUrl { get; }

    public Func<RecordedRequest, ScriptedResponse> Fallback { get; set; }

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();

    public int RequestCount => _requests.Count;

    public void Enqueue(params ScriptedResponse[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }
    }

    public void Dispose()
    {
        // Close alone: Stop releases the port, and a Close after it would look the port up again (binding it anew) to
        // remove the prefix — "Address already in use" when another process took the port in between.
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!.ToLowerInvariant(), k => context.Request.Headers[k]!);
            var request = new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"], body, headers, context.Request.Url.Query);
            var response = _script.TryDequeue(out var scripted) ? scripted : Fallback(request);
            _requests.Enqueue(request);
            context.Response.StatusCode = response.Status;
            context.Response.ContentType = response.ContentType;
            foreach (var (name, value) in response.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }

            context.Response.ContentLength64 = response.Body.Length;
            await context.Response.OutputStream.WriteAsync(response.Body);
            context.Response.Close();
        }
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}

/// <summary>Answers like OpenAI's /embeddings: a deterministic vector per input (length, index, 1, ...).</summary>
public static class FakeOpenAi
{
    public static ScriptedResponse Answer(RecordedRequest request, int dimensions, bool reverse = false)
    {
        var json = request.Json;
        var inputs = json["input"]!.AsArray().Select(n => n!.GetValue<string>()).ToList();
        var data = new JsonArray();
        var order = Enumerable.Range(0, inputs.Count);
        foreach (var i in reverse ? order.Reverse() : order)
        {
            data.Add((JsonNode)new JsonObject { ["object"] = "embedding", ["index"] = i, ["embedding"] = new JsonArray(Vector(inputs[i], dimensions).Select(v => (JsonNode)JsonValue.Create(v)).ToArray()) });
        }

        return ScriptedResponse.Json(200, new JsonObject { ["object"] = "list", ["data"] = data, ["model"] = json["model"]!.GetValue<string>() }.ToJsonString());
    }

    public static float[] Vector(string text, int dimensions)
    {
        var vector = new float[dimensions];
        vector[0] = text.Length;
        for (var d = 1; d < dimensions; d++)
        {
            vector[d] = text.Length > 0 ? text[d % text.Length] : 0;
        }

        return vector;
    }

    public static ScriptedResponse Error(int status, string message, IReadOnlyDictionary<string, string>? headers = null)
        => ScriptedResponse.Json(status, new JsonObject { ["error"] = new JsonObject { ["message"] = message, ["type"] = "test" } }.ToJsonString(), headers);
}

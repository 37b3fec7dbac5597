using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Edge.Bench.Api;

public static partial class ApiBench
{
    /// <summary>
    /// <paramref name="runs"/> LISTs of the namespace's pods, timed from the request to the last
    /// byte of the body; with <paramref name="limit"/>, the whole list page by page as kubectl
    /// pages it (each page's <c>continue</c> token read from its metadata).
    /// </summary>
    private static async Task<Latencies> ListAsync(HttpClient client, string ns, int expected, int? limit, int runs, CancellationToken cancellationToken)
    {
        // One untimed run checks the answer is complete (and warms the connection).
        var items = await ListOnceAsync(client, ns, limit, countItems: true, cancellationToken);
        if (items != expected)
        {
            throw new InvalidOperationException($"LIST {ns} (limit {limit}) returned {items} pods, expected {expected}");
        }

        var latencies = new Latencies();
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await ListOnceAsync(client, ns, limit, countItems: false, cancellationToken);
            latencies.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return latencies;
    }

    private static async Task<int> ListOnceAsync(HttpClient client, string ns, int? limit, bool countItems, CancellationToken cancellationToken)
    {
        var items = 0;
        string? token = null;
        do
        {
            var path = $"/api/v1/namespaces/{ns}/pods";
            if (limit is { } l)
            {
                path += $"?limit={l}" + (token is null ? "" : "&continue=" + Uri.EscapeDataString(token));
            }

            if (countItems)
            {
                var body = await SendAsync(client, HttpMethod.Get, path, null, HttpStatusCode.OK, cancellationToken);
                using var document = JsonDocument.Parse(body);
                items += document.RootElement.GetProperty("items").GetArrayLength();
                token = limit is null ? null : ContinueToken(body);
            }
            else
            {
                token = await ReadListAsync(client, path, cancellationToken);
            }
        }
        while (token is not null);

        return items;
    }

    /// <summary>
    /// A timed GET of a list: every byte is read (the time runs to the last one), but only the
    /// first 16 KiB are kept, for the continue token. Buffering 16 MB, copying it into an array and
    /// collecting that array cost the load generator more CPU than the server's encryption of it,
    /// on the cores the server shares.
    /// </summary>
    /// <returns><c>metadata.continue</c>, or null at the end of the list.</returns>
    private static async Task<string?> ReadListAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
        var head = new byte[16 * 1024];
        var kept = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(256 * 1024);
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                var take = Math.Min(read, head.Length - kept);
                buffer.AsSpan(0, take).CopyTo(head.AsSpan(kept));
                kept += take;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return ContinueBeforeItems(head.AsSpan(0, kept), isFinalBlock: false, out var token)
            ? token
            : throw new InvalidOperationException($"GET {path}: no metadata before the items in the first {head.Length} bytes");
    }

    /// <summary><c>metadata.continue</c> of a whole list, read without parsing the items when the metadata comes first.</summary>
    private static string? ContinueToken(byte[] list)
    {
        if (ContinueBeforeItems(list, isFinalBlock: true, out var token))
        {
            return token;
        }

        // Not before the items: the server put the metadata last, so look the slow way.
        using var document = JsonDocument.Parse(list);
        return document.RootElement.TryGetProperty("metadata", out var metadata) && metadata.TryGetProperty("continue", out var c) &&
            c.GetString() is { Length: > 0 } s ? s : null;
    }

    /// <summary>
    /// Whether the list's metadata comes before its items within <paramref name="json"/>; if so,
    /// <paramref name="token"/> is its <c>continue</c> (null at the end of the list).
    /// </summary>
    private static bool ContinueBeforeItems(ReadOnlySpan<byte> json, bool isFinalBlock, out string? token)
    {
        token = null;
        var sawMetadata = false;
        var reader = new Utf8JsonReader(json, isFinalBlock, default);
        while (reader.Read())
        {
            if (reader.TokenType != JsonTokenType.PropertyName)
            {
                continue;
            }

            if (reader.CurrentDepth == 1 && reader.ValueTextEquals("metadata"u8))
            {
                sawMetadata = true;
            }
            else if (reader.CurrentDepth == 1 && reader.ValueTextEquals("items"u8))
            {
                return sawMetadata;
            }
            else if (reader.CurrentDepth == 2 && reader.ValueTextEquals("continue"u8) && reader.Read())
            {
                token = reader.GetString() is { Length: > 0 } value ? value : null;
                return true;
            }
        }

        return false;
    }

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);
}

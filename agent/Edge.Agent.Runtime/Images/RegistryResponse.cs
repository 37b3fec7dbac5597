using System.Text;

namespace Edge.Agent.Runtime.Images;

/// <summary>What the registry answers: a status, and a body that is either a blob or a small JSON document.</summary>
public sealed record RegistryResponse(int Status, string ContentType, ImageBlob Body, string? Digest)
{
    public static RegistryResponse Manifest(ImageBlob manifest) => new(200, manifest.MediaType!, manifest, manifest.Digest);

    public static RegistryResponse Blob(ImageBlob blob) => new(200, "application/octet-stream", blob, blob.Digest);

    public static RegistryResponse Json(int status, string json) =>
        new(status, "application/json", ImageBlob.InMemory(Encoding.UTF8.GetBytes(json), "application/json"), null);

    /// <summary>The distribution spec's error body: <c>{"errors":[{"code":…,"message":…,"detail":…}]}</c>.</summary>
    public static RegistryResponse Error(int status, string code, string message, string detail) =>
        new(status, "application/json", ImageBlob.InMemory(OciImageWriter.Json(w =>
        {
            w.WriteStartArray("errors");
            w.WriteStartObject();
            w.WriteString("code", code);
            w.WriteString("message", message);
            w.WriteString("detail", detail);
            w.WriteEndObject();
            w.WriteEndArray();
        }), "application/json"), null);

    public static string Reason(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "Status",
    };
}

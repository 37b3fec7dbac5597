namespace Edge.Api.Patching;

/// <summary>
/// A patch that cannot be applied, with the HTTP code and reason the upstream apiserver answers
/// with (k8s.io/apiserver <c>pkg/endpoints/handlers/patch.go</c>): malformed patch documents are
/// <c>400 BadRequest</c>, a well-formed JSON patch that does not apply (failed <c>test</c>,
/// missing path) is <c>422 Invalid</c>, more than 10,000 operations is
/// <c>413 RequestEntityTooLarge</c>. Strategic merge patch errors upstream does not classify
/// (unknown <c>$patch</c>, missing merge key) reach the client as <c>500</c> with an empty reason;
/// we keep that so clients see what a real cluster says.
/// </summary>
/// <remarks>
/// For 422 upstream builds the Status with <c>NewGenericServerResponse</c>: its message is the
/// generic "the server rejected our request due to an error in our request" and <see cref="Exception.Message"/>
/// goes into <c>details.causes</c>; the handler decides how to render it.
/// </remarks>
public sealed class PatchException : Exception
{
    public PatchException(int statusCode, string reason, string message)
        : base(message)
    {
        StatusCode = statusCode;
        Reason = reason;
    }

    /// <summary>The HTTP status code upstream answers with.</summary>
    public int StatusCode { get; }

    /// <summary>The meta/v1 Status reason (<c>BadRequest</c>, <c>Invalid</c>, <c>RequestEntityTooLarge</c>, or empty).</summary>
    public string Reason { get; }

    internal static PatchException BadRequest(string message) => new(400, "BadRequest", message);

    internal static PatchException Unprocessable(string message) => new(422, "Invalid", message);

    internal static PatchException TooLarge(string message) => new(413, "RequestEntityTooLarge", message);

    /// <summary>An error upstream returns without an API status, which the apiserver turns into a 500.</summary>
    internal static PatchException Unclassified(string message) => new(500, "", message);
}

namespace Edge.Api.Selectors;

/// <summary>
/// A label or field selector the server cannot accept. The message uses upstream's wording
/// because kubectl prints it verbatim and users search for it; the server answers 400 BadRequest.
/// </summary>
public sealed class SelectorException(string message) : Exception(message);

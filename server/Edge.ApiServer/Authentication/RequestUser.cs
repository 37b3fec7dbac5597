using Microsoft.AspNetCore.Http;

namespace Edge.ApiServer.Authentication;

/// <summary>The user authentication found for a request, kept on the request for authorization, admission and audit.</summary>
public static class RequestUser
{
    private static readonly object Key = new();

    /// <summary>The request's user; anonymous until authentication has run.</summary>
    public static UserInfo GetUser(this HttpContext context) =>
        context.Items.TryGetValue(Key, out var user) && user is UserInfo info ? info : UserInfo.Anonymous;

    public static void SetUser(this HttpContext context, UserInfo user) => context.Items[Key] = user;
}

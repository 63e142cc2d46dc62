using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;

namespace Scm.Client.Tests.Infrastructure;

internal static class Responses
{
    public static IResponseBuilder Json(string body, int status = 200) =>
        Response.Create().WithStatusCode(status).WithHeader("Content-Type", "application/json;charset=UTF-8").WithBody(body);

    public static IResponseBuilder Error(int status, int code, string description) =>
        Json("{\"code\":" + code + ",\"description\":\"" + description + "\"}", status);

    public static IResponseBuilder NoContent() => Response.Create().WithStatusCode(204);

    public static void Stub(this ScmServer server, IRequestBuilder request, IResponseBuilder response) =>
        server.Server.Given(request).RespondWith(response);

    public static IRequestBuilder Get(string path) => Request.Create().WithPath(path).UsingGet();

    public static IRequestBuilder Post(string path) => Request.Create().WithPath(path).UsingPost();

    public static IRequestBuilder Put(string path) => Request.Create().WithPath(path).UsingPut();

    public static IRequestBuilder Delete(string path) => Request.Create().WithPath(path).UsingDelete();

    public static IRequestBuilder Head(string path) => Request.Create().WithPath(path).UsingHead();
}

using System.Collections.Concurrent;
using System.Net;
using System.Text;
using Cairn.S3.Auth;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;

namespace Cairn.Integration.Tests.Cli;

/// <summary>
/// Stands in for the admin API: checks every request's signature with the server's own
/// <see cref="SigV4Verifier"/> (a refusal is answered as the admin API would, 403 with a JSON
/// error), records what it was sent, and answers with <see cref="Answer"/>.
/// </summary>
internal sealed class FakeAdminHandler(string region = CairnServer.Region) : HttpMessageHandler
{
    private readonly SigV4Verifier _verifier = new(
        new StaticCredentialStore().Add(CairnServer.AccessKey, CairnServer.SecretKey, "root"), region, TimeProvider.System);

    /// <summary>The answer to a correctly signed request.</summary>
    public Func<HttpRequestMessage, HttpResponseMessage> Answer { get; set; } = static _ => new HttpResponseMessage(HttpStatusCode.NotFound);

    /// <summary>Every request received, in order.</summary>
    public ConcurrentQueue<HttpRequestMessage> Requests { get; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        try
        {
            _verifier.Verify(ToSigV4Request(request));
        }
        catch (S3Exception ex)
        {
            return Task.FromResult(Json(HttpStatusCode.Forbidden, $$"""{"code":"{{ex.Code}}","message":"{{ex.Message}}"}"""));
        }
        return Task.FromResult(Answer(request));
    }

    /// <summary>A JSON answer with the given status.</summary>
    public static HttpResponseMessage Json(HttpStatusCode status, string json) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    private static SigV4Request ToSigV4Request(HttpRequestMessage request)
    {
        var target = request.RequestUri!.PathAndQuery;
        var question = target.IndexOf('?');
        var headers = new HeaderDictionary();
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = values.ToArray();
        }
        return new SigV4Request(request.Method.Method, question < 0 ? target : target[..question],
            question < 0 ? "" : target[(question + 1)..], headers);
    }
}

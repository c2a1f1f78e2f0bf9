using Cairn.S3.Handlers;
using Cairn.S3.Xml;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Errors;

/// <summary>The one place that writes S3 error bodies (STYLE B4.6).</summary>
public static class S3ErrorWriter
{
    /// <summary>Writes the &lt;Error&gt; document. InternalError bodies carry the request id, never exception text.</summary>
    public static Task WriteAsync(HttpContext context, S3Exception error, string resource, string requestId) =>
        XmlResponse.WriteAsync(context, error.StatusCode, (error, resource, requestId),
            static (writer, state) => ErrorResponseWriter.Write(writer, new ErrorResponse(state.error.Code, state.error.Message, state.requestId)
            {
                Details = state.error.Details,
                Resource = state.resource,
                HostId = state.requestId,
            }));
}

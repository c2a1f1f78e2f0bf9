using System.Buffers;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

/// <summary>Writes a small XML document with an exact Content-Length.</summary>
internal static class XmlResponse
{
    public static async Task WriteAsync<TState>(HttpContext context, int statusCode, TState state, Action<IBufferWriter<byte>, TState> write)
    {
        using var buffer = new PooledBufferWriter(4096);
        write(buffer, state);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/xml";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
    }
}

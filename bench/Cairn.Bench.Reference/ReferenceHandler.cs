using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Cairn.Bench.Reference;

/// <summary>
/// The whole server: one request delegate that dispatches on method and path by hand (no routing),
/// writes bodies from static buffers and reads bodies into a pooled buffer.
/// </summary>
internal static class ReferenceHandler
{
    private const int ReadBufferSize = 256 * 1024;

    /// <summary>1 MiB of fixed bytes: /4k sends its first 4,096, /bytes/{n} sends it again and again.</summary>
    private static readonly byte[] Source = CreateSource();

    public static Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var method = request.Method;
        var path = request.Path.Value ?? "/";
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method))
        {
            if (path == "/4k")
            {
                return WriteBytesAsync(context, 4096);
            }
            if (path.StartsWith("/bytes/", StringComparison.Ordinal)
                && long.TryParse(path.AsSpan("/bytes/".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var length))
            {
                return WriteBytesAsync(context, length);
            }
            if (path == "/health")
            {
                context.Response.ContentLength = 0;
                return Task.CompletedTask;
            }
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }
        if (HttpMethods.IsPut(method) || HttpMethods.IsPost(method))
        {
            return ReadBodyAsync(context, hash: request.Query["hash"] == "1");
        }
        context.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
        return Task.CompletedTask;
    }

    private static async Task WriteBytesAsync(HttpContext context, long length)
    {
        var response = context.Response;
        response.ContentLength = length;
        response.ContentType = "application/octet-stream";
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }
        var body = response.Body;
        var cancellationToken = context.RequestAborted;
        for (var left = length; left > 0;)
        {
            var count = (int)Math.Min(left, Source.Length);
            await body.WriteAsync(Source.AsMemory(0, count), cancellationToken);
            left -= count;
        }
    }

    /// <summary>
    /// Reads the body to its end and drops it; with <paramref name="hash"/> it also computes MD5 and
    /// SHA-256 over it, as an S3 server must for the ETag and the chunk addresses, and returns both.
    /// </summary>
    private static async Task ReadBodyAsync(HttpContext context, bool hash)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ReadBufferSize);
        using var md5 = hash ? IncrementalHash.CreateHash(HashAlgorithmName.MD5) : null;
        using var sha256 = hash ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        long total = 0;
        try
        {
            var body = context.Request.Body;
            var cancellationToken = context.RequestAborted;
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
            {
                md5?.AppendData(buffer, 0, read);
                sha256?.AppendData(buffer, 0, read);
                total += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var response = context.Response;
        response.Headers["x-body-bytes"] = total.ToString(CultureInfo.InvariantCulture);
        if (md5 is not null && sha256 is not null)
        {
            response.Headers.ETag = "\"" + Convert.ToHexStringLower(md5.GetHashAndReset()) + "\"";
            response.Headers["x-body-sha256"] = Convert.ToHexStringLower(sha256.GetHashAndReset());
        }
        response.ContentLength = 0;
    }

    private static byte[] CreateSource()
    {
        var source = new byte[1024 * 1024];
        new Random(1024).NextBytes(source);
        return source;
    }
}

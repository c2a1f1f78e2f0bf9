using System.Text;
using Cairn.S3.Errors;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Cairn.S3.Handlers;

/// <summary>
/// A browser upload's form (POST Object, https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html):
/// the fields before the file, read into memory, and the file's content left unread in the request
/// body, to stream into the store. Fields after the file are never read (S3 ignores them).
/// </summary>
internal sealed class PostForm
{
    /// <summary>
    /// Most bytes of field names and values before the file. S3 bounds them too (MaxPostPreDataLengthExceededError);
    /// a policy of many conditions, the largest field, stays well under this.
    /// </summary>
    public const int MaxFieldBytes = 64 * 1024;

    /// <summary>The fields whose values become request headers of the upload, as the same fields of PutObject.</summary>
    private static readonly string[] ContentHeaderFields = ["Cache-Control", "Content-Type", "Content-Disposition", "Content-Encoding", "Expires"];

    /// <summary>The signature's own fields, which describe the form and not the object.</summary>
    private static readonly string[] SignatureFields = ["x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature", "x-amz-security-token"];

    private PostForm(Dictionary<string, string> fields, string? fileName, Stream file)
    {
        Fields = fields;
        FileName = fileName;
        File = file;
    }

    /// <summary>The fields before the file, by name without regard to case.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>The name the browser gave the file, for <c>${filename}</c> in the key.</summary>
    public string? FileName { get; }

    /// <summary>The file's content, unread.</summary>
    public Stream File { get; }

    public string? Field(string name) => Fields.TryGetValue(name, out var value) ? value : null;

    /// <summary>The object's key: the <c>key</c> field with <c>${filename}</c> replaced by the file's name.</summary>
    public string Key => Field("key") is { } key
        ? key.Replace("${filename}", FileName ?? "", StringComparison.Ordinal)
        : throw S3Errors.InvalidArgument("Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.",
            "key", "");

    /// <summary>Reads the form up to the start of the file's content; throws the S3 error for a malformed or incomplete form.</summary>
    public static async Task<PostForm> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            throw S3Errors.NotMultipartForm();
        }
        var boundary = HeaderUtilities.RemoveQuotes(media.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            throw S3Errors.Of(S3ErrorCode.MalformedPOSTRequest);
        }
        var reader = new MultipartReader(boundary, request.Body) { HeadersCountLimit = 16, HeadersLengthLimit = 16 * 1024 };
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var fieldBytes = 0;
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken).ConfigureAwait(false) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)
                    || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase)
                    || HeaderUtilities.RemoveQuotes(disposition.Name).Value is not { Length: > 0 } name)
                {
                    throw S3Errors.Of(S3ErrorCode.MalformedPOSTRequest);
                }
                if (name.Equals("file", StringComparison.OrdinalIgnoreCase))
                {
                    var fileName = disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
                    return new PostForm(fields, fileName, section.Body);
                }
                fieldBytes += Encoding.UTF8.GetByteCount(name);
                var value = await ReadFieldAsync(section.Body, MaxFieldBytes - fieldBytes, cancellationToken).ConfigureAwait(false);
                fieldBytes += Encoding.UTF8.GetByteCount(value);
                if (!fields.TryAdd(name, value))
                {
                    throw S3Errors.InvalidArgument($"Bucket POST has more than one field named '{name}'.", name, value);
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && ex is not BadHttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            // What MultipartReader says of a body that is not multipart/form-data, or ends inside it.
            throw S3Errors.Of(S3ErrorCode.MalformedPOSTRequest);
        }
        throw S3Errors.Of(S3ErrorCode.IncorrectNumberOfFilesInPostRequest);
    }

    /// <summary>
    /// Makes the form's fields the request's object headers, so the upload reads them as PutObject reads
    /// its headers and the refused-header check sees them: the content headers, every <c>x-amz-*</c> field
    /// but the signature's, and <c>acl</c> as <c>x-amz-acl</c>. The request's own headers of those kinds go
    /// first, as S3 ignores them on a POST: only the form is covered by the policy, so a header beside a
    /// signed form (metadata, tags, an object lock, an SSE-C key) must not reach the object. The request's
    /// Content-Type (multipart/form-data) describes the form, not the object.
    /// </summary>
    public void HoistInto(IHeaderDictionary headers)
    {
        foreach (var name in headers.Keys.ToList())
        {
            // Content-Length frames the form itself and stays.
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)
                || (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase) && !name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                || ContentHeaderFields.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                headers.Remove(name);
            }
        }
        foreach (var (name, value) in Fields)
        {
            if (ContentHeaderFields.Contains(name, StringComparer.OrdinalIgnoreCase)
                || (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase) && !SignatureFields.Contains(name, StringComparer.OrdinalIgnoreCase)))
            {
                headers[name] = value;
            }
            else if (name.Equals("acl", StringComparison.OrdinalIgnoreCase))
            {
                headers["x-amz-acl"] = value;
            }
        }
    }

    private static async Task<string> ReadFieldAsync(Stream body, int limit, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw S3Errors.Of(S3ErrorCode.MaxPostPreDataLengthExceededError);
            }
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }
}

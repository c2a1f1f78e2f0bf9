using System.Net;
using System.Runtime.CompilerServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Storage.S3;

public sealed partial class S3BlobBackend
{
    // Bounds the pages one listing of uploads may read, so a store whose markers never advance cannot loop forever.
    private const int MaxUploadListingPages = 10_000;

    /// <inheritdoc />
    public async ValueTask<string> BeginMultipartAsync(string name, CancellationToken cancellationToken)
    {
        var request = new InitiateMultipartUploadRequest { BucketName = _bucket, Key = KeyOf(name), StorageClass = _storageClass };
        try
        {
            var response = await _client.InitiateMultipartUploadAsync(request, cancellationToken).ConfigureAwait(false);
            return string.IsNullOrEmpty(response.UploadId)
                ? throw new BlobBackendException($"S3 CreateMultipartUpload of '{name}' returned no upload id.", isTransient: false)
                : response.UploadId;
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "CreateMultipartUpload", name, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    public async ValueTask<BlobPart> UploadPartAsync(string name, string uploadId, int partNumber, ReadOnlyMemory<byte> data,
        CancellationToken cancellationToken)
    {
        var key = KeyOf(name);
        BlobArguments.ThrowIfInvalidUploadId(uploadId);
        BlobArguments.ThrowIfInvalidPartNumber(partNumber);
        var request = new UploadPartRequest
        {
            BucketName = _bucket,
            Key = key,
            UploadId = uploadId,
            PartNumber = partNumber,
            InputStream = BodyStream.Over(data),
            PartSize = data.Length,
            UseChunkEncoding = false,
        };
        try
        {
            var response = await _client.UploadPartAsync(request, cancellationToken).ConfigureAwait(false);
            return string.IsNullOrEmpty(response.ETag)
                ? throw new BlobBackendException($"S3 UploadPart {partNumber} of '{name}' returned no ETag.", isTransient: false)
                : new BlobPart(partNumber, response.ETag);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchUpload")
        {
            throw BlobErrors.NoSuchUpload(name, uploadId);
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "UploadPart", name, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    /// <remarks>Sends every ETag quoted, the form S3 documents for the request.</remarks>
    public async ValueTask CompleteMultipartAsync(string name, string uploadId, IReadOnlyList<BlobPart> parts, CancellationToken cancellationToken)
    {
        var key = KeyOf(name);
        BlobArguments.ThrowIfInvalidUploadId(uploadId);
        BlobArguments.ThrowIfInvalidPartList(parts);
        var request = new CompleteMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId, PartETags = [] };
        foreach (var part in parts)
        {
            request.PartETags.Add(new PartETag(part.PartNumber, "\"" + BlobArguments.ETagText(part.ETag) + "\""));
        }
        try
        {
            await _client.CompleteMultipartUploadAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchUpload")
        {
            throw BlobErrors.NoSuchUpload(name, uploadId);
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "CompleteMultipartUpload", name, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    public async ValueTask AbortMultipartAsync(string name, string uploadId, CancellationToken cancellationToken)
    {
        var key = KeyOf(name);
        BlobArguments.ThrowIfInvalidUploadId(uploadId);
        var request = new AbortMultipartUploadRequest { BucketName = _bucket, Key = key, UploadId = uploadId };
        try
        {
            await _client.AbortMultipartUploadAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchUpload" || (ex.StatusCode == HttpStatusCode.NotFound && ex.ErrorCode != "NoSuchBucket"))
        {
            // Already completed, aborted or never begun: the upload is gone, which is what abort wants.
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "AbortMultipartUpload", name, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    /// <remarks>Pages through ListMultipartUploads with the key and upload-id markers; keys that are not blob names are skipped.</remarks>
    public async IAsyncEnumerable<BlobMultipartUpload> ListMultipartUploadsAsync(string prefix,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        BlobName.ThrowIfInvalidPrefix(prefix);
        string? keyMarker = null;
        string? uploadIdMarker = null;
        for (var page = 0; page < MaxUploadListingPages; page++)
        {
            var response = await ListUploadsPageAsync(prefix, keyMarker, uploadIdMarker, cancellationToken).ConfigureAwait(false);
            foreach (var upload in response.MultipartUploads ?? [])
            {
                var name = NameOf(upload.Key);
                if (BlobName.IsValid(name) && !string.IsNullOrEmpty(upload.UploadId))
                {
                    var initiated = upload.Initiated is { } time ? new DateTimeOffset(time.ToUniversalTime(), TimeSpan.Zero) : DateTimeOffset.MinValue;
                    yield return new BlobMultipartUpload(name, upload.UploadId, initiated);
                }
            }
            if (response.IsTruncated != true)
            {
                yield break;
            }
            if (response.NextKeyMarker == keyMarker && response.NextUploadIdMarker == uploadIdMarker)
            {
                throw new BlobBackendException($"S3 ListMultipartUploads of '{prefix}' did not advance its markers.", isTransient: false);
            }
            keyMarker = response.NextKeyMarker;
            uploadIdMarker = response.NextUploadIdMarker;
        }
        throw new BlobBackendException($"S3 ListMultipartUploads of '{prefix}' passed {MaxUploadListingPages} pages.", isTransient: false);
    }

    private async ValueTask<ListMultipartUploadsResponse> ListUploadsPageAsync(string prefix, string? keyMarker, string? uploadIdMarker,
        CancellationToken cancellationToken)
    {
        var request = new ListMultipartUploadsRequest
        {
            BucketName = _bucket,
            Prefix = _keyPrefix + prefix,
            KeyMarker = keyMarker,
            UploadIdMarker = uploadIdMarker,
        };
        try
        {
            return await _client.ListMultipartUploadsAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "ListMultipartUploads", prefix, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }
}

using System.IO.Pipelines;
using Cairn.Core;
using Cairn.Engine.Chunks;
using Cairn.Engine.Objects;
using Cairn.Metadata;

namespace Cairn.Engine.Multipart;

public sealed partial class MultipartService
{
    /// <summary>
    /// Stores one part: the body streams into chunks (never inline), is verified (length, Content-MD5,
    /// checksums; the upload's own checksum algorithm is always computed), then the part is committed,
    /// replacing any earlier part with the same number.
    /// </summary>
    public async Task<UploadPartResult> UploadPartAsync(UploadPartCommand command, CancellationToken cancellationToken)
    {
        var upload = await FindRecordAsync(command.Bucket, command.Key, command.UploadId, cancellationToken).ConfigureAwait(false);
        if (upload is null)
        {
            return new UploadPartResult(UploadPartStatus.NoSuchUpload);
        }
        var algorithms = WithUploadAlgorithm(command.Checksums, upload);
        var cipher = PartCipher(upload, command.CustomerKey);
        var body = await chunks.WriteAsync(command.Body, algorithms, cancellationToken, allowInline: false, cipher: cipher).ConfigureAwait(false);
        var rejection = Verify(command, body);
        if (rejection is not null)
        {
            await ReleaseAsync(body).ConfigureAwait(false);
            return rejection;
        }
        return await CommitPartAsync(upload, command.PartNumber, body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores a part copied from a byte range of an existing object. The bytes are streamed through
    /// the chunk store (a range rarely falls on chunk boundaries), which also yields the part's MD5.
    /// </summary>
    public async Task<UploadPartResult> UploadPartCopyAsync(UploadPartCopyCommand command, ObjectService objects, CancellationToken cancellationToken)
    {
        var upload = await FindRecordAsync(command.Bucket, command.Key, command.UploadId, cancellationToken).ConfigureAwait(false);
        if (upload is null)
        {
            return new UploadPartResult(UploadPartStatus.NoSuchUpload);
        }
        var range = command.SourceRange is { } r ? new ByteRangeRequest(r.First, r.Last, null) : (ByteRangeRequest?)null;
        var cipher = PartCipher(upload, command.CustomerKey);
        var source = await objects.GetAsync(command.SourceBucket, command.SourceKey, command.SourceConditions, range, cancellationToken,
            versionId: command.SourceVersionId, customerKey: command.SourceCustomerKey).ConfigureAwait(false);
        switch (source.Status)
        {
            case GetObjectStatus.NoSuchBucket:
                return new UploadPartResult(UploadPartStatus.NoSuchSourceBucket);
            case GetObjectStatus.NoSuchKey:
                return new UploadPartResult(UploadPartStatus.NoSuchSourceKey);
            case GetObjectStatus.NoSuchVersion:
                return new UploadPartResult(UploadPartStatus.NoSuchSourceVersion);
            case GetObjectStatus.DeleteMarker:
                return new UploadPartResult(UploadPartStatus.SourceIsDeleteMarker);
            case GetObjectStatus.PreconditionFailed or GetObjectStatus.NotModified:
                return new UploadPartResult(UploadPartStatus.SourcePreconditionFailed);
            case GetObjectStatus.RangeNotSatisfiable:
                return new UploadPartResult(UploadPartStatus.InvalidSourceRange) { SourceSize = source.Version.Size };
        }
        if (command.SourceRange is { } requested && requested.Last >= source.Version.Size)
        {
            // S3 refuses a copy range that runs past the end instead of clipping it as GET does.
            return new UploadPartResult(UploadPartStatus.InvalidSourceRange) { SourceSize = source.Version.Size };
        }

        var pipe = new Pipe(new PipeOptions(pauseWriterThreshold: options.ChunkSize, resumeWriterThreshold: options.ChunkSize / 2));
        // A write that fails stops the reading too (a pipe whose reader is gone takes writes without complaint).
        using var producing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(objects, source, pipe.Writer, producing.Token);
        StoredBody body;
        try
        {
            body = await chunks.WriteAsync(pipe.Reader.AsStream(), WithUploadAlgorithm([], upload), cancellationToken, allowInline: false, cipher: cipher)
                .ConfigureAwait(false);
        }
        finally
        {
            await pipe.Reader.CompleteAsync().ConfigureAwait(false);
            await producing.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
        return await CommitPartAsync(upload, command.PartNumber, body, cancellationToken).ConfigureAwait(false);

        static async Task ProduceAsync(ObjectService objects, GetObjectResult source, PipeWriter writer, CancellationToken cancellationToken)
        {
            try
            {
                await objects.WriteBodyAsync(source, writer.AsStream(leaveOpen: true), cancellationToken).ConfigureAwait(false);
                await writer.CompleteAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // The reader sees the failure instead of a short body.
                await writer.CompleteAsync(ex).ConfigureAwait(false);
            }
        }
    }

    private async Task<UploadPartResult> CommitPartAsync(MultipartUploadRecord upload, int partNumber, StoredBody body, CancellationToken cancellationToken)
    {
        var part = new PartRecord
        {
            PartNumber = partNumber,
            Size = body.Size,
            // Under SSE-C not the plaintext's MD5 (UploadPart, ListParts and the object's ETag would show it).
            ETag = Encryption.ObjectEncryption.ETagOf(body.Md5, upload.Encryption),
            LastModified = time.GetUtcNow(),
            Checksums = body.ChecksumsByWireName(),
            Chunks = body.Chunks,
        };
        PartCommitOutcome outcome;
        try
        {
            outcome = await multipart.CommitPartAsync(upload.UploadId, body.UploadId, part, time.GetUtcNow(), options.GracePeriod, cancellationToken)
                .ConfigureAwait(false);
        }
        catch
        {
            await ReleaseAsync(body).ConfigureAwait(false);
            throw;
        }
        switch (outcome)
        {
            case PartCommitOutcome.Committed:
                return new UploadPartResult(UploadPartStatus.Stored, new UploadedPart(part))
                {
                    Encryption = Encryption.DataKeyEnvelope.ModeOf(upload.Encryption),
                };
            case PartCommitOutcome.NoSuchUpload:
                await ReleaseAsync(body).ConfigureAwait(false);
                return new UploadPartResult(UploadPartStatus.NoSuchUpload);
            default:
                await ReleaseAsync(body).ConfigureAwait(false);
                throw new TimeoutException($"The part {partNumber} of upload {upload.UploadId} outlived its chunk reservations; nothing was committed.");
        }
    }

    private static UploadPartResult? Verify(UploadPartCommand command, StoredBody body)
    {
        var verdict = body.Verify(command.DeclaredLength, command.ContentMd5, command.ExpectedChecksums);
        return verdict.Kind switch
        {
            BodyVerdictKind.Valid => null,
            BodyVerdictKind.IncompleteBody => new UploadPartResult(UploadPartStatus.IncompleteBody),
            BodyVerdictKind.BadDigest => new UploadPartResult(UploadPartStatus.BadDigest),
            _ => new UploadPartResult(UploadPartStatus.ChecksumMismatch, MismatchedChecksum: verdict.MismatchedChecksum),
        };
    }

    private static List<ChecksumAlgorithm> WithUploadAlgorithm(IReadOnlyCollection<ChecksumAlgorithm> requested, MultipartUploadRecord upload)
    {
        var algorithms = new List<ChecksumAlgorithm>(requested);
        if (upload.ChecksumAlgorithm is { } wireName && ChecksumAlgorithms.TryParseWireName(wireName, out var algorithm) && !algorithms.Contains(algorithm))
        {
            algorithms.Add(algorithm);
        }
        return algorithms;
    }

    private async Task ReleaseAsync(StoredBody body)
    {
        if (body.UploadId is { } reservation)
        {
            await chunks.AbortAsync(reservation).ConfigureAwait(false);
        }
    }
}

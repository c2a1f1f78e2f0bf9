using System.Buffers;

namespace Cairn.Storage;

/// <summary>
/// Writes one large blob through any <see cref="IBlobBackend"/> in parts of a fixed size, holding
/// at most two part buffers (one filling, one uploading), so memory is bounded by the part size,
/// not the blob size (DESIGN invariant 7).
/// </summary>
/// <remarks>
/// <para>
/// The multipart upload begins only when a full part is buffered and more bytes arrive: a blob of
/// at most one part is written with a single <see cref="IBlobBackend.PutAsync"/> and no upload is
/// ever begun. Part ETags are stripped of their quotes before Complete (some S3 implementations
/// compare them literally).
/// </para>
/// <para>
/// Any failure — a failing part, a failing Complete, cancellation — aborts the upload (after the
/// part in flight settles, so no part lands after the abort) and rethrows; so does disposing a
/// writer that was not completed. Not thread-safe: one writer per blob, one call at a time.
/// </para>
/// </remarks>
public sealed class MultipartBlobWriter : IAsyncDisposable
{
    private readonly IBlobBackend _backend;
    private readonly int _partSize;
    private readonly List<BlobPart> _parts = [];

    private byte[]? _filling;
    private int _filled;
    private byte[]? _spare;
    private Task<BlobPart>? _inFlight;
    private byte[]? _inFlightBuffer;
    private State _state;

    private enum State
    {
        Writing,
        Completed,
        Failed,
    }

    /// <summary>
    /// A writer for blob <paramref name="name"/> with parts of <paramref name="partSize"/> bytes, from
    /// <see cref="BlobLimits.MinPartSize"/> (5 MiB, S3's minimum) up to 1 GiB (one pooled array).
    /// </summary>
    public MultipartBlobWriter(IBlobBackend backend, string name, int partSize)
    {
        ArgumentNullException.ThrowIfNull(backend);
        BlobName.ThrowIfInvalid(name);
        ValidatePartSize(partSize);
        _backend = backend;
        _partSize = partSize;
        Name = name;
    }

    /// <summary>Largest part size a writer accepts: one pooled array per buffer.</summary>
    public const int MaxPartSize = 1024 * 1024 * 1024;

    /// <summary>The blob being written.</summary>
    public string Name { get; }

    /// <summary>Bytes accepted so far.</summary>
    public long Length { get; private set; }

    /// <summary>The multipart upload's id once begun; null while the blob still fits one part.</summary>
    public string? UploadId { get; private set; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless <paramref name="partSize"/> is a valid part size.</summary>
    public static void ValidatePartSize(int partSize)
    {
        if (partSize < BlobLimits.MinPartSize || partSize > MaxPartSize)
        {
            throw new ArgumentOutOfRangeException(nameof(partSize), partSize,
                $"A part size lies between {BlobLimits.MinPartSize} bytes (S3's minimum part) and {MaxPartSize}.");
        }
    }

    /// <summary>Appends <paramref name="data"/>; uploads a part whenever a full one is buffered and more follows.</summary>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        ThrowIfNotWriting();
        try
        {
            while (!data.IsEmpty)
            {
                _filling ??= RentBuffer();
                if (_filled == _partSize)
                {
                    // A full part and more bytes to come: this part is not the last, so it can go now.
                    await ShipFullPartAsync(cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var count = Math.Min(data.Length, _partSize - _filled);
                data.Span[..count].CopyTo(_filling.AsSpan(_filled));
                _filled += count;
                Length += count;
                data = data[count..];
            }
        }
        catch
        {
            await FailAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Appends everything <paramref name="source"/> holds from its position on (a local file: a pack's segment, an archive snapshot).</summary>
    public async ValueTask WriteFromAsync(Stream source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        var buffer = new byte[64 * 1024];
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes what is buffered and makes the blob whole: a single PUT when no upload was begun,
    /// otherwise the last part and Complete. Returns the blob's length.
    /// </summary>
    public async ValueTask<long> CompleteAsync(CancellationToken cancellationToken)
    {
        ThrowIfNotWriting();
        try
        {
            if (UploadId is null)
            {
                await _backend.PutAsync(Name, _filling.AsMemory(0, _filled), cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await SettleInFlightAsync().ConfigureAwait(false);
                // _filled > 0 here: a part is shipped only when more bytes follow it.
                var last = await _backend.UploadPartAsync(Name, UploadId, NextPartNumber(), _filling.AsMemory(0, _filled), cancellationToken)
                    .ConfigureAwait(false);
                _parts.Add(Unquoted(last));
                await _backend.CompleteMultipartAsync(Name, UploadId, _parts, cancellationToken).ConfigureAwait(false);
            }
            _state = State.Completed;
            ReturnBuffers();
            return Length;
        }
        catch
        {
            await FailAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Aborts the upload if it was not completed, and returns the buffers.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_state == State.Writing)
        {
            await FailAsync().ConfigureAwait(false);
        }
        ReturnBuffers();
    }

    /// <summary>Begins the upload if needed, waits for the previous part, and starts uploading the full buffer.</summary>
    private async ValueTask ShipFullPartAsync(CancellationToken cancellationToken)
    {
        UploadId ??= await _backend.BeginMultipartAsync(Name, cancellationToken).ConfigureAwait(false);
        await SettleInFlightAsync().ConfigureAwait(false);
        var partNumber = NextPartNumber();
        _inFlightBuffer = _filling;
        _inFlight = UploadPartAsync(UploadId, partNumber, _filling.AsMemory(0, _filled), cancellationToken);
        _filling = _spare ?? RentBuffer();
        _spare = null;
        _filled = 0;
    }

    private async Task<BlobPart> UploadPartAsync(string uploadId, int partNumber, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        Unquoted(await _backend.UploadPartAsync(Name, uploadId, partNumber, data, cancellationToken).ConfigureAwait(false));

    /// <summary>Waits for the part in flight; its buffer becomes the spare.</summary>
    private async ValueTask SettleInFlightAsync()
    {
        if (_inFlight is null)
        {
            return;
        }
        var task = _inFlight;
        _inFlight = null;
        try
        {
            _parts.Add(await task.ConfigureAwait(false));
        }
        finally
        {
            _spare = _inFlightBuffer;
            _inFlightBuffer = null;
        }
    }

    private int NextPartNumber()
    {
        var partNumber = _parts.Count + 1;
        if (partNumber > BlobLimits.MaxPartNumber)
        {
            throw new InvalidOperationException(
                $"Blob '{Name}' needs more than {BlobLimits.MaxPartNumber} parts of {_partSize} bytes; choose a larger part size.");
        }
        return partNumber;
    }

    /// <summary>Marks the writer failed, lets the part in flight settle, and aborts the upload (best effort).</summary>
    private async ValueTask FailAsync()
    {
        if (_state != State.Writing)
        {
            return;
        }
        _state = State.Failed;
        if (_inFlight is not null)
        {
            try
            {
                await _inFlight.ConfigureAwait(false);
            }
            catch
            {
                // Its failure is either the one being reported or moot now.
            }
            _inFlight = null;
        }
        if (UploadId is not null)
        {
            try
            {
                // Not the caller's token: a cancelled write must still clean up.
                await _backend.AbortMultipartAsync(Name, UploadId, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is BlobBackendException or OperationCanceledException)
            {
                // The upload stays listed by ListMultipartUploadsAsync until a cleaner aborts it;
                // the original failure is the one to report.
            }
        }
        ReturnBuffers();
    }

    private void ThrowIfNotWriting()
    {
        if (_state != State.Writing)
        {
            throw new InvalidOperationException(_state == State.Completed
                ? $"The writer of blob '{Name}' is already complete."
                : $"The writer of blob '{Name}' failed and aborted its upload.");
        }
    }

    private byte[] RentBuffer() => ArrayPool<byte>.Shared.Rent(_partSize);

    private void ReturnBuffers()
    {
        // The buffer of a part still in flight is returned once it settles (FailAsync awaits it first).
        if (_inFlight is not null)
        {
            return;
        }
        foreach (var buffer in (ReadOnlySpan<byte[]?>)[_filling, _spare, _inFlightBuffer])
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
        _filling = _spare = _inFlightBuffer = null;
        _filled = 0;
    }

    private static BlobPart Unquoted(BlobPart part) => part with { ETag = BlobArguments.ETagText(part.ETag) };
}

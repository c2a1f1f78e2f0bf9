using System.Net;
using System.Text;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Storage.S3;

/// <summary>
/// Blobs as objects in an S3-compatible bucket (gateway mode): object key = key prefix + blob name.
/// Each <see cref="IBlobBackend"/> call is one S3 request (see the interface), and an acknowledged
/// write is one the upstream acknowledged.
/// </summary>
/// <remarks>
/// <para>
/// The SDK is configured for a plain, predictable wire: no SDK retries (<see cref="RetryingBlobBackend"/>
/// owns retries, and counts them), checksums only where an operation requires one (newer SDK
/// defaults add CRC trailers that several S3 implementations reject), and no aws-chunked bodies
/// (bodies are in memory, so a signed payload hash costs one pass and works everywhere).
/// </para>
/// <para>
/// Put-if-absent sends <c>If-None-Match: *</c> (S3 conditional writes, 2024); an upstream that
/// answers 501 NotImplemented makes it fail with a permanent, explicit error. An upstream that
/// silently ignores the header cannot be detected per call.
/// </para>
/// </remarks>
public sealed partial class S3BlobBackend : IBlobBackend, IDisposable
{
    /// <summary>
    /// Longest key prefix, in UTF-8 bytes: S3 keys hold 1,024 bytes and blob names up to
    /// <see cref="BlobName.MaxLength"/> ASCII characters.
    /// </summary>
    public const int MaxKeyPrefixBytes = 1024 - BlobName.MaxLength;

    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _keyPrefix;
    private readonly S3StorageClass? _storageClass;

    /// <summary>Connects to the bucket described by <paramref name="options"/>; throws <see cref="ArgumentException"/> on an invalid setting.</summary>
    public S3BlobBackend(S3BlobBackendOptions options)
        : this(options, configure: null)
    {
    }

    /// <summary>As the public constructor; <paramref name="configure"/> may adjust the SDK settings last (tests plug a recording HTTP client in).</summary>
    internal S3BlobBackend(S3BlobBackendOptions options, Action<AmazonS3Config>? configure)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        _bucket = options.Bucket;
        _keyPrefix = options.KeyPrefix;
        _storageClass = string.IsNullOrEmpty(options.StorageClass) ? null : S3StorageClass.FindValue(options.StorageClass);
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            MaxErrorRetry = 0,
            // The SDK also retries "stale connection" errors (resets, broken pipes) up to 10 times
            // outside MaxErrorRetry; those are ours to retry and count too.
            MaxStaleConnectionRetries = 0,
            RetryMode = RequestRetryMode.Standard,
            Timeout = options.RequestTimeout,
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        else
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = options.Region;
        }
        configure?.Invoke(config);
        _client = string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    /// <summary>The bucket.</summary>
    public string Bucket => _bucket;

    /// <summary>The key prefix.</summary>
    public string KeyPrefix => _keyPrefix;

    /// <inheritdoc />
    public async ValueTask PutAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var request = NewPut(name, data);
        try
        {
            await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "PutObject", name, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> PutIfAbsentAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var request = NewPut(name, data);
        request.IfNoneMatch = "*";
        try
        {
            await _client.PutObjectAsync(request, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return false;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotImplemented)
        {
            throw new BlobBackendException(
                $"The upstream S3 store does not support conditional writes (PutObject with If-None-Match: *), which put-if-absent of '{name}' needs.",
                isTransient: false, ex);
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "PutObject If-None-Match", name, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    /// <remarks>One ranged GET. The body must be as long as the response says, or the read fails as transient.</remarks>
    public async ValueTask<int> ReadAsync(string name, long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var key = KeyOf(name);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        if (buffer.IsEmpty)
        {
            // No byte range is empty; a HEAD still tells a missing blob from a present one.
            return await GetLengthAsync(name, cancellationToken).ConfigureAwait(false) is null ? throw new BlobNotFoundException(name) : 0;
        }
        var request = new GetObjectRequest
        {
            BucketName = _bucket,
            Key = key,
            ByteRange = new ByteRange(offset, offset + buffer.Length - 1),
        };
        try
        {
            using var response = await _client.GetObjectAsync(request, cancellationToken).ConfigureAwait(false);
            // An upstream that ignores Range answers 200 with the whole object: skip to the offset.
            var skip = response.HttpStatusCode == HttpStatusCode.PartialContent ? 0 : offset;
            return await ReadBodyAsync(response, skip, buffer, name, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            // The blob exists and the offset is at or past its end (or it is empty).
            return 0;
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "GetObject", name, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    public async ValueTask<long?> GetLengthAsync(string name, CancellationToken cancellationToken)
    {
        var request = new GetObjectMetadataRequest { BucketName = _bucket, Key = KeyOf(name) };
        try
        {
            var response = await _client.GetObjectMetadataAsync(request, cancellationToken).ConfigureAwait(false);
            return response.ContentLength;
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // A HEAD answer has no body, so a missing bucket looks the same; the startup check tells them apart.
            return null;
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "HeadObject", name, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    public async ValueTask DeleteAsync(string name, CancellationToken cancellationToken)
    {
        var request = new DeleteObjectRequest { BucketName = _bucket, Key = KeyOf(name) };
        try
        {
            await _client.DeleteObjectAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode == "NoSuchKey")
        {
            // S3 answers 204 for a missing key; some compatible stores answer 404. Either way it is gone.
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "DeleteObject", name, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    /// <remarks>One DeleteObjects request in quiet mode: the answer lists only the keys that failed.</remarks>
    public async ValueTask<IReadOnlyList<BlobDeleteFailure>> DeleteManyAsync(IReadOnlyList<string> names, CancellationToken cancellationToken)
    {
        BlobArguments.ThrowIfInvalidDeleteBatch(names);
        if (names.Count == 0)
        {
            return [];
        }
        var request = new DeleteObjectsRequest { BucketName = _bucket, Quiet = true, Objects = [] };
        foreach (var name in new HashSet<string>(names, StringComparer.Ordinal))
        {
            request.Objects.Add(new KeyVersion { Key = _keyPrefix + name });
        }
        try
        {
            var response = await _client.DeleteObjectsAsync(request, cancellationToken).ConfigureAwait(false);
            return Failures(response.DeleteErrors);
        }
        catch (DeleteObjectsException ex)
        {
            return Failures(ex.Response?.DeleteErrors);
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "DeleteObjects", $"{names.Count} names", cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One ListObjectsV2 request with <c>start-after</c>. Keys under the prefix that are not valid blob
    /// names (objects someone else put there) are skipped, and the cursor moves past them.
    /// </remarks>
    public async ValueTask<BlobListPage> ListPageAsync(string prefix, string? startAfter, int maxCount, CancellationToken cancellationToken)
    {
        BlobArguments.ThrowIfInvalidListPage(prefix, maxCount);
        var request = new ListObjectsV2Request
        {
            BucketName = _bucket,
            Prefix = _keyPrefix + prefix,
            MaxKeys = maxCount,
            StartAfter = string.IsNullOrEmpty(startAfter) ? null : _keyPrefix + startAfter,
        };
        try
        {
            var response = await _client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
            var objects = response.S3Objects ?? [];
            var entries = new List<BlobListEntry>(objects.Count);
            string? lastName = null;
            foreach (var item in objects)
            {
                lastName = NameOf(item.Key);
                if (BlobName.IsValid(lastName))
                {
                    entries.Add(new BlobListEntry(lastName, item.Size ?? 0));
                }
            }
            if (response.IsTruncated != true)
            {
                return new BlobListPage(entries, null);
            }
            // A truncated page always carries a key when no delimiter is used; without one there is
            // no start-after to continue from, which would loop, so say so instead.
            return lastName is null
                ? throw new BlobBackendException($"S3 ListObjectsV2 of '{prefix}' returned an empty truncated page.", isTransient: true)
                : new BlobListPage(entries, lastName);
        }
        catch (Exception ex) when (S3Errors.Translate(ex, "ListObjectsV2", prefix, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    /// <summary>Disposes the SDK client.</summary>
    public void Dispose() => _client.Dispose();

    private PutObjectRequest NewPut(string name, ReadOnlyMemory<byte> data) => new()
    {
        BucketName = _bucket,
        Key = KeyOf(name),
        InputStream = BodyStream.Over(data),
        AutoCloseStream = true,
        // Single-shot SigV4 with the payload's SHA-256 instead of aws-chunked: simpler for upstreams.
        UseChunkEncoding = false,
        StorageClass = _storageClass,
    };

    private static async ValueTask<int> ReadBodyAsync(GetObjectResponse response, long skip, Memory<byte> buffer, string name,
        CancellationToken cancellationToken)
    {
        var stream = response.ResponseStream;
        var expected = response.ContentLength - skip;
        if (skip > 0)
        {
            await DiscardAsync(stream, skip, cancellationToken).ConfigureAwait(false);
        }
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await stream.ReadAsync(buffer[total..], cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }
            total += read;
        }
        // Fewer bytes than announced (and than asked for) means the body was cut off on the way.
        if (total < buffer.Length && total < expected)
        {
            throw new BlobBackendException($"S3 GetObject of '{name}' ended after {total} of {expected} bytes.", isTransient: true);
        }
        return total;
    }

    private static async ValueTask DiscardAsync(Stream stream, long count, CancellationToken cancellationToken)
    {
        var scratch = new byte[Math.Min(count, 64 * 1024)];
        while (count > 0)
        {
            var read = await stream.ReadAsync(scratch.AsMemory(0, (int)Math.Min(count, scratch.Length)), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }
            count -= read;
        }
    }

    private List<BlobDeleteFailure> Failures(List<DeleteError>? errors)
    {
        var failures = new List<BlobDeleteFailure>();
        foreach (var error in errors ?? [])
        {
            if (error.Code == "NoSuchKey")
            {
                continue;
            }
            failures.Add(new BlobDeleteFailure(NameOf(error.Key), $"{error.Code}: {error.Message}",
                S3Errors.IsTransient(error.Code, HttpStatusCode.OK)));
        }
        return failures;
    }

    /// <summary>The object key of a blob; validates the name first.</summary>
    private string KeyOf(string name)
    {
        BlobName.ThrowIfInvalid(name);
        return _keyPrefix + name;
    }

    private string NameOf(string key) => key.StartsWith(_keyPrefix, StringComparison.Ordinal) ? key[_keyPrefix.Length..] : key;

    private static void Validate(S3BlobBackendOptions options)
    {
        if (!IsBucketName(options.Bucket))
        {
            throw new ArgumentException($"S3BlobBackend:Bucket '{options.Bucket}' is not a valid bucket name (3-63 of [a-z0-9.-]).", nameof(options));
        }
        if (string.IsNullOrWhiteSpace(options.Region))
        {
            throw new ArgumentException("S3BlobBackend:Region is required.", nameof(options));
        }
        if (!string.IsNullOrEmpty(options.ServiceUrl)
            && (!Uri.TryCreate(options.ServiceUrl, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
        {
            throw new ArgumentException($"S3BlobBackend:ServiceUrl '{options.ServiceUrl}' is not an http or https URL.", nameof(options));
        }
        ValidateKeyPrefix(options.KeyPrefix);
        ValidateStorageClass(options.StorageClass);
        if (string.IsNullOrEmpty(options.AccessKey) != string.IsNullOrEmpty(options.SecretKey))
        {
            throw new ArgumentException("S3BlobBackend:AccessKey and SecretKey go together: set both, or neither to use the default credential chain.",
                nameof(options));
        }
        if (options.RequestTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("S3BlobBackend:RequestTimeout must be positive.", nameof(options));
        }
    }

    /// <summary>
    /// A storage class is a header value made of S3's spelling (<c>[A-Za-z0-9_-]</c>, at most 64), and not
    /// one whose objects must be restored before a GET (S3 answers 403 InvalidObjectState): Cairn reads
    /// every blob it keeps, and it does not restore.
    /// </summary>
    private static void ValidateStorageClass(string? storageClass)
    {
        if (string.IsNullOrEmpty(storageClass))
        {
            return;
        }
        if (storageClass.Length > 64 || storageClass.AsSpan().IndexOfAnyExcept(StorageClassCharacters) >= 0)
        {
            throw new ArgumentException($"S3BlobBackend:StorageClass '{storageClass}' is not a storage class (up to 64 of [A-Za-z0-9_-], e.g. GLACIER_IR).",
                "options");
        }
        if (storageClass.Equals("GLACIER", StringComparison.OrdinalIgnoreCase) || storageClass.Equals("DEEP_ARCHIVE", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"S3BlobBackend:StorageClass {storageClass} keeps objects unreadable until restored, so every read of a blob there would fail; use an instant-retrieval class such as GLACIER_IR or STANDARD_IA.",
                "options");
        }
    }

    /// <summary>
    /// A key prefix is at most <see cref="MaxKeyPrefixBytes"/> UTF-8 bytes of S3's safe characters
    /// (<c>[A-Za-z0-9!_.*'()/-]</c>), without empty, <c>.</c> or <c>..</c> segments, which some
    /// clients and servers normalise away.
    /// </summary>
    private static void ValidateKeyPrefix(string? prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix, "options.KeyPrefix");
        if (prefix.Length == 0)
        {
            return;
        }
        if (Encoding.UTF8.GetByteCount(prefix) > MaxKeyPrefixBytes)
        {
            throw new ArgumentException($"S3BlobBackend:KeyPrefix is longer than {MaxKeyPrefixBytes} bytes: with a blob name the key would pass S3's 1,024.",
                "options");
        }
        var segments = prefix.Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            var segment = segments[i];
            var isLast = i == segments.Length - 1;
            if ((!isLast && segment.Length == 0) || segment is "." or ".." || segment.AsSpan().IndexOfAnyExcept(SafeKeyCharacters) >= 0)
            {
                throw new ArgumentException(
                    $"S3BlobBackend:KeyPrefix '{prefix}' may hold only [A-Za-z0-9!_.*'()-] segments separated by '/', none empty, '.' or '..'.",
                    "options");
            }
        }
    }

    private static readonly System.Buffers.SearchValues<char> SafeKeyCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!_.*'()-");

    private static readonly System.Buffers.SearchValues<char> StorageClassCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    private static bool IsBucketName(string? bucket) =>
        bucket is { Length: >= 3 and <= 63 }
        && IsLowerOrDigit(bucket[0])
        && IsLowerOrDigit(bucket[^1])
        && bucket.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789.-") < 0;

    private static bool IsLowerOrDigit(char c) => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c);
}

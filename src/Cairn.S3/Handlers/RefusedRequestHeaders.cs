using System.Collections.Frozen;
using Cairn.S3.Errors;
using Cairn.S3.Routing;
using Microsoft.AspNetCore.Http;

namespace Cairn.S3.Handlers;

/// <summary>
/// Never accept and ignore (issue 10): every request header that changes what S3 does with the
/// data and that Cairn does not implement is refused, so a client never believes its data is
/// encrypted, locked, tagged, shared or tiered when it is not. One list, checked in one place
/// (<see cref="ThrowIfAnyRefused"/>, called by <see cref="S3Handlers.HandleAsync"/> before any handler runs).
/// </summary>
/// <remarks>
/// <para>
/// The headers come from the request-header lists of PutObject, CopyObject, CreateMultipartUpload,
/// UploadPart, UploadPartCopy, GetObject and HeadObject in the S3 API reference; each entry applies
/// to the operations that document it. Refused with 501 NotImplemented, as S3 answers a header
/// that implies functionality it lacks (with the header named in a <c>Header</c> element), except
/// ACLs: Cairn behaves as an S3 bucket whose Object Ownership is "bucket owner enforced" (the S3
/// default since April 2023): the bucket owner owns every object, so a write may carry no ACL or
/// one that says exactly that (<c>private</c>, <c>bucket-owner-full-control</c>), and any other
/// ACL or grant gets S3's answer for that setting, 400 AccessControlListNotSupported.
/// </para>
/// <para>
/// Accepted on purpose, because they only describe or check something Cairn honours or that cannot
/// differ on one Cairn server: <c>x-amz-request-payer</c> (an acknowledgement; Cairn bills no one),
/// <c>x-amz-expected-bucket-owner</c> and <c>x-amz-source-expected-bucket-owner</c> (every bucket
/// belongs to the one account the server has, and there is no other owner a bucket could have),
/// <c>x-amz-tagging</c> (implemented on PutObject, CopyObject and CreateMultipartUpload),
/// <c>x-amz-tagging-directive</c> (implemented on CopyObject), the <c>x-amz-object-lock-*</c> headers
/// (implemented on PutObject, CopyObject and CreateMultipartUpload),
/// <c>x-amz-sdk-checksum-algorithm</c>, <c>x-amz-checksum-*</c>, <c>x-amz-checksum-type</c> and
/// <c>x-amz-checksum-mode</c> (implemented), and the conditional and content headers (implemented).
/// </para>
/// <para>
/// A presigned URL's <c>x-amz-*</c> query parameters are headers by then (<see cref="S3Middleware"/>
/// copies them over before dispatch), so they are checked too; so are a browser upload's form fields
/// (<see cref="PostForm.HoistInto"/>).
/// </para>
/// </remarks>
public static class RefusedRequestHeaders
{
    private static readonly S3Operation[] ObjectWrites =
        [S3Operation.PutObject, S3Operation.PostObject, S3Operation.CopyObject, S3Operation.CreateMultipartUpload];

    private static readonly S3Operation[] EveryDataOperation =
    [
        S3Operation.PutObject, S3Operation.PostObject, S3Operation.CopyObject, S3Operation.CreateMultipartUpload, S3Operation.UploadPart,
        S3Operation.UploadPartCopy, S3Operation.GetObject, S3Operation.HeadObject,
    ];

    private static readonly S3Operation[] Copies = [S3Operation.CopyObject, S3Operation.UploadPartCopy];

    private static readonly string[] ServerSideEncryptionMethods = ["AES256", "aws:kms", "aws:kms:dsse"];

    private static readonly string[] StorageClasses =
    [
        "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER", "DEEP_ARCHIVE",
        "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS", "FSX_ONTAP",
    ];

    /// <summary>The list: every header Cairn refuses rather than ignore, in the order of the S3 API reference.</summary>
    public static IReadOnlyList<RefusedHeader> All { get; } =
    [
        // SSE-S3 (AES256) and SSE-C are implemented (EncryptionHeaders); SSE-KMS and DSSE-KMS need a KMS Cairn does not have.
        new("x-amz-server-side-encryption", "server-side encryption with a KMS key (SSE-KMS, DSSE-KMS)", ObjectWrites)
        {
            AcceptedValues = ["AES256"],
            KnownValues = ServerSideEncryptionMethods,
            UnknownValue = static (name, value) => S3Errors.InvalidArgument("The encryption method specified is not supported", name, value),
        },
        new("x-amz-server-side-encryption-aws-kms-key-id", "server-side encryption with a KMS key (SSE-KMS)", ObjectWrites),
        new("x-amz-server-side-encryption-context", "server-side encryption with a KMS key (SSE-KMS)", ObjectWrites),
        // "false" asks for no bucket key, which is what an object without SSE-KMS has.
        new("x-amz-server-side-encryption-bucket-key-enabled", "S3 Bucket Keys for SSE-KMS", ObjectWrites) { AcceptedValues = ["false"] },

        // Appending to an existing object (directory buckets).
        new("x-amz-write-offset-bytes", "appending at an offset", [S3Operation.PutObject]),

        // The destination of a copy gets a checksum of this algorithm, computed by S3; Cairn's copy
        // references the source's chunks and keeps the source's checksums.
        new("x-amz-checksum-algorithm", "a new checksum algorithm for a copy", [S3Operation.CopyObject]),

        // Served by S3's website endpoints and returned on GET and HEAD; Cairn would drop it.
        new("x-amz-website-redirect-location", "a website redirect", ObjectWrites),

        // Storage classes other than STANDARD change availability, retrieval and cost; Cairn has one.
        new("x-amz-storage-class", "storage classes", ObjectWrites)
        {
            AcceptedValues = ["STANDARD"],
            KnownValues = StorageClasses,
            UnknownValue = static (_, value) => new S3Exception(S3ErrorCode.InvalidStorageClass) { Details = [new("StorageClassRequested", value)] },
        },

        // ACLs: see the remarks.
        new("x-amz-acl", "access control lists", ObjectWrites)
        {
            AcceptedValues = ["private", "bucket-owner-full-control"],
            Error = S3ErrorCode.AccessControlListNotSupported,
        },
        new("x-amz-grant-full-control", "access control lists", ObjectWrites) { Error = S3ErrorCode.AccessControlListNotSupported },
        new("x-amz-grant-read", "access control lists", ObjectWrites) { Error = S3ErrorCode.AccessControlListNotSupported },
        new("x-amz-grant-read-acp", "access control lists", ObjectWrites) { Error = S3ErrorCode.AccessControlListNotSupported },
        new("x-amz-grant-write-acp", "access control lists", ObjectWrites) { Error = S3ErrorCode.AccessControlListNotSupported },
    ];

    private static readonly FrozenDictionary<string, RefusedHeader> ByName =
        All.ToFrozenDictionary(static header => header.Name, StringComparer.OrdinalIgnoreCase);

    private static readonly bool[] OperationHasRefusals = BuildOperationIndex();

    /// <summary>
    /// Throws the refusal for the first header of <paramref name="headers"/> that is on the list for
    /// <paramref name="operation"/> with a value Cairn does not serve. Empty values count as absent,
    /// as everywhere else in the front end.
    /// </summary>
    public static void ThrowIfAnyRefused(S3Operation operation, IHeaderDictionary headers)
    {
        if (!OperationHasRefusals[(int)operation])
        {
            return;
        }
        foreach (var (name, values) in headers)
        {
            if (name.StartsWith("x-amz-", StringComparison.OrdinalIgnoreCase)
                && ByName.TryGetValue(name, out var refused)
                && refused.AppliesTo(operation)
                && values.ToString() is { Length: > 0 } value
                && refused.Refusal(value) is { } error)
            {
                throw error;
            }
        }
    }

    private static bool[] BuildOperationIndex()
    {
        var index = new bool[Enum.GetValues<S3Operation>().Length];
        foreach (var header in All)
        {
            foreach (var operation in header.Operations)
            {
                index[(int)operation] = true;
            }
        }
        return index;
    }
}

namespace Cairn.Integration.Tests.BadInput;

/// <summary>Bodies whose length is not the length the request declared.</summary>
public sealed partial class BadInputTests
{
    /// <summary>
    /// AWS answers a body that ends before its Content-Length with 400 IncompleteBody. Kestrel cannot:
    /// when the client's FIN arrives early it aborts the connection on purpose, without a response
    /// (aspnetcore Http1MessageBody.ThrowUnexpectedEndOfRequestContent: "closing the connection
    /// without a response as expected"), so the handler's error has no one to go to. This test holds
    /// the server to what it can do; the next one keeps AWS's answer on record.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_a_body_shorter_than_Content_Length_then_a_half_close_is_cut_off_and_changes_nothing()
    {
        // Arrange: signed for the whole body; two chunk-store chunks of it are sent and stored, then the client closes its side.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 10);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), body);
        Signer.SignHeaders(request, Now, WireSigner.Sha256Hex(body));
        using var completed = new CompletedRequests(Server);

        // Act
        var response = await Wire.SendRawAsync(request, bodyBytesToSend: 2 * 64 * 1024 + 10, shutdownSend: true,
            beforeShutdown: () => before.WaitForNewBlobFilesAsync(Server, more: 2));
        await completed.WaitForOneAsync();

        // Assert: no answer at all (above all, no 2xx), and the two blobs written were reclaimed.
        Assert.Null(response);
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000, Skip = "Kestrel aborts the connection without a response when the client half-closes early; see the test above.")]
    public async Task PutObject_with_a_body_shorter_than_Content_Length_returns_IncompleteBody_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 10);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), body);
        Signer.SignHeaders(request, Now, WireSigner.Sha256Hex(body));
        using var completed = new CompletedRequests(Server);

        // Act
        var response = await Wire.SendRawAsync(request, bodyBytesToSend: 2 * 64 * 1024 + 10, shutdownSend: true,
            beforeShutdown: () => before.WaitForNewBlobFilesAsync(Server, more: 2));
        await completed.WaitForOneAsync();

        // Assert
        S3ErrorAssert.Error(response, 400, "IncompleteBody");
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    /// <summary>
    /// A client that stops sending mid-body and keeps the connection open gets 400 RequestTimeout, as
    /// from AWS. Kestrel's minimum request body data rate (240 B/s after a 5 s grace) ends the wait,
    /// so this test takes about 5 s; the few bytes sent keep the average rate under the minimum.
    /// </summary>
    [Fact(Timeout = 30_000)]
    public async Task PutObject_whose_body_stalls_returns_RequestTimeout_and_changes_nothing()
    {
        // Arrange
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 13);
        var request = WithBody("PUT", WireSigner.PathOf(bucket, "k"), body);
        Signer.SignHeaders(request, Now, WireSigner.Sha256Hex(body));

        // Act
        var response = await Wire.SendRawAsync(request, bodyBytesToSend: 1000, shutdownSend: false);

        // Assert
        S3ErrorAssert.Error(response, 400, "RequestTimeout");
        await AssertRefusedUpFrontAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_an_aws_chunked_body_shorter_than_decoded_length_returns_IncompleteBody_and_changes_nothing()
    {
        // Arrange: well-framed, correctly signed chunks whose total is one byte less than declared.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 11);
        var request = ChunkedPut(bucket, "k", Split(body, 64 * 1024), WireSigner.StreamingSigned, Now, decodedLength: body.Length + 1);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "IncompleteBody");
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }

    [Fact(Timeout = 30_000)]
    public async Task PutObject_with_an_aws_chunked_body_longer_than_decoded_length_returns_IncompleteBody_and_changes_nothing()
    {
        // Arrange: well-framed, correctly signed chunks whose total is one byte more than declared.
        var bucket = await NewBucketWithObjectAsync();
        var before = await StoreSnapshot.CaptureAsync(Server, bucket);
        var body = Bytes(LargeBodyLength, 12);
        var request = ChunkedPut(bucket, "k", Split(body, 64 * 1024), WireSigner.StreamingSigned, Now, decodedLength: body.Length - 1);

        // Act
        var response = await Wire.SendAsync(request);

        // Assert
        S3ErrorAssert.Error(response, 400, "IncompleteBody");
        await AssertWrittenThenReclaimedAsync(before);
        await AssertAbsentAsync(bucket, "k");
    }
}

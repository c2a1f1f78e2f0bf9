using System.Net;
using System.Text;
using System.Xml.Linq;
using Amazon.S3;
using Amazon.S3.Model;

namespace Cairn.Integration.Tests.Access;

/// <summary>
/// Browser uploads (POST Object, issue 14) over real HTTP: forms signed by the AWS SDK's
/// CreatePresignedPost, sent as a browser sends them (multipart/form-data, the file last); each
/// success answer S3 gives (204, 200, 201 with its XML, 303 to the redirect), and each refusal with
/// S3's status and code and nothing stored: an expired or unmet policy, an extra field, a tampered
/// signature, a file outside the size range, a malformed form, another user's bucket, anonymous forms.
/// </summary>
[Collection(AccessCollection.Name)]
[Trait("Issue", "14")]
public sealed class PostUploadTests(AccessFixture fixture)
{
    private static readonly byte[] Content = Encoding.UTF8.GetBytes("uploaded from a form");

    private CairnServer Server => fixture.Server;

    private static async Task<CreatePresignedPostResponse> PresignAsync(IAmazonS3 s3, string bucket, string key,
        Dictionary<string, string>? fields = null, List<S3PostCondition>? conditions = null, DateTime? expires = null)
    {
        var request = new CreatePresignedPostRequest
        {
            BucketName = bucket,
            Key = key,
            Expires = expires ?? DateTime.UtcNow.AddMinutes(10),
        };
        foreach (var (name, value) in fields ?? [])
        {
            request.Fields[name] = value;
        }
        foreach (var condition in conditions ?? [])
        {
            request.Conditions.Add(condition);
        }
        return await s3.CreatePresignedPostAsync(request);
    }

    /// <summary>Posts the fields in order and the file last, as a browser posts a form (from <paramref name="origin"/>, when given).</summary>
    private async Task<HttpResponseMessage> PostAsync(string bucket, IEnumerable<KeyValuePair<string, string>> fields, byte[]? file = null,
        string fileName = "photo.jpg", string? origin = null, Dictionary<string, string>? headers = null)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, value) in fields)
        {
            form.Add(new StringContent(value), name);
        }
        if (file is not null)
        {
            var part = new ByteArrayContent(file);
            part.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "file", fileName);
        }
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Server.Endpoint}/{bucket}") { Content = form };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        foreach (var (name, value) in headers ?? [])
        {
            if (!request.Headers.TryAddWithoutValidation(name, value))
            {
                form.Headers.TryAddWithoutValidation(name, value);
            }
        }
        return await http.SendAsync(request);
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, HttpStatusCode status, string code, string? message = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {status}, got {response.StatusCode}: {body}");
        var error = XDocument.Parse(body).Root!;
        Assert.Equal(code, error.Element("Code")?.Value);
        if (message is not null)
        {
            Assert.Equal(message, error.Element("Message")?.Value);
        }
    }

    private async Task<string> NewBucketAsync(string prefix)
    {
        var bucket = CairnServer.NewBucketName(prefix);
        await Server.Client.PutBucketAsync(bucket);
        return bucket;
    }

    private async Task AssertNothingStoredAsync(string bucket)
    {
        var listed = await Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket });
        Assert.Empty(listed.S3Objects ?? []);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_signed_form_stores_the_file_with_its_fields_and_answers_204()
    {
        var bucket = await NewBucketAsync("post");
        var presigned = await PresignAsync(Server.Client, bucket, "photos/cat.jpg", new Dictionary<string, string>
        {
            ["Content-Type"] = "image/jpeg",
            ["x-amz-meta-album"] = "summer",
            ["Cache-Control"] = "max-age=60",
        });

        using var response = await PostAsync(bucket, presigned.Fields, Content);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal($"{Server.Endpoint}/{bucket}/photos/cat.jpg", response.Headers.Location?.ToString());
        using var stored = await Server.Client.GetObjectAsync(bucket, "photos/cat.jpg");
        using var bytes = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(bytes);
        Assert.Equal(Content, bytes.ToArray());
        Assert.Equal(("image/jpeg", "summer", "max-age=60"), (stored.Headers.ContentType, stored.Metadata["album"], stored.Headers.CacheControl));
        Assert.Equal(stored.ETag, response.Headers.ETag?.Tag);
    }

    [Fact(Timeout = 60_000)]
    public async Task Success_action_status_201_answers_with_the_object_in_xml_and_200_with_nothing()
    {
        var bucket = await NewBucketAsync("post201");
        var created = await PresignAsync(Server.Client, bucket, "a.txt", new Dictionary<string, string> { ["success_action_status"] = "201" });
        using var response201 = await PostAsync(bucket, created.Fields, Content);
        Assert.Equal(HttpStatusCode.Created, response201.StatusCode);
        var xml = XDocument.Parse(await response201.Content.ReadAsStringAsync()).Root!;
        var etag = (await Server.Client.GetObjectMetadataAsync(bucket, "a.txt")).ETag;
        Assert.Equal(("PostResponse", bucket, "a.txt", etag, $"{Server.Endpoint}/{bucket}/a.txt"),
            (xml.Name.LocalName, xml.Element("Bucket")?.Value, xml.Element("Key")?.Value, xml.Element("ETag")?.Value, xml.Element("Location")?.Value));

        var ok = await PresignAsync(Server.Client, bucket, "b.txt", new Dictionary<string, string> { ["success_action_status"] = "200" });
        using var response200 = await PostAsync(bucket, ok.Fields, Content);
        Assert.Equal(HttpStatusCode.OK, response200.StatusCode);
        Assert.Empty(await response200.Content.ReadAsByteArrayAsync());
        Assert.Equal(Content.Length, (await Server.Client.GetObjectMetadataAsync(bucket, "b.txt")).ContentLength);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_redirect_sends_the_browser_on_with_bucket_key_and_etag()
    {
        var bucket = await NewBucketAsync("postredirect");
        var presigned = await PresignAsync(Server.Client, bucket, "r.txt",
            new Dictionary<string, string> { ["success_action_redirect"] = "https://app.example.com/done?from=form" });

        using var response = await PostAsync(bucket, presigned.Fields, Content);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        var etag = (await Server.Client.GetObjectMetadataAsync(bucket, "r.txt")).ETag;
        Assert.Equal($"https://app.example.com/done?from=form&bucket={bucket}&key=r.txt&etag={Uri.EscapeDataString(etag)}",
            response.Headers.Location?.OriginalString);
    }

    [Fact(Timeout = 60_000)]
    public async Task The_file_name_fills_in_the_key_under_a_starts_with_condition()
    {
        var bucket = await NewBucketAsync("postname");
        var presigned = await PresignAsync(Server.Client, bucket, "uploads/${filename}",
            conditions: [S3PostCondition.StartsWith("key", "uploads/")]);

        using var response = await PostAsync(bucket, presigned.Fields, Content, fileName: "holiday.png");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Content.Length, (await Server.Client.GetObjectMetadataAsync(bucket, "uploads/holiday.png")).ContentLength);
    }

    [Fact(Timeout = 60_000)]
    public async Task Fields_mean_what_the_same_headers_mean_on_PutObject_refusals_included()
    {
        var bucket = await NewBucketAsync("postfields");
        var tagged = await PresignAsync(Server.Client, bucket, "tagged.txt", new Dictionary<string, string>
        {
            ["tagging"] = "<Tagging><TagSet><Tag><Key>team</Key><Value>web</Value></Tag></TagSet></Tagging>",
        });
        using (var response = await PostAsync(bucket, tagged.Fields, Content))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        var tags = (await Server.Client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "tagged.txt" })).Tagging;
        Assert.Equal([("team", "web")], tags.Select(tag => (tag.Key, tag.Value)));

        // Never accepted and ignored: encryption Cairn does not do yet is refused in a form as in a header.
        var encrypted = await PresignAsync(Server.Client, bucket, "encrypted.txt",
            new Dictionary<string, string> { ["x-amz-server-side-encryption"] = "aws:kms" });
        using (var response = await PostAsync(bucket, encrypted.Fields, Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.NotImplemented, "NotImplemented");
        }
        var publicRead = await PresignAsync(Server.Client, bucket, "public.txt", new Dictionary<string, string> { ["acl"] = "public-read" });
        using (var response = await PostAsync(bucket, publicRead.Fields, Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "AccessControlListNotSupported");
        }
        var keys = (await Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key);
        Assert.Equal(["tagged.txt"], keys);
    }

    [Fact(Timeout = 60_000)]
    public async Task Request_headers_beside_a_signed_form_do_not_reach_the_object()
    {
        // Only the form is covered by the policy: headers sent with it (as curl can) are ignored, as S3 ignores them.
        var bucket = await NewBucketAsync("postheaders");
        var presigned = await PresignAsync(Server.Client, bucket, "report.pdf");
        var attackerKey = System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);

        using var response = await PostAsync(bucket, presigned.Fields, Content, headers: new Dictionary<string, string>
        {
            ["x-amz-meta-planted"] = "yes",
            ["x-amz-tagging"] = "planted=yes",
            ["x-amz-server-side-encryption-customer-algorithm"] = "AES256",
            ["x-amz-server-side-encryption-customer-key"] = Convert.ToBase64String(attackerKey),
            ["x-amz-server-side-encryption-customer-key-MD5"] = Convert.ToBase64String(System.Security.Cryptography.MD5.HashData(attackerKey)),
            ["Cache-Control"] = "max-age=31536000",
        });

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        using var stored = await Server.Client.GetObjectAsync(bucket, "report.pdf"); // readable without any customer key
        using var bytes = new MemoryStream();
        await stored.ResponseStream.CopyToAsync(bytes);
        Assert.Equal(Content, bytes.ToArray());
        Assert.Empty(stored.Metadata.Keys);
        Assert.Null(stored.Headers.CacheControl);
        Assert.Empty((await Server.Client.GetObjectTaggingAsync(new GetObjectTaggingRequest { BucketName = bucket, Key = "report.pdf" })).Tagging ?? []);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_form_that_breaks_its_policy_is_refused_and_stores_nothing()
    {
        var bucket = await NewBucketAsync("postpolicy");
        var s3 = Server.Client;

        var expired = await PresignAsync(s3, bucket, "late.txt", expires: DateTime.UtcNow.AddMinutes(-1));
        using (var response = await PostAsync(bucket, expired.Fields, Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "AccessDenied", "Invalid according to Policy: Policy expired.");
        }

        var prefixed = await PresignAsync(s3, bucket, "user/alice/a.txt", conditions: [S3PostCondition.StartsWith("key", "user/alice/")]);
        using (var response = await PostAsync(bucket, prefixed.Fields.Select(field => field.Key == "key" ? new(field.Key, "user/bob/a.txt") : field), Content))
        {
            // The SDK's policy names the key exactly too; that is the condition the changed key breaks first.
            await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "AccessDenied",
                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$key\", \"user/alice/a.txt\"]");
        }

        var plain = await PresignAsync(s3, bucket, "extra.txt");
        using (var response = await PostAsync(bucket, [.. plain.Fields, new("x-amz-meta-sneaky", "1")], Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "AccessDenied", "Invalid according to Policy: Extra input fields: x-amz-meta-sneaky");
        }

        // Another policy under the same signature: the signature covers the policy, so it no longer matches.
        var other = await PresignAsync(s3, bucket, "other.txt");
        using (var response = await PostAsync(bucket, plain.Fields.Select(field => field.Key == "Policy" || field.Key == "policy"
            ? new(field.Key, other.Fields[field.Key]) : field.Key == "key" ? new(field.Key, "other.txt") : field), Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "SignatureDoesNotMatch");
        }

        var wrongBucket = await PresignAsync(s3, "some-other-bucket", "x.txt");
        using (var response = await PostAsync(bucket, wrongBucket.Fields, Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "AccessDenied",
                "Invalid according to Policy: Policy Condition failed: [\"eq\", \"$bucket\", \"some-other-bucket\"]");
        }
        await AssertNothingStoredAsync(bucket);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_browsers_form_gets_the_CORS_headers_on_success_and_on_a_refused_policy()
    {
        const string App = "https://app.example.com";
        var bucket = await NewBucketAsync("postcors");
        await Server.Client.PutCORSConfigurationAsync(new PutCORSConfigurationRequest
        {
            BucketName = bucket,
            Configuration = new CORSConfiguration { Rules = [new CORSRule { AllowedOrigins = [App], AllowedMethods = ["POST"], ExposeHeaders = ["ETag"] }] },
        });

        var presigned = await PresignAsync(Server.Client, bucket, "cors.txt");
        using (var response = await PostAsync(bucket, presigned.Fields, Content, origin: App))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
            Assert.Equal([App], response.Headers.GetValues("Access-Control-Allow-Origin"));
        }
        var expired = await PresignAsync(Server.Client, bucket, "late.txt", expires: DateTime.UtcNow.AddMinutes(-1));
        using (var response = await PostAsync(bucket, expired.Fields, Content, origin: App))
        {
            // Refused while the form is authenticated, before any handler: the page can still read why.
            Assert.Equal([App], response.Headers.GetValues("Access-Control-Allow-Origin"));
            await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "AccessDenied", "Invalid according to Policy: Policy expired.");
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_file_outside_the_size_range_is_refused_and_stores_nothing()
    {
        var bucket = await NewBucketAsync("postsize");
        var presigned = await PresignAsync(Server.Client, bucket, "sized.bin", conditions: [S3PostCondition.ContentLengthRange(10, 100)]);

        using (var response = await PostAsync(bucket, presigned.Fields, new byte[101]))
        {
            await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "EntityTooLarge");
        }
        using (var response = await PostAsync(bucket, presigned.Fields, new byte[9]))
        {
            await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "EntityTooSmall");
        }
        await AssertNothingStoredAsync(bucket);

        using (var response = await PostAsync(bucket, presigned.Fields, new byte[100]))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        Assert.Equal(100, (await Server.Client.GetObjectMetadataAsync(bucket, "sized.bin")).ContentLength);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_malformed_form_gets_S3s_error()
    {
        var bucket = await NewBucketAsync("postform");
        var presigned = await PresignAsync(Server.Client, bucket, "f.txt");
        using var http = new HttpClient();

        using (var response = await PostAsync(bucket, presigned.Fields, file: null))
        {
            await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "IncorrectNumberOfFilesInPostRequest");
        }
        using (var response = await PostAsync(bucket, presigned.Fields.Where(field => field.Key != "key"), Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "InvalidArgument");
        }
        using (var response = await PostAsync(bucket, presigned.Fields.Where(field => !field.Key.Equals("x-amz-signature", StringComparison.OrdinalIgnoreCase)),
            Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "InvalidArgument");
        }
        using (var response = await http.PostAsync($"{Server.Endpoint}/{bucket}", new StringContent("key=f.txt", Encoding.UTF8, "application/x-www-form-urlencoded")))
        {
            await AssertRefusedAsync(response, HttpStatusCode.PreconditionFailed, "PreconditionFailed");
        }
        using (var response = await http.PostAsync($"{Server.Endpoint}/{bucket}",
            new StringContent("--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nf.txt\r\n--b\r\nno headers end", Encoding.UTF8)
            {
                Headers = { ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b") },
            }))
        {
            await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "MalformedPOSTRequest");
        }
        using (var response = await PostAsync(bucket, [.. presigned.Fields, new("x-ignore-padding", new string('p', 70_000))], Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.BadRequest, "MaxPostPreDataLengthExceededError");
        }
        await AssertNothingStoredAsync(bucket);
    }

    [Fact(Timeout = 60_000)]
    public async Task A_user_posts_only_where_the_decision_lets_it_and_anonymous_forms_need_a_public_grant()
    {
        var bucket = await NewBucketAsync("postusers");
        var (_, accessKey, secretKey) = await fixture.AddUserAsync("poster");
        using var user = Server.CreateClient(accessKey: accessKey, secretKey: secretKey);

        var own = await PresignAsync(user, bucket, "by-user.txt");
        using (var response = await PostAsync(bucket, own.Fields, Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
        }
        using (var response = await PostAsync(bucket, [new("key", "anonymous.txt")], Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
        }
        await AssertNothingStoredAsync(bucket);

        await Server.Client.PutPublicAccessBlockAsync(new PutPublicAccessBlockRequest
        {
            BucketName = bucket,
            PublicAccessBlockConfiguration = new PublicAccessBlockConfiguration
            {
                BlockPublicAcls = true,
                IgnorePublicAcls = true,
                BlockPublicPolicy = false,
                RestrictPublicBuckets = false,
            },
        });
        await Server.Client.PutBucketPolicyAsync(bucket, $$"""
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::{{bucket}}/drop/*"}]}
            """);
        using (var response = await PostAsync(bucket, [new("key", "drop/anonymous.txt")], Content))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }
        using (var response = await PostAsync(bucket, [new("key", "elsewhere.txt")], Content))
        {
            await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
        }
        using (var response = await PostAsync(bucket, own.Fields.Select(field => field.Key == "key" ? new(field.Key, "drop/by-user.txt") : field), Content))
        {
            // The user's own form for another key breaks its policy before any grant is asked.
            await AssertRefusedAsync(response, HttpStatusCode.Forbidden, "AccessDenied");
        }
        var keys = (await Server.Client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = bucket })).S3Objects.Select(o => o.Key);
        Assert.Equal(["drop/anonymous.txt"], keys);
    }
}

namespace Cairn.Server.Cli;

/// <summary>The key pair and region the tools sign with, from the AWS CLI's environment variables.</summary>
internal sealed record CliCredentials(string AccessKey, string SecretKey, string Region)
{
    /// <summary>The region when neither AWS_REGION nor AWS_DEFAULT_REGION is set (the server's default too).</summary>
    public const string DefaultRegion = "us-east-1";

    /// <summary>
    /// Reads AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (both required), and the region from
    /// AWS_REGION, else AWS_DEFAULT_REGION, else <see cref="DefaultRegion"/>. Null, with the
    /// names of the missing variables in <paramref name="missing"/>, when a key is not set.
    /// </summary>
    public static CliCredentials? Read(Func<string, string?> environment, out string missing)
    {
        var accessKey = environment("AWS_ACCESS_KEY_ID");
        var secretKey = environment("AWS_SECRET_ACCESS_KEY");
        missing = (string.IsNullOrEmpty(accessKey), string.IsNullOrEmpty(secretKey)) switch
        {
            (true, true) => "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are",
            (true, false) => "AWS_ACCESS_KEY_ID is",
            (false, true) => "AWS_SECRET_ACCESS_KEY is",
            _ => "",
        };
        if (missing.Length > 0)
        {
            return null;
        }
        var region = NonEmpty(environment("AWS_REGION")) ?? NonEmpty(environment("AWS_DEFAULT_REGION")) ?? DefaultRegion;
        return new CliCredentials(accessKey!, secretKey!, region);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

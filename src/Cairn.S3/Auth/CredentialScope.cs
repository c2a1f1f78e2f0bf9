namespace Cairn.S3.Auth;

/// <summary>The parts of <c>AKID/yyyyMMdd/region/s3/aws4_request</c>.</summary>
internal readonly record struct CredentialScope(string AccessKeyId, string Date, string Region, string Service, string Terminator)
{
    /// <summary>The scope without the access key, as it appears in the string to sign.</summary>
    public string Scope => $"{Date}/{Region}/{Service}/{Terminator}";

    /// <summary>
    /// Splits a credential. The four scope parts are taken from the end, so the access key is everything
    /// before them; each part must be non-empty and the date eight digits.
    /// </summary>
    public static bool TryParse(string credential, out CredentialScope scope)
    {
        scope = default;
        var terminatorAt = credential.LastIndexOf('/');
        var serviceAt = terminatorAt > 0 ? credential.LastIndexOf('/', terminatorAt - 1) : -1;
        var regionAt = serviceAt > 0 ? credential.LastIndexOf('/', serviceAt - 1) : -1;
        var dateAt = regionAt > 0 ? credential.LastIndexOf('/', regionAt - 1) : -1;
        if (dateAt <= 0)
        {
            return false;
        }
        var accessKeyId = credential[..dateAt];
        var date = credential[(dateAt + 1)..regionAt];
        var region = credential[(regionAt + 1)..serviceAt];
        var service = credential[(serviceAt + 1)..terminatorAt];
        var terminator = credential[(terminatorAt + 1)..];
        if (accessKeyId.Length == 0 || region.Length == 0 || service.Length == 0 || terminator.Length == 0
            || date.Length != 8 || !IsDigits(date))
        {
            return false;
        }
        scope = new CredentialScope(accessKeyId, date, region, service, terminator);
        return true;
    }

    private static bool IsDigits(string value)
    {
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return true;
    }
}

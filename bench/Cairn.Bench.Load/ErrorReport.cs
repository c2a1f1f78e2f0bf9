namespace Cairn.Bench.Load;

/// <summary>
/// Prints the first few failures to stderr (status, request and the start of the error body), so a
/// run with errors says why without flooding the terminal. Counting errors is the runner's job.
/// </summary>
internal static class ErrorReport
{
    private const int MaxPrinted = 5;
    private const int MaxBodyChars = 600;
    private static int s_reported;

    public static async ValueTask ResponseAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!ShouldPrint())
        {
            return;
        }
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (body.Length > MaxBodyChars)
        {
            body = body[..MaxBodyChars] + "…";
        }
        Console.Error.WriteLine($"error: {request.Method} {request.RequestUri?.PathAndQuery} → {(int)response.StatusCode} {response.ReasonPhrase}: {body}");
    }

    public static void Message(string message)
    {
        if (ShouldPrint())
        {
            Console.Error.WriteLine("error: " + message);
        }
    }

    public static void Exception(Exception exception)
    {
        if (ShouldPrint())
        {
            Console.Error.WriteLine($"error: {exception.GetType().Name}: {exception.Message}");
        }
    }

    private static bool ShouldPrint()
    {
        var number = Interlocked.Increment(ref s_reported);
        if (number == MaxPrinted + 1)
        {
            Console.Error.WriteLine($"error: (only the first {MaxPrinted} errors are printed)");
        }
        return number <= MaxPrinted;
    }
}

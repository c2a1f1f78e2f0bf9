using Cairn.Bench.Reference;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

// The bare-Kestrel reference server: see README.md. Logging is off and there is no middleware, so
// what a benchmark measures here is Kestrel plus the handler's few lines.
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(static kestrel =>
{
    // Bodies of any size (the 256 MiB PUT); Kestrel's default limit is 30 MB.
    kestrel.Limits.MaxRequestBodySize = null;
    kestrel.AddServerHeader = false;
});

var urls = builder.Configuration["urls"];
if (string.IsNullOrEmpty(urls) || !LoopbackUrls.AreAllLoopback(urls))
{
    Console.Error.WriteLine("cairn-bench-reference: pass --urls http://127.0.0.1:PORT (loopback addresses only)");
    return 2;
}

var app = builder.Build();
app.Run(ReferenceHandler.HandleAsync);
await app.RunAsync();
return 0;
